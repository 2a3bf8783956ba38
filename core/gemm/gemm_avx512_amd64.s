//go:build !noasm

#include "textflag.h"
#include "gemm_avx512_amd64.h"

// The AVX-512 float32 micro-kernel: the 6×16 AVX2 kernel's register plan
// with ZMM registers, so each row of the tile is 32 floats (two ZMM).
// Z4..Z15 hold the 6×32 tile of C, Z0/Z1 the B row of one k step, Z2/Z3
// alternate as the broadcast register so consecutive rows do not serialise
// on it. 12 FMAs per 8 loads keep the two FMA ports busier than the loads.
//
// A's six values of one k step are read at SI, SI+R10, SI+2·R10, R11,
// R11+R10, R11+2·R10 (R11 = SI+3·R10), and SI, R11 advance by R12 per step:
// a packed panel has R10 = 4 bytes and R12 = 24, a row-major A read in
// place has R10 = its row stride and R12 = 4. B's row of a k step is read
// at DI, which advances by R13: 128 for a packed panel, B's row stride for
// a row-major B read in place. One kernel serves every case, so reading an
// operand unpacked gives the packed path's bits.
#define ZKSTEP \
	VMOVUPS      (DI), Z0; \
	VMOVUPS      64(DI), Z1; \
	VBROADCASTSS (SI), Z2; \
	VFMADD231PS  Z0, Z2, Z4; \
	VFMADD231PS  Z1, Z2, Z5; \
	VBROADCASTSS (SI)(R10*1), Z3; \
	VFMADD231PS  Z0, Z3, Z6; \
	VFMADD231PS  Z1, Z3, Z7; \
	VBROADCASTSS (SI)(R10*2), Z2; \
	VFMADD231PS  Z0, Z2, Z8; \
	VFMADD231PS  Z1, Z2, Z9; \
	VBROADCASTSS (R11), Z3; \
	VFMADD231PS  Z0, Z3, Z10; \
	VFMADD231PS  Z1, Z3, Z11; \
	VBROADCASTSS (R11)(R10*1), Z2; \
	VFMADD231PS  Z0, Z2, Z12; \
	VFMADD231PS  Z1, Z2, Z13; \
	VBROADCASTSS (R11)(R10*2), Z3; \
	VFMADD231PS  Z0, Z3, Z14; \
	VFMADD231PS  Z1, Z3, Z15; \
	ADDQ         R12, SI; \
	ADDQ         R12, R11; \
	ADDQ         R13, DI

// func sgemmKernel6x32AVX512(kc int, a *float32, rowStride, kStep int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)
TEXT ·sgemmKernel6x32AVX512(SB), NOSPLIT, $0-72
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rowStride+16(FP), R10
	MOVQ kStep+24(FP), R12
	LEAQ (SI)(R10*2), R11
	ADDQ R10, R11 // R11 = a + 3·rowStride
	MOVQ b+32(FP), DI
	MOVQ bStep+40(FP), R13
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8 // row stride of C in bytes

	// Touch the C tile early so its lines arrive while we compute.
	MOVQ DX, R9
	ZPREFETCH_6ROWS(R9)

	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail

loop4:
	ZKSTEP
	ZKSTEP
	ZKSTEP
	ZKSTEP
	DECQ BX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   done

loop1:
	ZKSTEP
	DECQ CX
	JNZ  loop1

done:
	// alpha == 1 (the bits of 1.0) leaves the sums as they are: skip
	// the multiplies (x·1 is x, bit for bit).
	CMPL alpha+64(FP), $0x3f800000
	JEQ  zalpha1_1
	VBROADCASTSS alpha+64(FP), Z0
	VMULPS       Z0, Z4, Z4
	VMULPS       Z0, Z5, Z5
	VMULPS       Z0, Z6, Z6
	VMULPS       Z0, Z7, Z7
	VMULPS       Z0, Z8, Z8
	VMULPS       Z0, Z9, Z9
	VMULPS       Z0, Z10, Z10
	VMULPS       Z0, Z11, Z11
	VMULPS       Z0, Z12, Z12
	VMULPS       Z0, Z13, Z13
	VMULPS       Z0, Z14, Z14
	VMULPS       Z0, Z15, Z15
zalpha1_1:

	// beta == 0 (and not NaN) means overwrite: never read C.
	VMOVSS   beta+68(FP), X1
	VXORPS   X2, X2, X2
	VUCOMISS X2, X1
	JNE      update
	JPS      update

	ZSTORE_ROW(Z4, Z5)
	ZSTORE_ROW(Z6, Z7)
	ZSTORE_ROW(Z8, Z9)
	ZSTORE_ROW(Z10, Z11)
	ZSTORE_ROW(Z12, Z13)
	ZSTORE_ROW(Z14, Z15)
	VZEROUPPER
	RET

update:
	VBROADCASTSS beta+68(FP), Z1
	ZUPDATE_ROW(Z4, Z5)
	ZUPDATE_ROW(Z6, Z7)
	ZUPDATE_ROW(Z8, Z9)
	ZUPDATE_ROW(Z10, Z11)
	ZUPDATE_ROW(Z12, Z13)
	ZUPDATE_ROW(Z14, Z15)
	VZEROUPPER
	RET

// func sgemmStrip6x32AVX512(tiles, kc int, a *float32, rowStride, kStep, aTile int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)
//
// sgemmKernel6x32AVX512 on tiles tiles stacked down C: tile t reads A at
// a + t·aTile bytes and writes the six rows of C from c + 6t·ldc, all with
// the same B panel. Each tile runs the single-tile kernel's instructions,
// so the bits are the same; only the call per tile is saved. The advanced
// a waits in its argument slot between tiles, C's next row in DX.
TEXT ·sgemmStrip6x32AVX512(SB), NOSPLIT, $0-88
	MOVQ ldc+72(FP), R8
	SHLQ $2, R8 // row stride of C in bytes
	MOVQ c+64(FP), DX

stile:
	MOVQ kc+8(FP), CX
	MOVQ a+16(FP), SI
	MOVQ rowStride+24(FP), R10
	MOVQ kStep+32(FP), R12
	LEAQ (SI)(R10*2), R11
	ADDQ R10, R11 // R11 = a + 3·rowStride
	MOVQ b+48(FP), DI
	MOVQ bStep+56(FP), R13

	MOVQ DX, R9
	ZPREFETCH_6ROWS(R9)

	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   stail

sloop4:
	ZKSTEP
	ZKSTEP
	ZKSTEP
	ZKSTEP
	DECQ BX
	JNZ  sloop4

stail:
	ANDQ $3, CX
	JZ   sdone

sloop1:
	ZKSTEP
	DECQ CX
	JNZ  sloop1

sdone:
	// alpha == 1 (the bits of 1.0) leaves the sums as they are: skip
	// the multiplies (x·1 is x, bit for bit).
	CMPL alpha+80(FP), $0x3f800000
	JEQ  zalpha1_2
	VBROADCASTSS alpha+80(FP), Z0
	VMULPS       Z0, Z4, Z4
	VMULPS       Z0, Z5, Z5
	VMULPS       Z0, Z6, Z6
	VMULPS       Z0, Z7, Z7
	VMULPS       Z0, Z8, Z8
	VMULPS       Z0, Z9, Z9
	VMULPS       Z0, Z10, Z10
	VMULPS       Z0, Z11, Z11
	VMULPS       Z0, Z12, Z12
	VMULPS       Z0, Z13, Z13
	VMULPS       Z0, Z14, Z14
	VMULPS       Z0, Z15, Z15
zalpha1_2:

	VMOVSS   beta+84(FP), X1
	VXORPS   X2, X2, X2
	VUCOMISS X2, X1
	JNE      supdate
	JPS      supdate

	ZSTORE_ROW(Z4, Z5)
	ZSTORE_ROW(Z6, Z7)
	ZSTORE_ROW(Z8, Z9)
	ZSTORE_ROW(Z10, Z11)
	ZSTORE_ROW(Z12, Z13)
	ZSTORE_ROW(Z14, Z15)
	JMP snext

supdate:
	VBROADCASTSS beta+84(FP), Z1
	ZUPDATE_ROW(Z4, Z5)
	ZUPDATE_ROW(Z6, Z7)
	ZUPDATE_ROW(Z8, Z9)
	ZUPDATE_ROW(Z10, Z11)
	ZUPDATE_ROW(Z12, Z13)
	ZUPDATE_ROW(Z14, Z15)

snext:
	// DX has moved down the tile's six rows: the next tile's C.
	MOVQ a+16(FP), AX
	ADDQ aTile+40(FP), AX
	MOVQ AX, a+16(FP)
	DECQ tiles+0(FP)
	JNZ  stile
	VZEROUPPER
	RET
