package train_test

import (
	"context"
	"fmt"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/train"
)

// A train step that returns its losses, an EarlyStopping on the generator
// loss and a callback printing each epoch's means.
func ExampleFit() {
	gLoss := []float64{3, 2, 1, 1.5, 1.2, 1.1, 1.4, 1.3, 0.9, 0.8}
	i := 0
	step := func(ctx context.Context, batch *data.Batch) (train.Logs, error) {
		i++
		return train.Logs{"g_loss": gLoss[i-1], "d_loss": 0.5}, nil
	}
	stop, err := train.NewEarlyStopping(train.EarlyStoppingConfig{Monitor: "g_loss", Patience: 1})
	if err != nil {
		panic(err)
	}
	printer := &train.LambdaCallback{EpochEnd: func(epoch int, logs train.Logs) error {
		fmt.Printf("epoch %d: d_loss %.2f g_loss %.2f\n", epoch, logs["d_loss"], logs["g_loss"])
		return nil
	}}
	hist, err := train.Fit(context.Background(), train.FitConfig{
		Step: step, StepsPerEpoch: 2, Epochs: 5, Callbacks: []train.Callback{stop, printer},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("epochs run:", hist.Epoch, "g_loss:", hist.History["g_loss"])
	// Output:
	// epoch 0: d_loss 0.50 g_loss 2.50
	// epoch 1: d_loss 0.50 g_loss 1.25
	// epoch 2: d_loss 0.50 g_loss 1.15
	// epoch 3: d_loss 0.50 g_loss 1.35
	// epochs run: [0 1 2 3] g_loss: [2.5 1.25 1.15 1.35]
}
