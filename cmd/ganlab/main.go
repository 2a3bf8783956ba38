// Command ganlab runs GAN experiments and inspects their data. See README.md
// at the repository root and `ganlab help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	reexecForRuntime()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ganlab:", err)
		os.Exit(1)
	}
}

// run executes the command line; Ctrl-C or SIGTERM cancels the command's
// context so a training run can stop at a step boundary and checkpoint.
func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer governMemory(ctx)()
	return newRootCmd().ExecuteContext(ctx)
}
