package nn

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	snakeWord  = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	snakeUpper = regexp.MustCompile(`([a-z])([A-Z])`)
)

// snakeCase turns a class name into Keras's default layer name:
// Conv2DTranspose → conv2d_transpose, LeakyReLU → leaky_re_lu.
func snakeCase(class string) string {
	s := snakeWord.ReplaceAllString(class, "${1}_${2}")
	return strings.ToLower(snakeUpper.ReplaceAllString(s, "${1}_${2}"))
}

// namer gives the layers of one model unique names: a layer the user named,
// or one another model already named, keeps its name; any other gets its
// default name with Keras's suffixes (dense, dense_1, dense_2, ...).
type namer struct {
	owner *Base
	taken map[string]Layer
}

func newNamer(owner *Base) *namer { return &namer{owner: owner, taken: map[string]Layer{}} }

// adopt names l within the model and makes the model l's parent when l has
// none (a layer keeps the path of the first model that owned it, so its
// weight names do not change when it is reused). Nested models stay roots:
// their weights keep their own model's prefix.
func (n *namer) adopt(l Layer) error {
	b := baseOf(l)
	if b == nil {
		if prev, dup := n.taken[l.Name()]; dup && prev != l {
			return fmt.Errorf("two layers named %q", l.Name())
		}
		n.taken[l.Name()] = l
		return nil
	}
	if prev, dup := n.taken[b.Name()]; dup && prev == l {
		return nil
	}
	if !b.fixed {
		base := b.Name()
		name := base
		for i := 1; n.taken[name] != nil; i++ {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		b.name, b.fixed = name, true
	}
	if prev, dup := n.taken[b.Name()]; dup && prev != l {
		return fmt.Errorf("two different layers are named %q; give one another name", b.Name())
	}
	n.taken[b.Name()] = l
	if b.parent == nil && !isModel(l) && b != n.owner {
		b.parent = n.owner
	}
	return nil
}
