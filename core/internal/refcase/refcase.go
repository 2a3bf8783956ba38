// Package refcase loads the reference cases in testdata/reference: inputs,
// outputs and gradients of ganlab's ops computed in float64 by an
// independent implementation with Keras semantics (see its README). Tests
// compare ganlab's ops against them.
package refcase

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ganlab/ganlab/core/tensor"
)

// Tol is the relative error allowed against a reference value in float64.
const Tol = 1e-6

// Case is one decoded reference case.
type Case struct {
	Name string
	raw  map[string]json.RawMessage
}

// Dir returns the reference directory, found by walking up from the working
// directory to the module root.
func Dir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "reference"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("refcase: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Load reads testdata/reference/<name>.json.
func Load(name string) (*Case, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		return nil, fmt.Errorf("refcase: %w", err)
	}
	c := &Case{Name: name}
	if err := json.Unmarshal(b, &c.raw); err != nil {
		return nil, fmt.Errorf("refcase %s: %w", name, err)
	}
	return c, nil
}

// Has reports whether the case has key.
func (c *Case) Has(key string) bool { _, ok := c.raw[key]; return ok }

// Tensor returns the tensor stored under key as float64.
func (c *Case) Tensor(key string) *tensor.Tensor {
	var v struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	c.decode(key, &v)
	return tensor.FromFloat64(v.Data, v.Shape...)
}

// TensorAt decodes a tensor nested as raw JSON (e.g. in the Adam steps list).
func TensorAt(raw json.RawMessage) (*tensor.Tensor, error) {
	var v struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return tensor.FromFloat64(v.Data, v.Shape...), nil
}

// Float returns the number stored under key.
func (c *Case) Float(key string) float64 {
	var v float64
	c.decode(key, &v)
	return v
}

// String returns the string stored under key.
func (c *Case) String(key string) string {
	var v string
	c.decode(key, &v)
	return v
}

// Raw returns the raw JSON stored under key.
func (c *Case) Raw(key string) json.RawMessage { return c.raw[key] }

func (c *Case) decode(key string, v any) {
	raw, ok := c.raw[key]
	if !ok {
		panic(fmt.Sprintf("refcase %s: no key %q", c.Name, key))
	}
	if err := json.Unmarshal(raw, v); err != nil {
		panic(fmt.Sprintf("refcase %s: key %q: %v", c.Name, key, err))
	}
}

// Compare returns an error naming the first element of got that differs
// from want by more than Tol relative (absolute below 1), or a shape
// mismatch.
func Compare(what string, got, want *tensor.Tensor) error {
	if !tensor.SameShape(got.Shape(), want.Shape()) {
		return fmt.Errorf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
	}
	for i := 0; i < got.Len(); i++ {
		g, w := got.At(i), want.At(i)
		d := g - w
		if d < 0 {
			d = -d
		}
		scale := max(1, abs(w))
		if d > Tol*scale || d != d {
			return fmt.Errorf("%s: element %d = %.12g, want %.12g", what, i, g, w)
		}
	}
	return nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
