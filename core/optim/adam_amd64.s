//go:build !noasm

#include "textflag.h"

// func adamAVX(p, grad, m, v *float32, n int, alpha, c1, c2, eps float32)
//
// adamRange without amsgrad or gradient preparation, 8 parameters at a
// time, then one by one: the Go loop's IEEE operations in its order,
//
//	m += (g - m)·c1
//	v += (g·g - v)·c2
//	p -= m·alpha / (√v + eps)
//
// with c1 = 1-β1, c2 = 1-β2, and the correctly rounded √ of VSQRTPS (the
// Go loop's float64 √ rounded to float32 is the same value).
TEXT ·adamAVX(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         n+32(FP), CX
	VBROADCASTSS alpha+40(FP), Y12
	VBROADCASTSS c1+44(FP), Y13
	VBROADCASTSS c2+48(FP), Y14
	VBROADCASTSS eps+52(FP), Y15

adam8:
	CMPQ    CX, $8
	JLT     adam1
	VMOVUPS (SI), Y0    // g
	VMOVUPS (DX), Y1    // m
	VSUBPS  Y1, Y0, Y2  // g - m
	VMULPS  Y13, Y2, Y2
	VADDPS  Y2, Y1, Y1  // m + (g-m)·c1
	VMOVUPS Y1, (DX)
	VMOVUPS (R8), Y3    // v
	VMULPS  Y0, Y0, Y4  // g·g
	VSUBPS  Y3, Y4, Y4
	VMULPS  Y14, Y4, Y4
	VADDPS  Y4, Y3, Y3  // v + (g²-v)·c2
	VMOVUPS Y3, (R8)
	VSQRTPS Y3, Y5
	VADDPS  Y15, Y5, Y5 // √v + eps
	VMULPS  Y12, Y1, Y6 // m·alpha
	VDIVPS  Y5, Y6, Y6
	VMOVUPS (DI), Y7
	VSUBPS  Y6, Y7, Y7
	VMOVUPS Y7, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     adam8

adam1:
	TESTQ   CX, CX
	JZ      adamdone
	VMOVSS  (SI), X0
	VMOVSS  (DX), X1
	VSUBSS  X1, X0, X2
	VMULSS  X13, X2, X2
	VADDSS  X2, X1, X1
	VMOVSS  X1, (DX)
	VMOVSS  (R8), X3
	VMULSS  X0, X0, X4
	VSUBSS  X3, X4, X4
	VMULSS  X14, X4, X4
	VADDSS  X4, X3, X3
	VMOVSS  X3, (R8)
	VSQRTSS X3, X3, X5
	VADDSS  X15, X5, X5
	VMULSS  X12, X1, X6
	VDIVSS  X5, X6, X6
	VMOVSS  (DI), X7
	VSUBSS  X6, X7, X7
	VMOVSS  X7, (DI)
	ADDQ    $4, DI
	ADDQ    $4, SI
	ADDQ    $4, DX
	ADDQ    $4, R8
	DECQ    CX
	JMP     adam1

adamdone:
	VZEROUPPER
	RET
