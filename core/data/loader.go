package data

import (
	"errors"
	"fmt"
	"sync"

	"github.com/ganlab/ganlab/core/tensor"
)

// Position is where a Loader stands: the epoch and the index of the batch
// within it. It is what a checkpoint stores to resume the same batches.
type Position struct {
	Epoch int
	Batch int
}

// LoaderConfig sets how a Loader batches a Dataset.
type LoaderConfig struct {
	// BatchSize is the number of examples per batch (> 0).
	BatchSize int
	// Shuffle draws a new order of the examples each epoch.
	Shuffle bool
	// DropRemainder skips the short last batch of an epoch, as
	// tf.data's batch(drop_remainder=True) does.
	DropRemainder bool
	// Prefetch is how many batches are built ahead on a goroutine;
	// 0 builds each batch inside Next.
	Prefetch int
	// Start is the position of the first batch, for resuming.
	Start Position
}

// Batch is one slice of a Dataset.
type Batch struct {
	Images  *tensor.Tensor // float32 (b, h, w, c)
	Labels  *tensor.Tensor // float32 (b), class indices
	Classes []int          // the same class indices as ints
	Indices []int          // the examples' indices in the Dataset
	Pos     Position       // where this batch stands
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("data: loader closed")

// Loader serves a Dataset in batches, epoch after epoch, without end: a
// training loop calls Next StepsPerEpoch times per epoch. Epoch e's order is
// drawn from a stream seeded by (loader seed, e), so any position can be
// reached again without replaying the ones before it. Call Close to stop
// the prefetch goroutine.
type Loader struct {
	ds    *Dataset
	cfg   LoaderConfig
	seed  uint64
	steps int

	next   Position // position of the batch Next returns next
	ch     chan *Batch
	done   chan struct{}
	wg     sync.WaitGroup
	closed bool
}

// NewLoader returns a Loader over ds. When cfg.Shuffle is set, rng supplies
// the loader's seed (one draw), so the same run seed gives the same orders;
// rng may be nil without shuffling.
func NewLoader(ds *Dataset, cfg LoaderConfig, rng *tensor.RNG) (*Loader, error) {
	n := ds.Len()
	switch {
	case cfg.BatchSize <= 0:
		return nil, fmt.Errorf("data.NewLoader(%s): batch size %d, want > 0", ds.Name, cfg.BatchSize)
	case cfg.Prefetch < 0:
		return nil, fmt.Errorf("data.NewLoader(%s): prefetch %d, want >= 0", ds.Name, cfg.Prefetch)
	case cfg.Shuffle && rng == nil:
		return nil, fmt.Errorf("data.NewLoader(%s): shuffling needs an RNG", ds.Name)
	}
	steps := n / cfg.BatchSize
	if !cfg.DropRemainder && n%cfg.BatchSize != 0 {
		steps++
	}
	if steps == 0 {
		return nil, fmt.Errorf("data.NewLoader(%s): %d examples make no batch of %d (drop_remainder=%v)",
			ds.Name, n, cfg.BatchSize, cfg.DropRemainder)
	}
	l := &Loader{ds: ds, cfg: cfg, steps: steps}
	if cfg.Shuffle {
		l.seed = rng.Uint64()
	}
	if err := l.Seek(cfg.Start); err != nil {
		return nil, err
	}
	return l, nil
}

// StepsPerEpoch returns the number of batches in one epoch.
func (l *Loader) StepsPerEpoch() int { return l.steps }

// Seed returns the seed the epoch orders derive from.
func (l *Loader) Seed() uint64 { return l.seed }

// Position returns the position of the batch the next call to Next returns.
func (l *Loader) Position() Position { return l.next }

// Order returns the order of the examples in epoch e.
func (l *Loader) Order(e int) []int {
	n := l.ds.Len()
	if !l.cfg.Shuffle {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return tensor.NewRNG(l.seed, uint64(e)).Perm(n)
}

// Next returns the batch at Position and advances it.
func (l *Loader) Next() (*Batch, error) {
	if l.closed {
		return nil, ErrClosed
	}
	var b *Batch
	if l.ch == nil {
		b = l.build(l.next, l.Order(l.next.Epoch))
	} else {
		b = <-l.ch
	}
	l.next = l.advance(l.next)
	return b, nil
}

// Seek moves the loader to p; the next call to Next returns the batch at p.
func (l *Loader) Seek(p Position) error {
	if l.closed {
		return ErrClosed
	}
	if p.Epoch < 0 || p.Batch < 0 || p.Batch >= l.steps {
		return fmt.Errorf("data.Loader.Seek(%s): position %+v outside epochs of %d batches", l.ds.Name, p, l.steps)
	}
	l.stop()
	l.next = p
	if l.cfg.Prefetch > 0 {
		l.ch = make(chan *Batch, l.cfg.Prefetch)
		l.done = make(chan struct{})
		l.wg.Add(1)
		go l.produce(p, l.ch, l.done)
	}
	return nil
}

// Close stops the prefetch goroutine and waits for it; it is safe to call
// more than once.
func (l *Loader) Close() error {
	l.stop()
	l.closed = true
	return nil
}

func (l *Loader) stop() {
	if l.done != nil {
		close(l.done)
		l.wg.Wait()
	}
	l.ch, l.done = nil, nil
}

func (l *Loader) advance(p Position) Position {
	p.Batch++
	if p.Batch == l.steps {
		p = Position{Epoch: p.Epoch + 1}
	}
	return p
}

// produce builds batches from p on until done is closed.
func (l *Loader) produce(p Position, ch chan<- *Batch, done <-chan struct{}) {
	defer l.wg.Done()
	order := l.Order(p.Epoch)
	for {
		b := l.build(p, order)
		select {
		case ch <- b:
		case <-done:
			return
		}
		np := l.advance(p)
		if np.Epoch != p.Epoch {
			order = l.Order(np.Epoch)
		}
		p = np
	}
}

// build gathers the examples of batch p.Batch of an epoch with the given order.
func (l *Loader) build(p Position, order []int) *Batch {
	lo := p.Batch * l.cfg.BatchSize
	hi := min(lo+l.cfg.BatchSize, len(order))
	idx := append([]int(nil), order[lo:hi]...)
	shape := l.ds.Images.Shape()
	per := shape[1] * shape[2] * shape[3]
	src := l.ds.Images.Float32s()
	img := make([]float32, len(idx)*per)
	lbl := make([]float32, len(idx))
	cls := make([]int, len(idx))
	for i, j := range idx {
		copy(img[i*per:(i+1)*per], src[j*per:(j+1)*per])
		cls[i] = l.ds.Labels[j]
		lbl[i] = float32(cls[i])
	}
	return &Batch{
		Images:  tensor.FromFloat32(img, len(idx), shape[1], shape[2], shape[3]),
		Labels:  tensor.FromFloat32(lbl, len(idx)),
		Classes: cls,
		Indices: idx,
		Pos:     p,
	}
}
