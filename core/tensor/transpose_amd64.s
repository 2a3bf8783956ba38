//go:build !noasm

#include "textflag.h"

// func transpose16AVX512(srcs *[16]unsafe.Pointer, blocks int, dst *float32, ld int)
//
// Transposes 16 rows of 16·blocks floats (row i at srcs[i]) into 16·blocks
// rows of 16 floats (row j at dst + j·ld floats): a 16×16 block at a time,
// rows loaded into Z0–Z15 and transposed in four rounds of shuffles (pairs
// of floats, then of pairs, then of 128-bit lanes twice) through Z16–Z31.
TEXT ·transpose16AVX512(SB), NOSPLIT, $0-32
	MOVQ srcs+0(FP), AX
	MOVQ blocks+8(FP), BX
	MOVQ dst+16(FP), DX
	MOVQ ld+24(FP), R8
	SHLQ $2, R8                // row stride of dst in bytes
	XORQ CX, CX                // byte offset of the block in each source row

tblock:
	MOVQ    0(AX), SI
	VMOVUPS (SI)(CX*1), Z0
	MOVQ    8(AX), SI
	VMOVUPS (SI)(CX*1), Z1
	MOVQ    16(AX), SI
	VMOVUPS (SI)(CX*1), Z2
	MOVQ    24(AX), SI
	VMOVUPS (SI)(CX*1), Z3
	MOVQ    32(AX), SI
	VMOVUPS (SI)(CX*1), Z4
	MOVQ    40(AX), SI
	VMOVUPS (SI)(CX*1), Z5
	MOVQ    48(AX), SI
	VMOVUPS (SI)(CX*1), Z6
	MOVQ    56(AX), SI
	VMOVUPS (SI)(CX*1), Z7
	MOVQ    64(AX), SI
	VMOVUPS (SI)(CX*1), Z8
	MOVQ    72(AX), SI
	VMOVUPS (SI)(CX*1), Z9
	MOVQ    80(AX), SI
	VMOVUPS (SI)(CX*1), Z10
	MOVQ    88(AX), SI
	VMOVUPS (SI)(CX*1), Z11
	MOVQ    96(AX), SI
	VMOVUPS (SI)(CX*1), Z12
	MOVQ    104(AX), SI
	VMOVUPS (SI)(CX*1), Z13
	MOVQ    112(AX), SI
	VMOVUPS (SI)(CX*1), Z14
	MOVQ    120(AX), SI
	VMOVUPS (SI)(CX*1), Z15

	// Round 1: interleave the floats of row pairs.
	VUNPCKLPS Z1, Z0, Z16
	VUNPCKHPS Z1, Z0, Z17
	VUNPCKLPS Z3, Z2, Z18
	VUNPCKHPS Z3, Z2, Z19
	VUNPCKLPS Z5, Z4, Z20
	VUNPCKHPS Z5, Z4, Z21
	VUNPCKLPS Z7, Z6, Z22
	VUNPCKHPS Z7, Z6, Z23
	VUNPCKLPS Z9, Z8, Z24
	VUNPCKHPS Z9, Z8, Z25
	VUNPCKLPS Z11, Z10, Z26
	VUNPCKHPS Z11, Z10, Z27
	VUNPCKLPS Z13, Z12, Z28
	VUNPCKHPS Z13, Z12, Z29
	VUNPCKLPS Z15, Z14, Z30
	VUNPCKHPS Z15, Z14, Z31

	// Round 2: pairs of floats; each 128-bit lane now holds a 4×4 block.
	VSHUFPS $0x44, Z18, Z16, Z0
	VSHUFPS $0xee, Z18, Z16, Z1
	VSHUFPS $0x44, Z19, Z17, Z2
	VSHUFPS $0xee, Z19, Z17, Z3
	VSHUFPS $0x44, Z22, Z20, Z4
	VSHUFPS $0xee, Z22, Z20, Z5
	VSHUFPS $0x44, Z23, Z21, Z6
	VSHUFPS $0xee, Z23, Z21, Z7
	VSHUFPS $0x44, Z26, Z24, Z8
	VSHUFPS $0xee, Z26, Z24, Z9
	VSHUFPS $0x44, Z27, Z25, Z10
	VSHUFPS $0xee, Z27, Z25, Z11
	VSHUFPS $0x44, Z30, Z28, Z12
	VSHUFPS $0xee, Z30, Z28, Z13
	VSHUFPS $0x44, Z31, Z29, Z14
	VSHUFPS $0xee, Z31, Z29, Z15

	// Round 3: 128-bit lanes of rows 4 apart.
	VSHUFF32X4 $0x88, Z4, Z0, Z16
	VSHUFF32X4 $0x88, Z5, Z1, Z17
	VSHUFF32X4 $0x88, Z6, Z2, Z18
	VSHUFF32X4 $0x88, Z7, Z3, Z19
	VSHUFF32X4 $0xdd, Z4, Z0, Z20
	VSHUFF32X4 $0xdd, Z5, Z1, Z21
	VSHUFF32X4 $0xdd, Z6, Z2, Z22
	VSHUFF32X4 $0xdd, Z7, Z3, Z23
	VSHUFF32X4 $0x88, Z12, Z8, Z24
	VSHUFF32X4 $0x88, Z13, Z9, Z25
	VSHUFF32X4 $0x88, Z14, Z10, Z26
	VSHUFF32X4 $0x88, Z15, Z11, Z27
	VSHUFF32X4 $0xdd, Z12, Z8, Z28
	VSHUFF32X4 $0xdd, Z13, Z9, Z29
	VSHUFF32X4 $0xdd, Z14, Z10, Z30
	VSHUFF32X4 $0xdd, Z15, Z11, Z31

	// Round 4: 128-bit lanes of rows 8 apart: Zj is column j.
	VSHUFF32X4 $0x88, Z24, Z16, Z0
	VSHUFF32X4 $0x88, Z25, Z17, Z1
	VSHUFF32X4 $0x88, Z26, Z18, Z2
	VSHUFF32X4 $0x88, Z27, Z19, Z3
	VSHUFF32X4 $0x88, Z28, Z20, Z4
	VSHUFF32X4 $0x88, Z29, Z21, Z5
	VSHUFF32X4 $0x88, Z30, Z22, Z6
	VSHUFF32X4 $0x88, Z31, Z23, Z7
	VSHUFF32X4 $0xdd, Z24, Z16, Z8
	VSHUFF32X4 $0xdd, Z25, Z17, Z9
	VSHUFF32X4 $0xdd, Z26, Z18, Z10
	VSHUFF32X4 $0xdd, Z27, Z19, Z11
	VSHUFF32X4 $0xdd, Z28, Z20, Z12
	VSHUFF32X4 $0xdd, Z29, Z21, Z13
	VSHUFF32X4 $0xdd, Z30, Z22, Z14
	VSHUFF32X4 $0xdd, Z31, Z23, Z15

	MOVQ    DX, DI
	VMOVUPS Z0, (DI)
	ADDQ    R8, DI
	VMOVUPS Z1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z2, (DI)
	ADDQ    R8, DI
	VMOVUPS Z3, (DI)
	ADDQ    R8, DI
	VMOVUPS Z4, (DI)
	ADDQ    R8, DI
	VMOVUPS Z5, (DI)
	ADDQ    R8, DI
	VMOVUPS Z6, (DI)
	ADDQ    R8, DI
	VMOVUPS Z7, (DI)
	ADDQ    R8, DI
	VMOVUPS Z8, (DI)
	ADDQ    R8, DI
	VMOVUPS Z9, (DI)
	ADDQ    R8, DI
	VMOVUPS Z10, (DI)
	ADDQ    R8, DI
	VMOVUPS Z11, (DI)
	ADDQ    R8, DI
	VMOVUPS Z12, (DI)
	ADDQ    R8, DI
	VMOVUPS Z13, (DI)
	ADDQ    R8, DI
	VMOVUPS Z14, (DI)
	ADDQ    R8, DI
	VMOVUPS Z15, (DI)
	ADDQ    R8, DI
	MOVQ    DI, DX             // the next block's first row

	ADDQ $64, CX
	DECQ BX
	JNZ  tblock
	VZEROUPPER
	RET
