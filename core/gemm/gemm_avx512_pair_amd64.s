//go:build !noasm

#include "textflag.h"
#include "gemm_avx512_amd64.h"

// The AVX-512 strip kernel on pairs of 6-row tiles: a 12×32 tile of C in
// Z8..Z31 (two ZMM per row), B's row of one k step in Z0/Z1, A's twelve
// values broadcast through Z2..Z7 in turn. Per k step it does 24 FMAs
// for 2 B loads and 3 pointer advances fewer than two 6×32 tiles do, and
// each B panel row loaded serves twice the rows. A's rows 0-5 are the
// first 6-row tile (SI, SI+R10, SI+2·R10, R11 = SI+3·R10, ...), rows
// 6-11 the next one, aTile bytes on (R12, R9 = R12+3·R10): packed panels
// and rows read in place alike. Every element of C is the same chain of
// FMAs over k as in sgemmKernel6x32AVX512, then ×alpha, then +beta·C, so
// the bits are those of the 6×32 tiles.

#define Z12KSTEP \
	VMOVUPS      (DI), Z0; \
	VMOVUPS      64(DI), Z1; \
	VBROADCASTSS (SI), Z2; \
	VFMADD231PS  Z0, Z2, Z8; \
	VFMADD231PS  Z1, Z2, Z9; \
	VBROADCASTSS (SI)(R10*1), Z3; \
	VFMADD231PS  Z0, Z3, Z10; \
	VFMADD231PS  Z1, Z3, Z11; \
	VBROADCASTSS (SI)(R10*2), Z4; \
	VFMADD231PS  Z0, Z4, Z12; \
	VFMADD231PS  Z1, Z4, Z13; \
	VBROADCASTSS (R11), Z5; \
	VFMADD231PS  Z0, Z5, Z14; \
	VFMADD231PS  Z1, Z5, Z15; \
	VBROADCASTSS (R11)(R10*1), Z6; \
	VFMADD231PS  Z0, Z6, Z16; \
	VFMADD231PS  Z1, Z6, Z17; \
	VBROADCASTSS (R11)(R10*2), Z7; \
	VFMADD231PS  Z0, Z7, Z18; \
	VFMADD231PS  Z1, Z7, Z19; \
	VBROADCASTSS (R12), Z2; \
	VFMADD231PS  Z0, Z2, Z20; \
	VFMADD231PS  Z1, Z2, Z21; \
	VBROADCASTSS (R12)(R10*1), Z3; \
	VFMADD231PS  Z0, Z3, Z22; \
	VFMADD231PS  Z1, Z3, Z23; \
	VBROADCASTSS (R12)(R10*2), Z4; \
	VFMADD231PS  Z0, Z4, Z24; \
	VFMADD231PS  Z1, Z4, Z25; \
	VBROADCASTSS (R9), Z5; \
	VFMADD231PS  Z0, Z5, Z26; \
	VFMADD231PS  Z1, Z5, Z27; \
	VBROADCASTSS (R9)(R10*1), Z6; \
	VFMADD231PS  Z0, Z6, Z28; \
	VFMADD231PS  Z1, Z6, Z29; \
	VBROADCASTSS (R9)(R10*2), Z7; \
	VFMADD231PS  Z0, Z7, Z30; \
	VFMADD231PS  Z1, Z7, Z31; \
	ADDQ         AX, SI; \
	ADDQ         AX, R11; \
	ADDQ         AX, R12; \
	ADDQ         AX, R9; \
	ADDQ         R13, DI

// Z12KC is one k step of Z12KSTEP at constant offsets inside an unrolled
// group of four: A's values at aoff from the row pointers, B's two halves
// at the operands b0 and b1. The loops below that use it move the pointers
// once per group, not once per step: the 12×32 step's five pointer adds
// per 24 FMAs compete with the FMAs for the vector ports' issue slots
// (the bare strip on in-place rows: 180 → 191 GFLOP/s).
#define Z12KC(aoff, b0, b1) \
	VMOVUPS      b0, Z0; \
	VMOVUPS      b1, Z1; \
	VBROADCASTSS aoff(SI), Z2; \
	VFMADD231PS  Z0, Z2, Z8; \
	VFMADD231PS  Z1, Z2, Z9; \
	VBROADCASTSS aoff(SI)(R10*1), Z3; \
	VFMADD231PS  Z0, Z3, Z10; \
	VFMADD231PS  Z1, Z3, Z11; \
	VBROADCASTSS aoff(SI)(R10*2), Z4; \
	VFMADD231PS  Z0, Z4, Z12; \
	VFMADD231PS  Z1, Z4, Z13; \
	VBROADCASTSS aoff(R11), Z5; \
	VFMADD231PS  Z0, Z5, Z14; \
	VFMADD231PS  Z1, Z5, Z15; \
	VBROADCASTSS aoff(R11)(R10*1), Z6; \
	VFMADD231PS  Z0, Z6, Z16; \
	VFMADD231PS  Z1, Z6, Z17; \
	VBROADCASTSS aoff(R11)(R10*2), Z7; \
	VFMADD231PS  Z0, Z7, Z18; \
	VFMADD231PS  Z1, Z7, Z19; \
	VBROADCASTSS aoff(R12), Z2; \
	VFMADD231PS  Z0, Z2, Z20; \
	VFMADD231PS  Z1, Z2, Z21; \
	VBROADCASTSS aoff(R12)(R10*1), Z3; \
	VFMADD231PS  Z0, Z3, Z22; \
	VFMADD231PS  Z1, Z3, Z23; \
	VBROADCASTSS aoff(R12)(R10*2), Z4; \
	VFMADD231PS  Z0, Z4, Z24; \
	VFMADD231PS  Z1, Z4, Z25; \
	VBROADCASTSS aoff(R9), Z5; \
	VFMADD231PS  Z0, Z5, Z26; \
	VFMADD231PS  Z1, Z5, Z27; \
	VBROADCASTSS aoff(R9)(R10*1), Z6; \
	VFMADD231PS  Z0, Z6, Z28; \
	VFMADD231PS  Z1, Z6, Z29; \
	VBROADCASTSS aoff(R9)(R10*2), Z7; \
	VFMADD231PS  Z0, Z7, Z30; \
	VFMADD231PS  Z1, Z7, Z31

// Four k steps of a packed B panel (bStep 128), A's steps s bytes apart.
#define Z12K4_BPACKED(s) \
	Z12KC(0, (DI), 64(DI)); \
	Z12KC(s, 128(DI), 192(DI)); \
	Z12KC(2*s, 256(DI), 320(DI)); \
	Z12KC(3*s, 384(DI), 448(DI))

// Four k steps of B rows read in place, R13 bytes apart; B's pointer
// moves on two rows after each pair of steps.
#define Z12K4_BROWS(s) \
	Z12KC(0, (DI), 64(DI)); \
	Z12KC(s, (DI)(R13*1), 64(DI)(R13*1)); \
	LEAQ (DI)(R13*2), DI; \
	Z12KC(2*s, (DI), 64(DI)); \
	Z12KC(3*s, (DI)(R13*1), 64(DI)(R13*1)); \
	LEAQ (DI)(R13*2), DI

// Move A's four row pointers on by n bytes.
#define ADVANCE_A(n) \
	ADDQ n, SI; \
	ADDQ n, R11; \
	ADDQ n, R12; \
	ADDQ n, R9

// func sgemmStrip12x32AVX512(pairs, kc int, a *float32, rowStride, kStep, aTile int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)
//
// pairs 12-row tiles stacked down C, tile p reading A at a + 2p·aTile
// bytes and writing C's rows 12p onwards, all with the same B panel. The
// advanced a waits in its argument slot between tiles, C's next row in DX.
TEXT ·sgemmStrip12x32AVX512(SB), NOSPLIT, $0-88
	MOVQ ldc+72(FP), R8
	SHLQ $2, R8
	MOVQ c+64(FP), DX

ptile:
	MOVQ kc+8(FP), CX
	MOVQ a+16(FP), SI
	MOVQ rowStride+24(FP), R10
	MOVQ kStep+32(FP), AX
	LEAQ (SI)(R10*2), R11
	ADDQ R10, R11 // R11 = a + 3·rowStride
	MOVQ SI, R12 // R12 = the second tile's a
	ADDQ aTile+40(FP), R12
	LEAQ (R12)(R10*2), R9
	ADDQ R10, R9 // R9 = R12 + 3·rowStride
	MOVQ b+48(FP), DI
	MOVQ bStep+56(FP), R13

	MOVQ DX, BX
	ZPREFETCH_6ROWS(BX)
	ZPREFETCH_6ROWS(BX)

	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   ptail

	// A's step is 4 bytes (rows in place) or 24 (packed panels); B's is
	// 128 (a packed panel) or its row stride: loops with constant offsets
	// for those, the generic loop for any other.
	CMPQ R13, $128
	JNE  pbrows
	CMPQ AX, $4
	JEQ  ploopIP
	CMPQ AX, $24
	JEQ  ploopPP
	JMP  ploop4

pbrows:
	CMPQ AX, $4
	JEQ  ploopIB
	CMPQ AX, $24
	JEQ  ploopPB
	JMP  ploop4

ploopIP:
	Z12K4_BPACKED(4)
	ADVANCE_A($16)
	ADDQ $512, DI
	DECQ BX
	JNZ  ploopIP
	JMP  ptail

ploopPP:
	Z12K4_BPACKED(24)
	ADVANCE_A($96)
	ADDQ $512, DI
	DECQ BX
	JNZ  ploopPP
	JMP  ptail

ploopIB:
	Z12K4_BROWS(4)
	ADVANCE_A($16)
	DECQ BX
	JNZ  ploopIB
	JMP  ptail

ploopPB:
	Z12K4_BROWS(24)
	ADVANCE_A($96)
	DECQ BX
	JNZ  ploopPB
	JMP  ptail

ploop4:
	Z12KSTEP
	Z12KSTEP
	Z12KSTEP
	Z12KSTEP
	DECQ BX
	JNZ  ploop4

ptail:
	ANDQ $3, CX
	JZ   pdone

ploop1:
	Z12KSTEP
	DECQ CX
	JNZ  ploop1

pdone:
	// alpha == 1 (the bits of 1.0) leaves the sums as they are: skip
	// the multiplies (x·1 is x, bit for bit).
	CMPL alpha+80(FP), $0x3f800000
	JEQ  palpha1_1
	VBROADCASTSS alpha+80(FP), Z0
	VMULPS       Z0, Z8, Z8
	VMULPS       Z0, Z9, Z9
	VMULPS       Z0, Z10, Z10
	VMULPS       Z0, Z11, Z11
	VMULPS       Z0, Z12, Z12
	VMULPS       Z0, Z13, Z13
	VMULPS       Z0, Z14, Z14
	VMULPS       Z0, Z15, Z15
	VMULPS       Z0, Z16, Z16
	VMULPS       Z0, Z17, Z17
	VMULPS       Z0, Z18, Z18
	VMULPS       Z0, Z19, Z19
	VMULPS       Z0, Z20, Z20
	VMULPS       Z0, Z21, Z21
	VMULPS       Z0, Z22, Z22
	VMULPS       Z0, Z23, Z23
	VMULPS       Z0, Z24, Z24
	VMULPS       Z0, Z25, Z25
	VMULPS       Z0, Z26, Z26
	VMULPS       Z0, Z27, Z27
	VMULPS       Z0, Z28, Z28
	VMULPS       Z0, Z29, Z29
	VMULPS       Z0, Z30, Z30
	VMULPS       Z0, Z31, Z31
palpha1_1:

	// beta == 0 (and not NaN) means overwrite: never read C.
	VMOVSS   beta+84(FP), X1
	VXORPS   X2, X2, X2
	VUCOMISS X2, X1
	JNE      pupdate
	JPS      pupdate

	ZSTORE_ROW(Z8, Z9)
	ZSTORE_ROW(Z10, Z11)
	ZSTORE_ROW(Z12, Z13)
	ZSTORE_ROW(Z14, Z15)
	ZSTORE_ROW(Z16, Z17)
	ZSTORE_ROW(Z18, Z19)
	ZSTORE_ROW(Z20, Z21)
	ZSTORE_ROW(Z22, Z23)
	ZSTORE_ROW(Z24, Z25)
	ZSTORE_ROW(Z26, Z27)
	ZSTORE_ROW(Z28, Z29)
	ZSTORE_ROW(Z30, Z31)
	JMP pnext

pupdate:
	VBROADCASTSS beta+84(FP), Z1
	ZUPDATE_ROW(Z8, Z9)
	ZUPDATE_ROW(Z10, Z11)
	ZUPDATE_ROW(Z12, Z13)
	ZUPDATE_ROW(Z14, Z15)
	ZUPDATE_ROW(Z16, Z17)
	ZUPDATE_ROW(Z18, Z19)
	ZUPDATE_ROW(Z20, Z21)
	ZUPDATE_ROW(Z22, Z23)
	ZUPDATE_ROW(Z24, Z25)
	ZUPDATE_ROW(Z26, Z27)
	ZUPDATE_ROW(Z28, Z29)
	ZUPDATE_ROW(Z30, Z31)

pnext:
	// DX has moved down the tile's twelve rows: the next pair's C.
	MOVQ a+16(FP), AX
	ADDQ aTile+40(FP), AX
	ADDQ aTile+40(FP), AX
	MOVQ AX, a+16(FP)
	DECQ pairs+0(FP)
	JNZ  ptile
	VZEROUPPER
	RET
