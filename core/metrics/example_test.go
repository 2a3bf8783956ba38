package metrics_test

import (
	"errors"
	"fmt"

	"github.com/ganlab/ganlab/core/metrics"
	"github.com/ganlab/ganlab/core/tensor"
)

// The Keras GAN guide's loss tracker: a Mean updated with each step's loss
// and reset at each epoch.
func ExampleMean() {
	tracker := metrics.NewMean("d_loss")
	_, err := tracker.Result()
	fmt.Println(errors.Is(err, metrics.ErrNoData))
	for _, loss := range []float64{0.7, 0.6, 0.5} {
		if err := tracker.UpdateState(tensor.Scalar(tensor.Float32, loss)); err != nil {
			panic(err)
		}
	}
	r, _ := tracker.Result()
	fmt.Printf("%s %.2f\n", tracker.Name(), r)
	// Output:
	// true
	// d_loss 0.60
}
