// Package train is Keras's fit loop in Go: epochs of steps, a train step
// supplied by the caller (a Go function or a Lua train_step behind a
// binding), and callbacks with Keras's hooks, names and semantics.
//
// Fit runs, for each epoch from InitialEpoch to Epochs-1:
//
//	OnEpochBegin(epoch, {})
//	for each step: OnTrainBatchBegin(step, {}); logs := Step(ctx, batch); OnTrainBatchEnd(step, logs)
//	OnEpochEnd(epoch, epoch logs)
//
// between OnTrainBegin({}) and OnTrainEnd(last epoch logs). Every hook of
// one event sees the same Logs map, callbacks in the order given and the
// History last, so a callback may add a key (a FID, a learning rate) that
// later callbacks and the History record, as in Keras.
//
// A callback stops training by setting Trainer.StopTraining (Keras's
// model.stop_training): Fit checks it after each step and each epoch, and
// an epoch cut short still gets its OnEpochEnd with the means of the steps
// it ran. Cancelling Fit's context stops it after the current step with an
// *InterruptedError that wraps the context's error and says where training
// stood, so a caller can checkpoint and resume.
//
// Built-in callbacks live one per file: History (always attached),
// ProgressLogger, CSVLogger, EarlyStopping, LambdaCallback, TerminateOnNaN
// and LearningRateScheduler.
package train
