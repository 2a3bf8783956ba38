//go:build !linux

package main

// reexecForRuntime does nothing off Linux: the MADV_FREE setting it
// applies there is Linux-specific.
func reexecForRuntime() {}
