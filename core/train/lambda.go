package train

// LambdaCallback is Keras's LambdaCallback: a callback made of functions,
// one per hook; a nil function skips its hook.
type LambdaCallback struct {
	BaseCallback
	// TrainBegin runs as OnTrainBegin.
	TrainBegin func(logs Logs) error
	// TrainEnd runs as OnTrainEnd.
	TrainEnd func(logs Logs) error
	// EpochBegin runs as OnEpochBegin.
	EpochBegin func(epoch int, logs Logs) error
	// EpochEnd runs as OnEpochEnd.
	EpochEnd func(epoch int, logs Logs) error
	// TrainBatchBegin runs as OnTrainBatchBegin.
	TrainBatchBegin func(batch int, logs Logs) error
	// TrainBatchEnd runs as OnTrainBatchEnd.
	TrainBatchEnd func(batch int, logs Logs) error
}

// OnTrainBegin calls TrainBegin.
func (l *LambdaCallback) OnTrainBegin(logs Logs) error {
	if l.TrainBegin == nil {
		return nil
	}
	return l.TrainBegin(logs)
}

// OnTrainEnd calls TrainEnd.
func (l *LambdaCallback) OnTrainEnd(logs Logs) error {
	if l.TrainEnd == nil {
		return nil
	}
	return l.TrainEnd(logs)
}

// OnEpochBegin calls EpochBegin.
func (l *LambdaCallback) OnEpochBegin(epoch int, logs Logs) error {
	if l.EpochBegin == nil {
		return nil
	}
	return l.EpochBegin(epoch, logs)
}

// OnEpochEnd calls EpochEnd.
func (l *LambdaCallback) OnEpochEnd(epoch int, logs Logs) error {
	if l.EpochEnd == nil {
		return nil
	}
	return l.EpochEnd(epoch, logs)
}

// OnTrainBatchBegin calls TrainBatchBegin.
func (l *LambdaCallback) OnTrainBatchBegin(batch int, logs Logs) error {
	if l.TrainBatchBegin == nil {
		return nil
	}
	return l.TrainBatchBegin(batch, logs)
}

// OnTrainBatchEnd calls TrainBatchEnd.
func (l *LambdaCallback) OnTrainBatchEnd(batch int, logs Logs) error {
	if l.TrainBatchEnd == nil {
		return nil
	}
	return l.TrainBatchEnd(batch, logs)
}
