//go:build !noasm

#include "textflag.h"

// AVX column kernels for the blocked batch-norm statistics (contracts in
// vec_bn_amd64.go). Channels go in strips of 16, then 4, then 1; a strip's
// float64 accumulators stay in registers over all rows, so a row costs
// only the loads of the strip's floats. Each channel's values are added
// in row order with separate (unfused) operations, as in the Go loops,
// and with the operands in the compiled loops' order, so that even NaN
// payloads agree (NaN op NaN keeps the first source's). SI points at the
// strip's first column, BX is the byte offset of the current row, R10 the
// row stride in bytes.

// CSUM: ACC += float64(x[off]).
#define CSUM(off, ACC) \
	VCVTPS2PD off(SI)(BX*1), Y12; \
	VADDPD    ACC, Y12, ACC

// func colSumAVX(acc *float64, x *float32, rows, w, stride int)
TEXT ·colSumAVX(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ rows+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ stride+32(FP), R10
	SHLQ $2, R10

cs16:
	CMPQ    R9, $16
	JLT     cs4
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	XORQ    BX, BX
	MOVQ    R8, CX

cs16row:
	CSUM(0, Y0)
	CSUM(16, Y1)
	CSUM(32, Y2)
	CSUM(48, Y3)
	ADDQ    R10, BX
	DECQ    CX
	JNZ     cs16row
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $64, SI
	SUBQ    $16, R9
	JMP     cs16

cs4:
	CMPQ    R9, $4
	JLT     cs1
	VMOVUPD (DI), Y0
	XORQ    BX, BX
	MOVQ    R8, CX

cs4row:
	CSUM(0, Y0)
	ADDQ    R10, BX
	DECQ    CX
	JNZ     cs4row
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $16, SI
	SUBQ    $4, R9
	JMP     cs4

cs1:
	TESTQ  R9, R9
	JZ     csdone
	VMOVSD (DI), X0
	XORQ   BX, BX
	MOVQ   R8, CX

cs1row:
	VCVTSS2SD (SI)(BX*1), X12, X12
	VADDSD    X0, X12, X0
	ADDQ      R10, BX
	DECQ      CX
	JNZ       cs1row
	VMOVSD    X0, (DI)
	ADDQ      $8, DI
	ADDQ      $4, SI
	DECQ      R9
	JMP       cs1

csdone:
	VZEROUPPER
	RET

// CSQDEV: d = float64(x[off]) − MEAN; ACC += d·d.
#define CSQDEV(off, MEAN, ACC) \
	VCVTPS2PD off(SI)(BX*1), Y12; \
	VSUBPD    MEAN, Y12, Y12; \
	VMULPD    Y12, Y12, Y12; \
	VADDPD    ACC, Y12, ACC

// func colSqDevAVX(acc, mean *float64, x *float32, rows, w, stride int)
TEXT ·colSqDevAVX(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), DI
	MOVQ mean+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ rows+24(FP), R8
	MOVQ w+32(FP), R9
	MOVQ stride+40(FP), R10
	SHLQ $2, R10

sq16:
	CMPQ    R9, $16
	JLT     sq4
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	VMOVUPD (DX), Y8
	VMOVUPD 32(DX), Y9
	VMOVUPD 64(DX), Y10
	VMOVUPD 96(DX), Y11
	XORQ    BX, BX
	MOVQ    R8, CX

sq16row:
	CSQDEV(0, Y8, Y0)
	CSQDEV(16, Y9, Y1)
	CSQDEV(32, Y10, Y2)
	CSQDEV(48, Y11, Y3)
	ADDQ    R10, BX
	DECQ    CX
	JNZ     sq16row
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, DX
	ADDQ    $64, SI
	SUBQ    $16, R9
	JMP     sq16

sq4:
	CMPQ    R9, $4
	JLT     sq1
	VMOVUPD (DI), Y0
	VMOVUPD (DX), Y8
	XORQ    BX, BX
	MOVQ    R8, CX

sq4row:
	CSQDEV(0, Y8, Y0)
	ADDQ    R10, BX
	DECQ    CX
	JNZ     sq4row
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $16, SI
	SUBQ    $4, R9
	JMP     sq4

sq1:
	TESTQ  R9, R9
	JZ     sqdone
	VMOVSD (DI), X0
	VMOVSD (DX), X8
	XORQ   BX, BX
	MOVQ   R8, CX

sq1row:
	VCVTSS2SD (SI)(BX*1), X12, X12
	VSUBSD    X8, X12, X12
	VMULSD    X12, X12, X12
	VADDSD    X0, X12, X0
	ADDQ      R10, BX
	DECQ      CX
	JNZ       sq1row
	VMOVSD    X0, (DI)
	ADDQ      $8, DI
	ADDQ      $8, DX
	ADDQ      $4, SI
	DECQ      R9
	JMP       sq1

sqdone:
	VZEROUPPER
	RET
