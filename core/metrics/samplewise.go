package metrics

import (
	"fmt"

	"github.com/ganlab/ganlab/core/tensor"
)

// array is a tensor's values as float64 with its shape, for the small
// reductions metrics need (metric updates are off the hot path).
type array struct {
	data  []float64
	shape []int
}

func arrayOf(t *tensor.Tensor) array { return array{data: t.Values(), shape: t.Shape()} }

// reduceKind is how values of one sample are folded: Mean averages them,
// Sum adds them.
type reduceKind int

const (
	reduceMean reduceKind = iota
	reduceSum
)

// samples is one update's contribution: per-sample values, already
// weighted, and the total weight (the sample count when unweighted).
type samples struct {
	values []float64
	weight float64
}

// samplewise reduces values to per-sample numbers the way Keras 3's
// reduce_to_samplewise_values does, weighting them by weight when it is not
// nil. The weight must broadcast to the values once both are brought to the
// same rank (a trailing axis of size 1 is squeezed or added, as Keras's
// squeeze_or_expand_to_same_rank does).
func samplewise(values, weight *tensor.Tensor, kind reduceKind) (samples, error) {
	v := arrayOf(values)
	if weight == nil {
		if len(v.shape) == 0 {
			return samples{values: v.data, weight: 1}, nil
		}
		v = reduceTrailing(v, 1, kind)
		return samples{values: v.data, weight: float64(v.shape[0])}, nil
	}
	w := arrayOf(weight)
	v, w = squeezeOrExpand(v, w)
	if len(v.shape) > len(w.shape) {
		v = reduceTrailing(v, len(w.shape), kind)
	}
	wb, err := broadcastTo(w, v.shape)
	if err != nil {
		return samples{}, fmt.Errorf("sample_weight %v for values %v: %w", weight.Shape(), values.Shape(), err)
	}
	for i := range v.data {
		v.data[i] *= wb.data[i]
	}
	if len(w.shape) > 1 {
		wb = reduceTrailing(wb, 1, reduceMean)
	}
	if len(v.shape) > 1 {
		v = reduceTrailing(v, 1, kind)
	}
	total := 0.0
	for _, x := range wb.data {
		total += x
	}
	return samples{values: v.data, weight: total}, nil
}

// squeezeOrExpand brings ranks that differ by one together by their
// trailing axis of size 1: a rank-1 partner gains that axis, any other
// loses it (Keras's squeeze_or_expand_to_same_rank with expand_rank_1).
func squeezeOrExpand(x1, x2 array) (array, array) {
	r1, r2 := len(x1.shape), len(x2.shape)
	switch {
	case r1 == r2+1 && x1.shape[r1-1] == 1:
		if r2 == 1 {
			x2.shape = append(x2.shape, 1)
		} else {
			x1.shape = x1.shape[:r1-1]
		}
	case r2 == r1+1 && x2.shape[r2-1] == 1:
		if r1 == 1 {
			x1.shape = append(x1.shape, 1)
		} else {
			x2.shape = x2.shape[:r2-1]
		}
	}
	return x1, x2
}

// reduceTrailing folds every axis from keep on, leaving shape[:keep].
func reduceTrailing(a array, keep int, kind reduceKind) array {
	outer := tensor.Numel(a.shape[:keep])
	inner := tensor.Numel(a.shape[keep:])
	out := make([]float64, outer)
	for i := range out {
		s := 0.0
		for _, x := range a.data[i*inner : (i+1)*inner] {
			s += x
		}
		if kind == reduceMean {
			s /= float64(inner) // NaN for an empty sample, as numpy's mean
		}
		out[i] = s
	}
	return array{data: out, shape: append([]int(nil), a.shape[:keep]...)}
}

// broadcastTo expands a to shape by numpy's rules, a's rank not exceeding
// shape's.
func broadcastTo(a array, shape []int) (array, error) {
	if len(a.shape) > len(shape) {
		return array{}, fmt.Errorf("rank %d does not broadcast to rank %d", len(a.shape), len(shape))
	}
	// Align a's axes to the right and give broadcast axes stride 0.
	off := len(shape) - len(a.shape)
	str := make([]int, len(shape))
	step := 1
	for i := len(a.shape) - 1; i >= 0; i-- {
		switch d := a.shape[i]; {
		case d == shape[off+i]:
			str[off+i] = step
		case d == 1:
			str[off+i] = 0
		default:
			return array{}, fmt.Errorf("axis %d has %d, values have %d", i, d, shape[off+i])
		}
		step *= a.shape[i]
	}
	n := tensor.Numel(shape)
	out := make([]float64, n)
	idx := make([]int, len(shape))
	for k := range out {
		src := 0
		for i, j := range idx {
			src += j * str[i]
		}
		out[k] = a.data[src]
		for i := len(idx) - 1; i >= 0; i-- { // next index, last axis fastest
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return array{data: out, shape: append([]int(nil), shape...)}, nil
}
