package optim_test

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
)

// Minimise (w-3)² with Adam, as a train step does: gradients from autograd,
// then ApplyGradients.
func ExampleAdam() {
	w := autograd.Param(tensor.FromFloat64([]float64{0}, 1), "w")
	cfg := optim.DefaultAdam()
	cfg.LearningRate = 0.1
	opt, err := optim.NewAdam(cfg)
	if err != nil {
		panic(err)
	}
	for range 200 {
		loss := autograd.Sum(autograd.Square(autograd.AddScalar(w, -3)), nil, false)
		g, _ := autograd.Grad([]*autograd.Var{loss}, []*autograd.Var{w}, nil, false)
		if err := opt.ApplyGradients([]*tensor.Tensor{g[0].Value}, []*autograd.Var{w}); err != nil {
			panic(err)
		}
	}
	st, _ := opt.State()
	fmt.Printf("w = %.2f after %d iterations; slots %v\n", w.Value.At(0), opt.Iterations(), st.SlotNames())
	// Output: w = 3.00 after 200 iterations; slots [adam/m/w adam/v/w]
}

func ExampleCosineDecay() {
	s := optim.CosineDecay{Initial: 0, DecaySteps: 100, WarmupTarget: 1e-3, WarmupSteps: 10}
	for _, step := range []int64{0, 5, 10, 60, 110} {
		fmt.Printf("%d: %.2e\n", step, s.At(step))
	}
	// Output:
	// 0: 0.00e+00
	// 5: 5.00e-04
	// 10: 1.00e-03
	// 60: 5.00e-04
	// 110: 0.00e+00
}
