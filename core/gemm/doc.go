// Package gemm provides general matrix–matrix multiplication for row-major
// float32 (Sgemm) and float64 (Dgemm) matrices, with CBLAS RowMajor
// semantics:
//
//	C = alpha*op(A)*op(B) + beta*C,   op(X) = X or Xᵀ
//
// # The one idea: pack, block, and run a register-resident micro-kernel
//
// The implementation follows the Goto/BLIS design. A matrix product is
// memory bound unless every element brought into a cache is reused many
// times, so the work is organised around the cache hierarchy:
//
//   - The k dimension is cut into slabs of KC (~256). For each slab a
//     KC×NC block of op(B) is copied ("packed") into NR-column panels, and
//     each MC×KC block of op(A) into MR-row panels. The packed B block lives
//     in L3, the packed A block in L2, and one KC×NR panel of B in L1.
//   - Packing is also where transposes and leading dimensions disappear:
//     after packing, all four (transA, transB) combinations are the same
//     contiguous, unit-stride problem, so a single micro-kernel serves all
//     of them. Partial panels at the matrix edges are zero padded, so the
//     micro-kernel never needs edge cases either.
//   - A non-transposed operand whose row stride is not a multiple of 1 KiB
//     is not packed at all where the kernel can read it in place (the
//     amd64 float32 kernels take each operand's strides): its rows stream
//     through the caches as well as a packed panel would, and only its
//     partial edge panel is packed. The bits are the packed path's.
//   - The micro-kernel computes one MR×NR tile of C (6×16 for float32 on
//     amd64) entirely in registers: 12 YMM accumulators, one A broadcast
//     and two B vectors per k step, 12 FMAs per 8 loads. It is written in
//     Go assembly for AVX2+FMA. Edge tiles are computed into a small
//     temporary tile and then merged into C, so the kernel never writes
//     outside C.
//   - beta is applied by the micro-kernel during the first KC slab only
//     (later slabs accumulate with beta=1), so C is read and written once
//     per slab and, when beta == 0, never read at all: C may hold NaN
//     garbage in that case.
//
// # Threading
//
// Large products are split across runtime.GOMAXPROCS(0) goroutines along
// the larger of m and n (in multiples of MR or NR), each goroutine running
// the serial blocked algorithm on its own slice of C with its own packing
// buffers; there is no shared mutable state and no locking. Small products
// run on the calling goroutine, where the goroutine start-up cost would
// dominate. Packing buffers are recycled through sync.Pool so that steady
// state calls do not allocate.
//
// # Degenerate shapes
//
// Before packing, the driver routes shapes that the tiled algorithm wastes
// its work on to fast paths (thin.go): n == 1 or m == 1 become one dot
// product per output element or axpys down the rows of the matrix, k == 1
// becomes one scaled row update per row of C, and a small m×n with a large
// k is cut along k into chunks, each multiplied into its own pooled m×n
// buffer, the buffers then summed into C in chunk order. Their inner loops
// are AVX2 assembly for float32 on amd64 and Go loops otherwise. Every
// path splits its work at points that depend only on the shape and sums in
// a fixed order, so results are bitwise repeatable and independent of
// GOMAXPROCS; they differ from the packed path's in the last bits. For
// n ≤ 16 Sgemm uses the 16-column AVX2 kernel even where the 32-column
// AVX-512 one is available, rather than pad every tile to 32 columns.
//
// # Portability
//
// The assembly kernels (6×16 float32, 6×8 float64) are used on amd64 when
// CPUID reports AVX2, FMA and OS support for YMM state. Otherwise, on other
// architectures, or when built with the noasm build tag, a portable pure-Go
// 4×4 micro-kernel is used with the same driver. The driver is generic over
// the element type, so Sgemm and Dgemm share packing, blocking and
// threading code.
//
// # Errors
//
// Callers are expected to validate shapes. Invalid arguments (negative
// dimensions, leading dimensions that are too small, slices that are too
// short) cause a panic whose message names the offending argument; apart
// from that, a panic indicates a bug in this package.
package gemm
