package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() { registerCommand(newVersionCmd) }

func newVersionCmd(_ *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ganlab's version, Go version and platform",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionText())
			return err
		},
	}
}

// versionText describes this binary from its build info: the main module's
// version ("(devel)" for a build from a source tree), the VCS revision when
// the build recorded one, the Go version and the platform.
func versionText() string {
	module, version, vcs := "github.com/ganlab/ganlab", "(unknown)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path != "" {
			module = bi.Main.Path
		}
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			vcs = rev
			if modified == "true" {
				vcs += " (modified)"
			}
		}
	}
	s := fmt.Sprintf("ganlab %s\nmodule    %s\ngo        %s\nplatform  %s/%s\n",
		version, module, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if vcs != "" {
		s += "commit    " + vcs + "\n"
	}
	return s
}
