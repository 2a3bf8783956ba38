//go:build !amd64 || noasm

package optim

// adamSIMD reports false: this build has no vector kernel.
func adamSIMD(p, g, m, v []float32, alpha, b1, b2, eps float32) bool { return false }
