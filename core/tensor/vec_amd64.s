//go:build !noasm

#include "textflag.h"

// AVX kernels for the float32 elementwise loops (vec_amd64.go holds their
// contracts). Each one does exactly the IEEE operations of its Go loop, in
// the same order and with the same first operand where the Go compiler's
// choice shows in a NaN's payload, and touches only the n elements it is
// given: a 32-element unrolled body, then 8 at a time, then one by one.
// The one-by-one tail reuses the packed op on X registers holding a single
// loaded lane; the other lanes are zero and are never stored.

// Constants: 1.0 (Greater's true, leaky's factor for x > 0), and the sign
// bit and SplitMix64 constants of the dropout mask.
DATA one32<>+0(SB)/4, $0x3f800000
GLOBL one32<>(SB), RODATA|NOPTR, $4

DATA signbit32<>+0(SB)/4, $0x80000000
GLOBL signbit32<>(SB), RODATA|NOPTR, $4

// golden·[1, 2, 3, 4] mod 2⁶⁴: the first increment of each of four lanes.
DATA goldenSteps<>+0(SB)/8, $0x9e3779b97f4a7c15
DATA goldenSteps<>+8(SB)/8, $0x3c6ef372fe94f82a
DATA goldenSteps<>+16(SB)/8, $0xdaa66d2c7ddf743f
DATA goldenSteps<>+24(SB)/8, $0x78dde6e5fd29f054
GLOBL goldenSteps<>(SB), RODATA|NOPTR, $32

// golden·4 mod 2⁶⁴: the per-iteration advance of every lane.
DATA golden4<>+0(SB)/8, $0x78dde6e5fd29f054
GLOBL golden4<>(SB), RODATA|NOPTR, $8

// The two SplitMix64 multipliers split in 32-bit halves (VPMULUDQ
// multiplies the low halves of 64-bit lanes).
DATA mixK1lo<>+0(SB)/8, $0x1ce4e5b9
GLOBL mixK1lo<>(SB), RODATA|NOPTR, $8
DATA mixK1hi<>+0(SB)/8, $0xbf58476d
GLOBL mixK1hi<>(SB), RODATA|NOPTR, $8
DATA mixK2lo<>+0(SB)/8, $0x133111eb
GLOBL mixK2lo<>(SB), RODATA|NOPTR, $8
DATA mixK2hi<>+0(SB)/8, $0x94d049bb
GLOBL mixK2hi<>(SB), RODATA|NOPTR, $8

// Binary ops: D = A op B, A and B registers, T and U scratch, ONE holds
// 1.0 in every lane. D may be A or B: it is written last.
#define OP_ADD(A, B, D, T, U, ONE) VADDPS B, A, D
#define OP_SUB(A, B, D, T, U, ONE) VSUBPS B, A, D
#define OP_MUL(A, B, D, T, U, ONE) VMULPS B, A, D
#define OP_DIV(A, B, D, T, U, ONE) VDIVPS B, A, D

// OP_RADD and OP_RMUL compute B op A: for `c + y[i]` and `c * y[i]` the
// Go compiler makes y[i] the first operand, the one whose payload
// survives when both are NaN.
#define OP_RADD(A, B, D, T, U, ONE) VADDPS A, B, D
#define OP_RMUL(A, B, D, T, U, ONE) VMULPS A, B, D

// maxOf: A if A >= B (ordered) or B is NaN, else B. 0x1d is GE_OQ, 0x03
// UNORD_Q; the result is always one of the inputs, bit for bit.
#define OP_MAX(A, B, D, T, U, ONE) \
	VCMPPS    $0x1d, B, A, T; \
	VCMPPS    $0x03, B, B, U; \
	VORPS     U, T, T; \
	VBLENDVPS T, A, B, D

// minOf: A if A <= B (ordered, 0x12 LE_OQ) or B is NaN, else B.
#define OP_MIN(A, B, D, T, U, ONE) \
	VCMPPS    $0x12, B, A, T; \
	VCMPPS    $0x03, B, B, U; \
	VORPS     U, T, T; \
	VBLENDVPS T, A, B, D

// oneIf(A > B): 1.0 where A > B (ordered, 0x1e GT_OQ), +0 elsewhere.
#define OP_GT(A, B, D, T, U, ONE) \
	VCMPPS $0x1e, B, A, T; \
	VANDPS ONE, T, D

// ADVANCE3 moves the 1-D kernels' three pointers on by k elements and
// counts them off CX, the number left.
#define ADVANCE3(k) \
	ADDQ $(4*k), DI; \
	ADDQ $(4*k), SI; \
	ADDQ $(4*k), DX; \
	SUBQ $k, CX

// BIN_VV: dst[i] = x[i] op y[i]. DI dst, SI x, DX y. Every block is
// loaded before it is stored, so dst may be x or y.
#define BIN_VV(OP) \
	MOVQ         dst+0(FP), DI; \
	MOVQ         x+8(FP), SI; \
	MOVQ         y+16(FP), DX; \
	MOVQ         n+24(FP), CX; \
	VBROADCASTSS one32<>(SB), Y14; \
vv32: \
	CMPQ    CX, $32; \
	JLT     vv8; \
	VMOVUPS (SI), Y0; \
	VMOVUPS 32(SI), Y1; \
	VMOVUPS 64(SI), Y2; \
	VMOVUPS 96(SI), Y3; \
	VMOVUPS (DX), Y4; \
	VMOVUPS 32(DX), Y5; \
	VMOVUPS 64(DX), Y6; \
	VMOVUPS 96(DX), Y7; \
	OP(Y0, Y4, Y0, Y8, Y9, Y14); \
	OP(Y1, Y5, Y1, Y10, Y11, Y14); \
	OP(Y2, Y6, Y2, Y8, Y9, Y14); \
	OP(Y3, Y7, Y3, Y10, Y11, Y14); \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI); \
	VMOVUPS Y2, 64(DI); \
	VMOVUPS Y3, 96(DI); \
	ADVANCE3(32); \
	JMP     vv32; \
vv8: \
	CMPQ    CX, $8; \
	JLT     vv1; \
	VMOVUPS (SI), Y0; \
	VMOVUPS (DX), Y4; \
	OP(Y0, Y4, Y0, Y8, Y9, Y14); \
	VMOVUPS Y0, (DI); \
	ADVANCE3(8); \
	JMP     vv8; \
vv1: \
	TESTQ  CX, CX; \
	JZ     vvdone; \
	VMOVSS (SI), X0; \
	VMOVSS (DX), X4; \
	OP(X0, X4, X0, X8, X9, X14); \
	VMOVSS X0, (DI); \
	ADVANCE3(1); \
	JMP    vv1; \
vvdone: \
	VZEROUPPER; \
	RET

// BIN_VS: dst[i] = x[i] op c with c = *y, broadcast in Y15.
#define BIN_VS(OP) \
	MOVQ         dst+0(FP), DI; \
	MOVQ         x+8(FP), SI; \
	MOVQ         y+16(FP), DX; \
	MOVQ         n+24(FP), CX; \
	VBROADCASTSS one32<>(SB), Y14; \
	VBROADCASTSS (DX), Y15; \
vs32: \
	CMPQ    CX, $32; \
	JLT     vs8; \
	VMOVUPS (SI), Y0; \
	VMOVUPS 32(SI), Y1; \
	VMOVUPS 64(SI), Y2; \
	VMOVUPS 96(SI), Y3; \
	OP(Y0, Y15, Y0, Y8, Y9, Y14); \
	OP(Y1, Y15, Y1, Y10, Y11, Y14); \
	OP(Y2, Y15, Y2, Y8, Y9, Y14); \
	OP(Y3, Y15, Y3, Y10, Y11, Y14); \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI); \
	VMOVUPS Y2, 64(DI); \
	VMOVUPS Y3, 96(DI); \
	ADVANCE3(32); \
	JMP     vs32; \
vs8: \
	CMPQ    CX, $8; \
	JLT     vs1; \
	VMOVUPS (SI), Y0; \
	OP(Y0, Y15, Y0, Y8, Y9, Y14); \
	VMOVUPS Y0, (DI); \
	ADVANCE3(8); \
	JMP     vs8; \
vs1: \
	TESTQ  CX, CX; \
	JZ     vsdone; \
	VMOVSS (SI), X0; \
	OP(X0, X15, X0, X8, X9, X14); \
	VMOVSS X0, (DI); \
	ADVANCE3(1); \
	JMP    vs1; \
vsdone: \
	VZEROUPPER; \
	RET

// BIN_SV: dst[i] = c op y[i] with c = *x, broadcast in Y15.
#define BIN_SV(OP) \
	MOVQ         dst+0(FP), DI; \
	MOVQ         x+8(FP), SI; \
	MOVQ         y+16(FP), DX; \
	MOVQ         n+24(FP), CX; \
	VBROADCASTSS one32<>(SB), Y14; \
	VBROADCASTSS (SI), Y15; \
sv32: \
	CMPQ    CX, $32; \
	JLT     sv8; \
	VMOVUPS (DX), Y4; \
	VMOVUPS 32(DX), Y5; \
	VMOVUPS 64(DX), Y6; \
	VMOVUPS 96(DX), Y7; \
	OP(Y15, Y4, Y0, Y8, Y9, Y14); \
	OP(Y15, Y5, Y1, Y10, Y11, Y14); \
	OP(Y15, Y6, Y2, Y8, Y9, Y14); \
	OP(Y15, Y7, Y3, Y10, Y11, Y14); \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI); \
	VMOVUPS Y2, 64(DI); \
	VMOVUPS Y3, 96(DI); \
	ADVANCE3(32); \
	JMP     sv32; \
sv8: \
	CMPQ    CX, $8; \
	JLT     sv1; \
	VMOVUPS (DX), Y4; \
	OP(Y15, Y4, Y0, Y8, Y9, Y14); \
	VMOVUPS Y0, (DI); \
	ADVANCE3(8); \
	JMP     sv8; \
sv1: \
	TESTQ  CX, CX; \
	JZ     svdone; \
	VMOVSS (DX), X4; \
	OP(X15, X4, X0, X8, X9, X14); \
	VMOVSS X0, (DI); \
	ADVANCE3(1); \
	JMP    sv1; \
svdone: \
	VZEROUPPER; \
	RET

// BIN_MODE jumps to the loop for the stride pattern in mode: 0 x[i] op
// y[i] (falls through), 1 x[i] op c, 2 c op y[i].
#define BIN_MODE \
	MOVQ mode+32(FP), AX; \
	CMPQ AX, $1; \
	JEQ  vs; \
	JGT  sv

// func addAVX(dst, x, y *float32, n, mode int)
TEXT ·addAVX(SB), NOSPLIT, $0-40
	BIN_MODE
	BIN_VV(OP_ADD)
vs:
	BIN_VS(OP_ADD)
sv:
	BIN_SV(OP_RADD)

// func subAVX(dst, x, y *float32, n, mode int)
TEXT ·subAVX(SB), NOSPLIT, $0-40
	BIN_MODE
	BIN_VV(OP_SUB)
vs:
	BIN_VS(OP_SUB)
sv:
	BIN_SV(OP_SUB)

// func mulAVX(dst, x, y *float32, n, mode int)
TEXT ·mulAVX(SB), NOSPLIT, $0-40
	BIN_MODE
	BIN_VV(OP_MUL)
vs:
	BIN_VS(OP_MUL)
sv:
	BIN_SV(OP_RMUL)

// func divAVX(dst, x, y *float32, n, mode int)
TEXT ·divAVX(SB), NOSPLIT, $0-40
	BIN_MODE
	BIN_VV(OP_DIV)
vs:
	BIN_VS(OP_DIV)
sv:
	BIN_SV(OP_DIV)

// func maxAVX(dst, x, y *float32, n, mode int)
TEXT ·maxAVX(SB), NOSPLIT, $0-40
	BIN_MODE
	BIN_VV(OP_MAX)
vs:
	BIN_VS(OP_MAX)
sv:
	BIN_SV(OP_MAX)

// func minAVX(dst, x, y *float32, n, mode int)
TEXT ·minAVX(SB), NOSPLIT, $0-40
	BIN_MODE
	BIN_VV(OP_MIN)
vs:
	BIN_VS(OP_MIN)
sv:
	BIN_SV(OP_MIN)

// func gtAVX(dst, x, y *float32, n, mode int)
TEXT ·gtAVX(SB), NOSPLIT, $0-40
	BIN_MODE
	BIN_VV(OP_GT)
vs:
	BIN_VS(OP_GT)
sv:
	BIN_SV(OP_GT)

// LEAKY: factor = x > 0 (0x1e GT_OQ, false for NaN) ? 1 : slope, then
// D = V·factor with V as the first operand, as in the Go loop.
#define LEAKY(V, X, D, ZERO, ONE, SLOPE) \
	VCMPPS    $0x1e, ZERO, X, X; \
	VBLENDVPS X, ONE, SLOPE, X; \
	VMULPS    X, V, D

// func leakyAVX(dst, v, x *float32, n int, slope float32)
TEXT ·leakyAVX(SB), NOSPLIT, $0-36
	MOVQ         dst+0(FP), DI
	MOVQ         v+8(FP), SI
	MOVQ         x+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS slope+32(FP), Y15
	VBROADCASTSS one32<>(SB), Y14
	VXORPS       Y13, Y13, Y13

leaky32:
	CMPQ    CX, $32
	JLT     leaky8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS (DX), Y4
	VMOVUPS 32(DX), Y5
	VMOVUPS 64(DX), Y6
	VMOVUPS 96(DX), Y7
	LEAKY(Y0, Y4, Y0, Y13, Y14, Y15)
	LEAKY(Y1, Y5, Y1, Y13, Y14, Y15)
	LEAKY(Y2, Y6, Y2, Y13, Y14, Y15)
	LEAKY(Y3, Y7, Y3, Y13, Y14, Y15)
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADVANCE3(32)
	JMP     leaky32

leaky8:
	CMPQ    CX, $8
	JLT     leaky1
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y4
	LEAKY(Y0, Y4, Y0, Y13, Y14, Y15)
	VMOVUPS Y0, (DI)
	ADVANCE3(8)
	JMP     leaky8

leaky1:
	TESTQ  CX, CX
	JZ     leakydone
	VMOVSS (SI), X0
	VMOVSS (DX), X4
	LEAKY(X0, X4, X0, X13, X14, X15)
	VMOVSS X0, (DI)
	ADVANCE3(1)
	JMP    leaky1

leakydone:
	VZEROUPPER
	RET

// MUL64(Z, LO, HI, T, U): Z = Z·K mod 2⁶⁴ in each 64-bit lane, K's 32-bit
// halves broadcast in LO and HI: lo·Klo + ((hi·Klo + lo·Khi) << 32).
#define MUL64(Z, LO, HI, T, U) \
	VPSRLQ   $32, Z, T; \
	VPMULUDQ LO, T, T; \
	VPMULUDQ HI, Z, U; \
	VPADDQ   U, T, T; \
	VPSLLQ   $32, T, T; \
	VPMULUDQ LO, Z, Z; \
	VPADDQ   T, Z, Z

// XORSHR(Z, k, T): Z ^= Z >> k.
#define XORSHR(Z, k, T) \
	VPSRLQ $k, Z, T; \
	VPXOR  T, Z, Z

// func dropoutAVX2(dst, x *float32, n int, ctr uint64, thresh uint32, k0, k1 float32)
//
// Fills n floats (n a multiple of 8) of the dropout mask, or with x
// non-nil of x times it: pair p of the chunk draws u = splitmix64(ctr +
// p·golden) and its two factors are k1 where the low / high 32-bit half
// of u is ≥ thresh, k0 elsewhere; dst = factor · x, the factor first as in
// the Go loop. The halves of four 64-bit lanes are the eight float lanes
// in memory order. The unsigned compare is a signed one on sign-flipped
// values.
TEXT ·dropoutAVX2(SB), NOSPLIT, $0-44
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VPBROADCASTQ ctr+24(FP), Y0
	VPADDQ       goldenSteps<>(SB), Y0, Y0 // the first z += golden of each lane
	VPBROADCASTQ golden4<>(SB), Y1
	VPBROADCASTQ mixK1lo<>(SB), Y2
	VPBROADCASTQ mixK1hi<>(SB), Y3
	VPBROADCASTQ mixK2lo<>(SB), Y4
	VPBROADCASTQ mixK2hi<>(SB), Y5
	VPBROADCASTD signbit32<>(SB), Y6
	MOVL         thresh+32(FP), AX
	VMOVD        AX, X7
	VPBROADCASTD X7, Y7
	VPXOR        Y6, Y7, Y7
	VBROADCASTSS k0+36(FP), Y8
	VBROADCASTSS k1+40(FP), Y9

mask8:
	CMPQ      CX, $8
	JLT       maskdone
	VMOVDQU   Y0, Y10
	VPADDQ    Y1, Y0, Y0
	XORSHR(Y10, 30, Y11)
	MUL64(Y10, Y2, Y3, Y11, Y12)
	XORSHR(Y10, 27, Y11)
	MUL64(Y10, Y4, Y5, Y11, Y12)
	XORSHR(Y10, 31, Y11)
	VPXOR     Y6, Y10, Y10
	VPCMPGTD  Y10, Y7, Y10            // thresh > half: the element is dropped
	VBLENDVPS Y10, Y8, Y9, Y10
	TESTQ     SI, SI
	JZ        maskstore
	VMULPS    (SI), Y10, Y10
	ADDQ      $32, SI

maskstore:
	VMOVUPS Y10, (DI)
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     mask8

maskdone:
	VZEROUPPER
	RET
