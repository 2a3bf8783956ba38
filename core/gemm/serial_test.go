package gemm

import "testing"

// TestSerialAgainstOracle runs the one-goroutine entry points on every
// driver test shape against the float64 oracle.
func TestSerialAgainstOracle(t *testing.T) {
	for _, tc := range gemmCases(true) {
		checkCase(t, tc, eps32, SgemmSerial)
		checkCase(t, tc, eps64, DgemmSerial)
	}
}
