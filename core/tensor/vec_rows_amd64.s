//go:build !noasm

#include "textflag.h"

// AVX kernels for the per-channel loops of batch normalisation (contracts
// in vec_amd64.go): rows × c values with row vectors of c. Like the 1-D
// kernels they do the Go loops' IEEE operations in the Go loops' order and
// touch only rows·c elements: 8 (or 4 float64) at a time, then one by one
// with scalar instructions.

// func affineAVX(dst, x, a, b *float32, rows, c int)
//
// Row by row, dst[j] = x[j]·a[j] + b[j] as a separate multiply and add.
// BX is the byte offset within the current row.
TEXT ·affineAVX(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ a+16(FP), AX
	MOVQ b+24(FP), R10
	MOVQ rows+32(FP), R8
	MOVQ c+40(FP), R9

affrow:
	TESTQ R8, R8
	JZ    affdone
	XORQ  BX, BX
	MOVQ  R9, CX

aff8:
	CMPQ    CX, $8
	JLT     aff1
	VMOVUPS (SI)(BX*1), Y0
	VMULPS  (AX)(BX*1), Y0, Y0
	VADDPS  (R10)(BX*1), Y0, Y0
	VMOVUPS Y0, (DI)(BX*1)
	ADDQ    $32, BX
	SUBQ    $8, CX
	JMP     aff8

aff1:
	TESTQ  CX, CX
	JZ     affnext
	VMOVSS (SI)(BX*1), X0
	VMULSS (AX)(BX*1), X0, X0
	VADDSS (R10)(BX*1), X0, X0
	VMOVSS X0, (DI)(BX*1)
	ADDQ   $4, BX
	DECQ   CX
	JMP    aff1

affnext:
	ADDQ BX, SI
	ADDQ BX, DI
	DECQ R8
	JMP  affrow

affdone:
	VZEROUPPER
	RET

// BNGRAD: D = scale·((g − gm) − (x − mu)·xm), the Go expression's order,
// with the row vectors at (AX scale, R10 gm, R11 mu, R12 xm)+BX. LD, SUB
// and MUL are the packed or the scalar forms, so the tail reads one float.
#define BNGRAD(LD, SUB, MUL, G, X, D) \
	LD  (SI)(BX*1), G; \
	SUB (R10)(BX*1), G, G; \
	LD  (DX)(BX*1), X; \
	SUB (R11)(BX*1), X, X; \
	MUL (R12)(BX*1), X, X; \
	SUB X, G, G; \
	MUL (AX)(BX*1), G, D

// func bnGradAVX(dst, gy, x, scale, gm, mu, xm *float32, rows, c int)
TEXT ·bnGradAVX(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ gy+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ scale+24(FP), AX
	MOVQ gm+32(FP), R10
	MOVQ mu+40(FP), R11
	MOVQ xm+48(FP), R12
	MOVQ rows+56(FP), R8
	MOVQ c+64(FP), R9

bngrow:
	TESTQ R8, R8
	JZ    bngdone
	XORQ  BX, BX
	MOVQ  R9, CX

bng8:
	CMPQ    CX, $8
	JLT     bng1
	BNGRAD(VMOVUPS, VSUBPS, VMULPS, Y0, Y1, Y0)
	VMOVUPS Y0, (DI)(BX*1)
	ADDQ    $32, BX
	SUBQ    $8, CX
	JMP     bng8

bng1:
	TESTQ  CX, CX
	JZ     bngnext
	BNGRAD(VMOVSS, VSUBSS, VMULSS, X0, X1, X0)
	VMOVSS X0, (DI)(BX*1)
	ADDQ   $4, BX
	DECQ   CX
	JMP    bng1

bngnext:
	ADDQ BX, SI
	ADDQ BX, DX
	ADDQ BX, DI
	DECQ R8
	JMP  bngrow

bngdone:
	VZEROUPPER
	RET

// The float64 accumulation below widens gy and x exactly (VCVTPS2PD) and
// keeps the Go loop's per-channel order of additions, so the sums are
// bit-identical. BX is the float32 byte offset within a row, AX the
// float64 one.

// BNSUMS: with gv = float64(g): sg = sg + gv (sg first, as Go orders it),
// sgx = gv·(float64(x) − mean) + sgx.
#define BNSUMS(G, S, XD) \
	VCVTPS2PD (SI)(BX*1), G; \
	VMOVUPD   (DI)(AX*1), S; \
	VADDPD    G, S, S; \
	VMOVUPD   S, (DI)(AX*1); \
	VCVTPS2PD (DX)(BX*1), XD; \
	VSUBPD    (R12)(AX*1), XD, XD; \
	VMULPD    XD, G, XD; \
	VADDPD    (R11)(AX*1), XD, XD; \
	VMOVUPD   XD, (R11)(AX*1)

// func bnSumsAVX(sg, sgx, mean *float64, gy, x *float32, rows, c int)
TEXT ·bnSumsAVX(SB), NOSPLIT, $0-56
	MOVQ sg+0(FP), DI
	MOVQ sgx+8(FP), R11
	MOVQ mean+16(FP), R12
	MOVQ gy+24(FP), SI
	MOVQ x+32(FP), DX
	MOVQ rows+40(FP), R8
	MOVQ c+48(FP), R9

bnsrow:
	TESTQ R8, R8
	JZ    bnsdone
	XORQ  BX, BX
	XORQ  AX, AX
	MOVQ  R9, CX

bns4:
	CMPQ   CX, $4
	JLT    bns1
	BNSUMS(Y0, Y1, Y2)
	ADDQ   $16, BX
	ADDQ   $32, AX
	SUBQ   $4, CX
	JMP    bns4

bns1:
	TESTQ  CX, CX
	JZ     bnsnext
	VCVTSS2SD (SI)(BX*1), X0, X0 // BNSUMS on one channel
	VMOVSD    (DI)(AX*1), X1
	VADDSD    X0, X1, X1
	VMOVSD    X1, (DI)(AX*1)
	VCVTSS2SD (DX)(BX*1), X2, X2
	VSUBSD    (R12)(AX*1), X2, X2
	VMULSD    X2, X0, X2
	VADDSD    (R11)(AX*1), X2, X2
	VMOVSD    X2, (R11)(AX*1)
	ADDQ   $4, BX
	ADDQ   $8, AX
	DECQ   CX
	JMP    bns1

bnsnext:
	ADDQ BX, SI
	ADDQ BX, DX
	DECQ R8
	JMP  bnsrow

bnsdone:
	VZEROUPPER
	RET

DATA rowsOne32<>+0(SB)/4, $0x3f800000
GLOBL rowsOne32<>(SB), RODATA|NOPTR, $4

// BIASLEAKY: Y = Y + bias, then, when DX ≠ 0, Y = Y·(Y > 0 ? 1 : slope)
// (0x1e GT_OQ, false for NaN), the Go loops of addBias and leakyRange in
// their order. LD, ADD, CMP, MUL are the packed or scalar forms; T is a
// scratch register.
#define BIASLEAKY(LD, ADD, CMP, MUL, ST, Y, T, ONE, SLOPE, ZERO, SKIP) \
	LD        (DI)(BX*1), Y; \
	ADD       (R10)(BX*1), Y, Y; \
	TESTQ     DX, DX; \
	JZ        SKIP; \
	CMP       $0x1e, ZERO, Y, T; \
	VBLENDVPS T, ONE, SLOPE, T; \
	MUL       T, Y, Y; \
SKIP: \
	ST        Y, (DI)(BX*1)

// func biasLeakyAVX(y, b *float32, rows, c int, slope float32, rectify int)
//
// Row by row, y[j] += b[j], then the rectifier when rectify ≠ 0.
TEXT ·biasLeakyAVX(SB), NOSPLIT, $0-48
	MOVQ         y+0(FP), DI
	MOVQ         b+8(FP), R10
	MOVQ         rows+16(FP), R8
	MOVQ         c+24(FP), R9
	VBROADCASTSS slope+32(FP), Y15
	MOVQ         rectify+40(FP), DX
	VBROADCASTSS rowsOne32<>(SB), Y14
	VXORPS       Y13, Y13, Y13

blrow:
	TESTQ R8, R8
	JZ    bldone
	XORQ  BX, BX
	MOVQ  R9, CX

bl8:
	CMPQ CX, $8
	JLT  bl1
	BIASLEAKY(VMOVUPS, VADDPS, VCMPPS, VMULPS, VMOVUPS, Y0, Y1, Y14, Y15, Y13, bl8st)
	ADDQ $32, BX
	SUBQ $8, CX
	JMP  bl8

bl1:
	TESTQ CX, CX
	JZ    blnext
	BIASLEAKY(VMOVSS, VADDSS, VCMPSS, VMULSS, VMOVSS, X0, X1, X14, X15, X13, bl1st)
	ADDQ  $4, BX
	DECQ  CX
	JMP   bl1

blnext:
	ADDQ BX, DI
	DECQ R8
	JMP  blrow

bldone:
	VZEROUPPER
	RET

// func colSumsAVX(dst, x *float32, n, sx, rows int)
//
// colSums: dst[i] += (a[i] + b[i]) + (c[i] + e[i]) for each group of four
// rows a, b, c, e (sx elements apart), then dst[i] += a[i] for the rows
// left, with the operand order the compiler gives the Go loop (the sum of
// four first, then dst; dst first for a single row), which decides which
// NaN payload survives. R11 = sx·4 bytes between rows.
TEXT ·colSumsAVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), R9
	MOVQ sx+24(FP), R11
	SHLQ $2, R11
	MOVQ rows+32(FP), R8
	LEAQ (R11)(R11*2), R12 // 3 rows

cs4row:
	CMPQ R8, $4
	JLT  cs1row
	XORQ BX, BX
	MOVQ R9, CX
	LEAQ (SI)(R11*1), DX   // row b
	LEAQ (SI)(R11*2), R10  // row c
	LEAQ (SI)(R12*1), R13  // row e

cs4x8:
	CMPQ    CX, $8
	JLT     cs4x1
	VMOVUPS (SI)(BX*1), Y0
	VADDPS  (DX)(BX*1), Y0, Y0
	VMOVUPS (R10)(BX*1), Y1
	VADDPS  (R13)(BX*1), Y1, Y1
	VADDPS  Y1, Y0, Y0
	VADDPS  (DI)(BX*1), Y0, Y0
	VMOVUPS Y0, (DI)(BX*1)
	ADDQ    $32, BX
	SUBQ    $8, CX
	JMP     cs4x8

cs4x1:
	TESTQ  CX, CX
	JZ     cs4next
	VMOVSS (SI)(BX*1), X0
	VADDSS (DX)(BX*1), X0, X0
	VMOVSS (R10)(BX*1), X1
	VADDSS (R13)(BX*1), X1, X1
	VADDSS X1, X0, X0
	VADDSS (DI)(BX*1), X0, X0
	VMOVSS X0, (DI)(BX*1)
	ADDQ   $4, BX
	DECQ   CX
	JMP    cs4x1

cs4next:
	LEAQ (SI)(R11*4), SI
	SUBQ $4, R8
	JMP  cs4row

cs1row:
	TESTQ R8, R8
	JZ    csdone
	XORQ  BX, BX
	MOVQ  R9, CX

cs1x8:
	CMPQ    CX, $8
	JLT     cs1x1
	VMOVUPS (DI)(BX*1), Y2
	VADDPS  (SI)(BX*1), Y2, Y2
	VMOVUPS Y2, (DI)(BX*1)
	ADDQ    $32, BX
	SUBQ    $8, CX
	JMP     cs1x8

cs1x1:
	TESTQ  CX, CX
	JZ     cs1next
	VMOVSS (DI)(BX*1), X2
	VADDSS (SI)(BX*1), X2, X2
	VMOVSS X2, (DI)(BX*1)
	ADDQ   $4, BX
	DECQ   CX
	JMP    cs1x1

cs1next:
	ADDQ R11, SI
	DECQ R8
	JMP  cs1row

csdone:
	VZEROUPPER
	RET
