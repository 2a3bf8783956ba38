package tensor

import (
	"fmt"
	"runtime/debug"
)

// Error is the panic value of a tensor function called with bad arguments,
// such as mismatched shapes. It names the op so that the message a user sees
// points at the call that failed.
type Error struct {
	Op  string
	Msg string
}

func (e *Error) Error() string { return e.Op + ": " + e.Msg }

// errorf builds the *Error that tensor functions panic with.
func errorf(op, format string, args ...any) *Error {
	return &Error{Op: op, Msg: fmt.Sprintf(format, args...)}
}

// Recover turns a panic into an error stored in *errp; use it as
// `defer tensor.Recover(&err)` at a public boundary. An *Error keeps its
// message; any other panic (an internal bug) becomes an error carrying the
// stack so that it can be reported instead of crashing the process.
func Recover(errp *error) {
	r := recover()
	if r == nil {
		return
	}
	switch v := r.(type) {
	case *Error:
		*errp = v
	case error:
		*errp = fmt.Errorf("internal error: %w\n%s", v, debug.Stack())
	default:
		*errp = fmt.Errorf("internal error: %v\n%s", v, debug.Stack())
	}
}

// Catch runs fn and returns the error it panicked with, if any.
func Catch(fn func()) (err error) {
	defer Recover(&err)
	fn()
	return nil
}
