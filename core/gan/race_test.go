//go:build race

package gan

// The race detector makes sync.Pool drop buffers at random, so allocation
// counts mean nothing under it.
func init() { raceEnabled = true }
