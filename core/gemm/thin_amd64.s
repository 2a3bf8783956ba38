//go:build !noasm

#include "textflag.h"

// AVX2/FMA float32 level-1 routines for the thin paths (thin.go). All use
// AX as a byte offset shared by every operand. Each output element is
// computed with the same FMA sequence whether it falls in the vector body
// or the scalar tail, so thread shares never change a result.

// Sum the eight lanes of ya+yb into the low lane of xa (xb is scratch), in
// a fixed order: 8 → 4 → 2 → 1 lanes.
#define HSUM(ya, yb, xa, xb) \
	VADDPS       yb, ya, ya; \
	VEXTRACTF128 $1, ya, xb; \
	VADDPS       xb, xa, xa; \
	VMOVHLPS     xa, xa, xb; \
	VADDPS       xb, xa, xa; \
	VMOVSHDUP    xa, xb; \
	VADDSS       xb, xa, xa

// func sdotAVX2(n int, x, y *float32) float32
//
// Two accumulators over 16 elements per step, one more 8-element step,
// the horizontal sum, then a scalar FMA per remaining element. sdot4AVX2
// repeats exactly this sequence for each of its rows.
TEXT ·sdotAVX2(SB), NOSPLIT, $0-28
	MOVQ   n+0(FP), CX
	MOVQ   x+8(FP), SI
	MOVQ   y+16(FP), DI
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ   CX, BX
	SHRQ   $4, BX
	JZ     dot8

dot16:
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     32(SI)(AX*1), Y9
	VFMADD231PS (DI)(AX*1), Y8, Y0
	VFMADD231PS 32(DI)(AX*1), Y9, Y1
	ADDQ        $64, AX
	DECQ        BX
	JNZ         dot16

dot8:
	TESTQ       $8, CX
	JZ          dotsum
	VMOVUPS     (SI)(AX*1), Y8
	VFMADD231PS (DI)(AX*1), Y8, Y0
	ADDQ        $32, AX

dotsum:
	HSUM(Y0, Y1, X0, X1)
	ANDQ $7, CX
	JZ   dotdone

dot1:
	VMOVSS      (SI)(AX*1), X8
	VFMADD231SS (DI)(AX*1), X8, X0
	ADDQ        $4, AX
	DECQ        CX
	JNZ         dot1

dotdone:
	VMOVSS     X0, ret+24(FP)
	VZEROUPPER
	RET

// func sdot4AVX2(n int, a *float32, lda int, x *float32) (d0, d1, d2, d3 float32)
//
// Four rows of a (row stride lda elements) dotted with x; x is loaded once
// for all four. Row r accumulates in Y(2r), Y(2r+1).
TEXT ·sdot4AVX2(SB), NOSPLIT, $0-48
	MOVQ   n+0(FP), CX
	MOVQ   a+8(FP), SI
	MOVQ   lda+16(FP), R8
	SHLQ   $2, R8
	MOVQ   x+24(FP), DI
	LEAQ   (SI)(R8*1), R10
	LEAQ   (R10)(R8*1), R11
	LEAQ   (R11)(R8*1), R12
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ   CX, BX
	SHRQ   $4, BX
	JZ     d4_8

d4_16:
	VMOVUPS     (DI)(AX*1), Y8
	VMOVUPS     32(DI)(AX*1), Y9
	VFMADD231PS (SI)(AX*1), Y8, Y0
	VFMADD231PS 32(SI)(AX*1), Y9, Y1
	VFMADD231PS (R10)(AX*1), Y8, Y2
	VFMADD231PS 32(R10)(AX*1), Y9, Y3
	VFMADD231PS (R11)(AX*1), Y8, Y4
	VFMADD231PS 32(R11)(AX*1), Y9, Y5
	VFMADD231PS (R12)(AX*1), Y8, Y6
	VFMADD231PS 32(R12)(AX*1), Y9, Y7
	ADDQ        $64, AX
	DECQ        BX
	JNZ         d4_16

d4_8:
	TESTQ       $8, CX
	JZ          d4_sum
	VMOVUPS     (DI)(AX*1), Y8
	VFMADD231PS (SI)(AX*1), Y8, Y0
	VFMADD231PS (R10)(AX*1), Y8, Y2
	VFMADD231PS (R11)(AX*1), Y8, Y4
	VFMADD231PS (R12)(AX*1), Y8, Y6
	ADDQ        $32, AX

d4_sum:
	HSUM(Y0, Y1, X0, X1)
	HSUM(Y2, Y3, X2, X3)
	HSUM(Y4, Y5, X4, X5)
	HSUM(Y6, Y7, X6, X7)
	ANDQ $7, CX
	JZ   d4_done

d4_1:
	VMOVSS      (DI)(AX*1), X8
	VFMADD231SS (SI)(AX*1), X8, X0
	VFMADD231SS (R10)(AX*1), X8, X2
	VFMADD231SS (R11)(AX*1), X8, X4
	VFMADD231SS (R12)(AX*1), X8, X6
	ADDQ        $4, AX
	DECQ        CX
	JNZ         d4_1

d4_done:
	VMOVSS     X0, d0+32(FP)
	VMOVSS     X2, d1+36(FP)
	VMOVSS     X4, d2+40(FP)
	VMOVSS     X6, d3+44(FP)
	VZEROUPPER
	RET

// Add s0*m0 + s1*m1 + s2*m2 + s3*m3 (Y12..Y15 hold s0..s3 broadcast) to
// the y vector in reg at byte offset off, as four chained FMAs.
#define AXPY4(off, reg) \
	VFMADD231PS off(SI)(AX*1), Y12, reg; \
	VFMADD231PS off(R10)(AX*1), Y13, reg; \
	VFMADD231PS off(R11)(AX*1), Y14, reg; \
	VFMADD231PS off(R12)(AX*1), Y15, reg

// func saxpy4AVX2(n int, m *float32, ld int, s0, s1, s2, s3 float32, y *float32)
//
// y[j] = fma(s3, m3[j], fma(s2, m2[j], fma(s1, m1[j], fma(s0, m0[j], y[j]))))
// where mr is row r of m (row stride ld elements): exactly four saxpby
// calls with beta = 1, with one load and store of y instead of four.
TEXT ·saxpy4AVX2(SB), NOSPLIT, $0-48
	MOVQ         n+0(FP), CX
	MOVQ         m+8(FP), SI
	MOVQ         ld+16(FP), R8
	SHLQ         $2, R8
	LEAQ         (SI)(R8*1), R10
	LEAQ         (R10)(R8*1), R11
	LEAQ         (R11)(R8*1), R12
	VBROADCASTSS s0+24(FP), Y12
	VBROADCASTSS s1+28(FP), Y13
	VBROADCASTSS s2+32(FP), Y14
	VBROADCASTSS s3+36(FP), Y15
	MOVQ         y+40(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	SHRQ         $5, BX
	JZ           a4_8

a4_32:
	VMOVUPS (DI)(AX*1), Y0
	VMOVUPS 32(DI)(AX*1), Y1
	VMOVUPS 64(DI)(AX*1), Y2
	VMOVUPS 96(DI)(AX*1), Y3
	AXPY4(0, Y0)
	AXPY4(32, Y1)
	AXPY4(64, Y2)
	AXPY4(96, Y3)
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y1, 32(DI)(AX*1)
	VMOVUPS Y2, 64(DI)(AX*1)
	VMOVUPS Y3, 96(DI)(AX*1)
	ADDQ    $128, AX
	DECQ    BX
	JNZ     a4_32

a4_8:
	MOVQ CX, BX
	ANDQ $31, BX
	SHRQ $3, BX
	JZ   a4_tail

a4_8loop:
	VMOVUPS (DI)(AX*1), Y0
	AXPY4(0, Y0)
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    BX
	JNZ     a4_8loop

a4_tail:
	ANDQ $7, CX
	JZ   a4_done

a4_1:
	VMOVSS      (DI)(AX*1), X0
	VFMADD231SS (SI)(AX*1), X12, X0
	VFMADD231SS (R10)(AX*1), X13, X0
	VFMADD231SS (R11)(AX*1), X14, X0
	VFMADD231SS (R12)(AX*1), X15, X0
	VMOVSS      X0, (DI)(AX*1)
	ADDQ        $4, AX
	DECQ        CX
	JNZ         a4_1

a4_done:
	VZEROUPPER
	RET

// func sscalAVX2(n int, s float32, x, y *float32)
//
// y = s*x; y is only written (the beta == 0 case of saxpby).
TEXT ·sscalAVX2(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	VBROADCASTSS s+8(FP), Y12
	MOVQ         x+16(FP), SI
	MOVQ         y+24(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	SHRQ         $5, BX
	JZ           sc_8

sc_32:
	VMULPS  (SI)(AX*1), Y12, Y0
	VMULPS  32(SI)(AX*1), Y12, Y1
	VMULPS  64(SI)(AX*1), Y12, Y2
	VMULPS  96(SI)(AX*1), Y12, Y3
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y1, 32(DI)(AX*1)
	VMOVUPS Y2, 64(DI)(AX*1)
	VMOVUPS Y3, 96(DI)(AX*1)
	ADDQ    $128, AX
	DECQ    BX
	JNZ     sc_32

sc_8:
	MOVQ CX, BX
	ANDQ $31, BX
	SHRQ $3, BX
	JZ   sc_tail

sc_8loop:
	VMULPS  (SI)(AX*1), Y12, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    BX
	JNZ     sc_8loop

sc_tail:
	ANDQ $7, CX
	JZ   sc_done

sc_1:
	VMULSS (SI)(AX*1), X12, X0
	VMOVSS X0, (DI)(AX*1)
	ADDQ   $4, AX
	DECQ   CX
	JNZ    sc_1

sc_done:
	VZEROUPPER
	RET

// func saxpbyAVX2(n int, s float32, x *float32, beta float32, y *float32)
//
// y = fma(s, x, beta*y). With beta == 1 the product beta*y is exact, so
// this is also the plain axpy y += s*x.
TEXT ·saxpbyAVX2(SB), NOSPLIT, $0-40
	MOVQ         n+0(FP), CX
	VBROADCASTSS s+8(FP), Y12
	MOVQ         x+16(FP), SI
	VBROADCASTSS beta+24(FP), Y13
	MOVQ         y+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	SHRQ         $5, BX
	JZ           ab_8

ab_32:
	VMULPS      (DI)(AX*1), Y13, Y0
	VMULPS      32(DI)(AX*1), Y13, Y1
	VMULPS      64(DI)(AX*1), Y13, Y2
	VMULPS      96(DI)(AX*1), Y13, Y3
	VFMADD231PS (SI)(AX*1), Y12, Y0
	VFMADD231PS 32(SI)(AX*1), Y12, Y1
	VFMADD231PS 64(SI)(AX*1), Y12, Y2
	VFMADD231PS 96(SI)(AX*1), Y12, Y3
	VMOVUPS     Y0, (DI)(AX*1)
	VMOVUPS     Y1, 32(DI)(AX*1)
	VMOVUPS     Y2, 64(DI)(AX*1)
	VMOVUPS     Y3, 96(DI)(AX*1)
	ADDQ        $128, AX
	DECQ        BX
	JNZ         ab_32

ab_8:
	MOVQ CX, BX
	ANDQ $31, BX
	SHRQ $3, BX
	JZ   ab_tail

ab_8loop:
	VMULPS      (DI)(AX*1), Y13, Y0
	VFMADD231PS (SI)(AX*1), Y12, Y0
	VMOVUPS     Y0, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        BX
	JNZ         ab_8loop

ab_tail:
	ANDQ $7, CX
	JZ   ab_done

ab_1:
	VMULSS      (DI)(AX*1), X13, X0
	VFMADD231SS (SI)(AX*1), X12, X0
	VMOVSS      X0, (DI)(AX*1)
	ADDQ        $4, AX
	DECQ        CX
	JNZ         ab_1

ab_done:
	VZEROUPPER
	RET
