package nn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/safetensors"
	"github.com/ganlab/ganlab/core/tensor"
)

// SaveWeights writes every weight of l (a model or a single layer) to a
// safetensors file keyed by weight name ("generator/dense/kernel"), in the
// weights' dtype, atomically.
func SaveWeights(path string, l Layer) error {
	f := safetensors.File{Tensors: map[string]safetensors.Tensor{}, Metadata: map[string]string{"format": "ganlab", "model": l.Name()}}
	for _, w := range l.Weights() {
		name := w.Name()
		if _, dup := f.Tensors[name]; dup {
			return fmt.Errorf("save weights %s: two weights are named %q; give their layers distinct names", path, name)
		}
		v := w.Value()
		var st safetensors.Tensor
		var err error
		if v.DType() == tensor.Float64 {
			st, err = safetensors.FromFloat64(v.Shape(), v.Float64s())
		} else {
			st, err = safetensors.FromFloat32(v.Shape(), v.Float32s())
		}
		if err != nil {
			return fmt.Errorf("save weights %s: %s: %w", path, name, err)
		}
		f.Tensors[name] = st
	}
	if err := safetensors.WriteFile(path, f); err != nil {
		return fmt.Errorf("save weights: %w", err)
	}
	return nil
}

// LoadWeights reads a file written by SaveWeights into l's weights. Every
// name and shape must match: otherwise it changes nothing and returns one
// error, naming the file, that lists every missing, unexpected and
// mis-shaped weight.
func LoadWeights(path string, l Layer) error {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return fmt.Errorf("load weights: %w", err)
	}
	ws := l.Weights()
	var problems []string
	values := make([]*tensor.Tensor, len(ws))
	want := map[string]bool{}
	for i, w := range ws {
		name := w.Name()
		want[name] = true
		st, ok := f.Tensors[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("missing %s %v", name, w.Shape()))
			continue
		}
		if !tensor.SameShape(st.Shape, w.Shape()) {
			problems = append(problems, fmt.Sprintf("%s: shape %v in the file, %v in the model", name, st.Shape, w.Shape()))
			continue
		}
		data, err := st.Float64s()
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		values[i] = tensor.FromValues(w.Value().DType(), data, w.Shape()...)
	}
	var extra []string
	for name := range f.Tensors {
		if !want[name] {
			extra = append(extra, fmt.Sprintf("unexpected %s %v", name, f.Tensors[name].Shape))
		}
	}
	sort.Strings(extra)
	problems = append(problems, extra...)
	if len(problems) > 0 {
		return fmt.Errorf("load weights %s into %s: %d mismatches (nothing loaded):\n  %s", path, l.Name(), len(problems), strings.Join(problems, "\n  "))
	}
	for i, w := range ws {
		w.Value().CopyFrom(values[i])
	}
	return nil
}
