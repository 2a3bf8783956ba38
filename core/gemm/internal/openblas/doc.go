// Package openblas wraps OpenBLAS's cblas_sgemm for benchmark comparison
// with package gemm. Its contents are only built with the openblas build
// tag (which needs cgo and libopenblas-dev); without the tag the package is
// empty, so the default build stays pure Go. It lives in its own package
// because Go does not allow cgo in a package that has Go assembly files.
//
//	go test -tags openblas -run XXX -bench . ./core/gemm/internal/openblas/
package openblas
