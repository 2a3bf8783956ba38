//go:build !noasm

package optim

import "golang.org/x/sys/cpu"

var haveAVX = cpu.X86.HasAVX

// adamSIMD is adamRange for float32 without amsgrad or gradient
// preparation, on the AVX kernel; it reports false where there is none.
func adamSIMD(p, g, m, v []float32, alpha, b1, b2, eps float32) bool {
	if !haveAVX {
		return false
	}
	n := len(p)
	if n == 0 {
		return true
	}
	g, m, v = g[:n], m[:n], v[:n]
	adamAVX(&p[0], &g[0], &m[0], &v[0], n, alpha, 1-b1, 1-b2, eps)
	return true
}

// adamAVX runs the update on n parameters (see adam_amd64.s).
//
//go:noescape
func adamAVX(p, grad, m, v *float32, n int, alpha, c1, c2, eps float32)
