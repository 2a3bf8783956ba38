// Macros shared by the AVX-512 float32 kernels (gemm_avx512_amd64.s,
// gemm_avx512_pair_amd64.s): the row-by-row epilogue of a tile with 32
// floats (two ZMM) per row of C. C's current row is at DX, its row stride
// in bytes in R8.

// Store one row pair of accumulators to C at DX (beta == 0), advance a row.
#define ZSTORE_ROW(r0, r1) \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, 64(DX); \
	ADDQ    R8, DX

// C = acc + beta*C for one row (Z1 holds beta), advance a row.
#define ZUPDATE_ROW(r0, r1) \
	VFMADD231PS (DX), Z1, r0; \
	VFMADD231PS 64(DX), Z1, r1; \
	VMOVUPS     r0, (DX); \
	VMOVUPS     r1, 64(DX); \
	ADDQ        R8, DX

// Prefetch the first and last cache line of the 128-byte row of C at p,
// advance p a row.
#define ZPREFETCH_ROW(p) \
	PREFETCHT0 (p); \
	PREFETCHT0 124(p); \
	ADDQ       R8, p

// Prefetch six rows of C from p on, leaving p six rows further.
#define ZPREFETCH_6ROWS(p) \
	ZPREFETCH_ROW(p); \
	ZPREFETCH_ROW(p); \
	ZPREFETCH_ROW(p); \
	ZPREFETCH_ROW(p); \
	ZPREFETCH_ROW(p); \
	ZPREFETCH_ROW(p)
