package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// app is the state the root command's flags set up, shared with every
// subcommand: the logger exists once PersistentPreRunE has run, that is
// inside a subcommand's RunE, not when the command is built.
type app struct {
	logLevel  string
	logFormat string

	// logOut is the writer behind log (console or JSON on stderr); a command
	// that also logs to a file (a run's log.jsonl) combines it with
	// zerolog.MultiLevelWriter.
	logOut io.Writer
	log    zerolog.Logger
}

// commandFactories holds the subcommands. Each lives in its own file and
// registers itself from that file's init:
//
//	func init() { registerCommand(newRunCmd) }
//	func newRunCmd(a *app) *cobra.Command { ... }
//
// so that adding a command (run.go, bench.go) never edits this file. This is
// the one piece of package-level mutable state, and it is only appended to
// during initialisation.
var commandFactories []func(*app) *cobra.Command

// registerCommand adds a subcommand constructor to the root command.
func registerCommand(f func(*app) *cobra.Command) {
	commandFactories = append(commandFactories, f)
}

// newRootCmd builds the command tree afresh (tests build one per case).
// Subcommands must not define PersistentPreRun(E): cobra runs only the
// nearest one, and the root's sets up logging. Use PreRunE instead.
func newRootCmd() *cobra.Command {
	a := &app{}
	root := &cobra.Command{
		Use:   "ganlab",
		Short: "GAN experiments in Go",
		Long: "ganlab trains generative adversarial networks with its own tensor engine.\n" +
			"Experiments follow the Keras GAN guide; data defaults to MNIST from the Go module cache.",
		SilenceUsage:  true, // an error during a run is not a usage error
		SilenceErrors: true, // main prints the error once
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setupLogging(cmd.ErrOrStderr())
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.logLevel, "log-level", "info", "log level: trace, debug, info, warn, error")
	pf.StringVar(&a.logFormat, "log-format", "", "log format: console or json (default: console on a terminal, json otherwise)")
	for _, f := range commandFactories {
		root.AddCommand(f(a))
	}
	return root
}

// setupLogging builds a.log from the flags, writing to w.
func (a *app) setupLogging(w io.Writer) error {
	level, err := zerolog.ParseLevel(strings.ToLower(a.logLevel))
	if err != nil || a.logLevel == "" {
		return fmt.Errorf("--log-level %q: want trace, debug, info, warn or error", a.logLevel)
	}
	format := a.logFormat
	if format == "" {
		format = "json"
		if isTerminal(w) {
			format = "console"
		}
	}
	switch format {
	case "json":
		a.logOut = w
	case "console":
		a.logOut = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly, NoColor: !isTerminal(w)}
	default:
		return fmt.Errorf("--log-format %q: want console or json", a.logFormat)
	}
	a.log = zerolog.New(a.logOut).Level(level).With().Timestamp().Logger()
	return nil
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
