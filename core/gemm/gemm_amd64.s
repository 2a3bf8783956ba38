//go:build !noasm

#include "textflag.h"

// One k step of the 6×16 kernel: load 16 B values (two YMM), then for each
// of the 6 rows broadcast one A value and issue two FMAs into that row's
// pair of accumulators. Y4..Y15 hold the 6×16 tile of C; Y2/Y3 alternate
// as the broadcast register so consecutive rows do not serialise on it.
// A's six values are read at SI, SI+R10, SI+2·R10, R11, R11+R10,
// R11+2·R10 (R11 = SI+3·R10) and SI, R11 advance by R12 per step: R10 = 4,
// R12 = 24 for a packed panel, R10 = A's row stride and R12 = 4 for rows
// of a row-major A read in place; DI advances by R13, 64 for a packed B
// panel or B's row stride for B read in place (see the AVX-512 kernel).
#define KSTEP \
	VMOVUPS      (DI), Y0; \
	VMOVUPS      32(DI), Y1; \
	VBROADCASTSS (SI), Y2; \
	VFMADD231PS  Y0, Y2, Y4; \
	VFMADD231PS  Y1, Y2, Y5; \
	VBROADCASTSS (SI)(R10*1), Y3; \
	VFMADD231PS  Y0, Y3, Y6; \
	VFMADD231PS  Y1, Y3, Y7; \
	VBROADCASTSS (SI)(R10*2), Y2; \
	VFMADD231PS  Y0, Y2, Y8; \
	VFMADD231PS  Y1, Y2, Y9; \
	VBROADCASTSS (R11), Y3; \
	VFMADD231PS  Y0, Y3, Y10; \
	VFMADD231PS  Y1, Y3, Y11; \
	VBROADCASTSS (R11)(R10*1), Y2; \
	VFMADD231PS  Y0, Y2, Y12; \
	VFMADD231PS  Y1, Y2, Y13; \
	VBROADCASTSS (R11)(R10*2), Y3; \
	VFMADD231PS  Y0, Y3, Y14; \
	VFMADD231PS  Y1, Y3, Y15; \
	ADDQ         R12, SI; \
	ADDQ         R12, R11; \
	ADDQ         R13, DI

// Store one row pair of accumulators to C at DX (beta == 0), advance a row.
#define STORE_ROW(r0, r1) \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, 32(DX); \
	ADDQ    R8, DX

// C = acc + beta*C for one row (Y1 holds beta), advance a row.
#define UPDATE_ROW(r0, r1) \
	VFMADD231PS (DX), Y1, r0; \
	VFMADD231PS 32(DX), Y1, r1; \
	VMOVUPS     r0, (DX); \
	VMOVUPS     r1, 32(DX); \
	ADDQ        R8, DX

// func sgemmKernel6x16AVX2(kc int, a *float32, rowStride, kStep int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)
TEXT ·sgemmKernel6x16AVX2(SB), NOSPLIT, $0-72
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
	MOVQ       DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail

loop4:
	KSTEP
	KSTEP
	KSTEP
	KSTEP
	DECQ BX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   done

loop1:
	KSTEP
	DECQ CX
	JNZ  loop1

done:
	VBROADCASTSS alpha+64(FP), Y0
	VMULPS       Y0, Y4, Y4
	VMULPS       Y0, Y5, Y5
	VMULPS       Y0, Y6, Y6
	VMULPS       Y0, Y7, Y7
	VMULPS       Y0, Y8, Y8
	VMULPS       Y0, Y9, Y9
	VMULPS       Y0, Y10, Y10
	VMULPS       Y0, Y11, Y11
	VMULPS       Y0, Y12, Y12
	VMULPS       Y0, Y13, Y13
	VMULPS       Y0, Y14, Y14
	VMULPS       Y0, Y15, Y15

	// beta == 0 (and not NaN) means overwrite: never read C.
	VMOVSS   beta+68(FP), X1
	VXORPS   X2, X2, X2
	VUCOMISS X2, X1
	JNE      update
	JPS      update

	STORE_ROW(Y4, Y5)
	STORE_ROW(Y6, Y7)
	STORE_ROW(Y8, Y9)
	STORE_ROW(Y10, Y11)
	STORE_ROW(Y12, Y13)
	STORE_ROW(Y14, Y15)
	VZEROUPPER
	RET

update:
	VBROADCASTSS beta+68(FP), Y1
	UPDATE_ROW(Y4, Y5)
	UPDATE_ROW(Y6, Y7)
	UPDATE_ROW(Y8, Y9)
	UPDATE_ROW(Y10, Y11)
	UPDATE_ROW(Y12, Y13)
	UPDATE_ROW(Y14, Y15)
	VZEROUPPER
	RET

// func sgemmStrip6x16AVX2(tiles, kc int, a *float32, rowStride, kStep, aTile int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)
//
// sgemmKernel6x16AVX2 on tiles tiles stacked down C: tile t reads A at
// a + t·aTile bytes and writes the six rows of C from c + 6t·ldc, all with
// the same B panel. Each tile runs the single-tile kernel's instructions,
// so the bits are the same; only the call per tile is saved. The advanced
// a waits in its argument slot between tiles, C's next row in DX.
TEXT ·sgemmStrip6x16AVX2(SB), NOSPLIT, $0-88
	MOVQ ldc+72(FP), R8
	SHLQ $2, R8 // row stride of C in bytes
	MOVQ c+64(FP), DX

ttile:
	MOVQ kc+8(FP), CX
	MOVQ a+16(FP), SI
	MOVQ rowStride+24(FP), R10
	MOVQ kStep+32(FP), R12
	LEAQ (SI)(R10*2), R11
	ADDQ R10, R11 // R11 = a + 3·rowStride
	MOVQ b+48(FP), DI
	MOVQ bStep+56(FP), R13

	MOVQ       DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   ttail

tloop4:
	KSTEP
	KSTEP
	KSTEP
	KSTEP
	DECQ BX
	JNZ  tloop4

ttail:
	ANDQ $3, CX
	JZ   tdone

tloop1:
	KSTEP
	DECQ CX
	JNZ  tloop1

tdone:
	VBROADCASTSS alpha+80(FP), Y0
	VMULPS       Y0, Y4, Y4
	VMULPS       Y0, Y5, Y5
	VMULPS       Y0, Y6, Y6
	VMULPS       Y0, Y7, Y7
	VMULPS       Y0, Y8, Y8
	VMULPS       Y0, Y9, Y9
	VMULPS       Y0, Y10, Y10
	VMULPS       Y0, Y11, Y11
	VMULPS       Y0, Y12, Y12
	VMULPS       Y0, Y13, Y13
	VMULPS       Y0, Y14, Y14
	VMULPS       Y0, Y15, Y15

	VMOVSS   beta+84(FP), X1
	VXORPS   X2, X2, X2
	VUCOMISS X2, X1
	JNE      tupdate
	JPS      tupdate

	STORE_ROW(Y4, Y5)
	STORE_ROW(Y6, Y7)
	STORE_ROW(Y8, Y9)
	STORE_ROW(Y10, Y11)
	STORE_ROW(Y12, Y13)
	STORE_ROW(Y14, Y15)
	JMP tnext

tupdate:
	VBROADCASTSS beta+84(FP), Y1
	UPDATE_ROW(Y4, Y5)
	UPDATE_ROW(Y6, Y7)
	UPDATE_ROW(Y8, Y9)
	UPDATE_ROW(Y10, Y11)
	UPDATE_ROW(Y12, Y13)
	UPDATE_ROW(Y14, Y15)

tnext:
	// DX has moved down the tile's six rows: the next tile's C.
	MOVQ a+16(FP), AX
	ADDQ aTile+40(FP), AX
	MOVQ AX, a+16(FP)
	DECQ tiles+0(FP)
	JNZ  ttile
	VZEROUPPER
	RET

// One k step of the 6×8 kernel: load 8 B values (two YMM), then for each
// of the 6 rows broadcast one A value and issue two FMAs into that row's
// pair of accumulators. Y4..Y15 hold the 6×8 tile of C; Y2/Y3 alternate
// as the broadcast register so consecutive rows do not serialise on it.
#define DKSTEP \
	VMOVUPD      (DI), Y0; \
	VMOVUPD      32(DI), Y1; \
	VBROADCASTSD (SI), Y2; \
	VFMADD231PD  Y0, Y2, Y4; \
	VFMADD231PD  Y1, Y2, Y5; \
	VBROADCASTSD 8(SI), Y3; \
	VFMADD231PD  Y0, Y3, Y6; \
	VFMADD231PD  Y1, Y3, Y7; \
	VBROADCASTSD 16(SI), Y2; \
	VFMADD231PD  Y0, Y2, Y8; \
	VFMADD231PD  Y1, Y2, Y9; \
	VBROADCASTSD 24(SI), Y3; \
	VFMADD231PD  Y0, Y3, Y10; \
	VFMADD231PD  Y1, Y3, Y11; \
	VBROADCASTSD 32(SI), Y2; \
	VFMADD231PD  Y0, Y2, Y12; \
	VFMADD231PD  Y1, Y2, Y13; \
	VBROADCASTSD 40(SI), Y3; \
	VFMADD231PD  Y0, Y3, Y14; \
	VFMADD231PD  Y1, Y3, Y15; \
	ADDQ         $48, SI; \
	ADDQ         $64, DI

// Store one row pair of accumulators to C at DX (beta == 0), advance a row.
#define DSTORE_ROW(r0, r1) \
	VMOVUPD r0, (DX); \
	VMOVUPD r1, 32(DX); \
	ADDQ    R8, DX

// C = acc + beta*C for one row (Y1 holds beta), advance a row.
#define DUPDATE_ROW(r0, r1) \
	VFMADD231PD (DX), Y1, r0; \
	VFMADD231PD 32(DX), Y1, r1; \
	VMOVUPD     r0, (DX); \
	VMOVUPD     r1, 32(DX); \
	ADDQ        R8, DX

// func dgemmKernel6x8AVX2(kc int, a, b, c *float64, ldc int, alpha, beta float64)
TEXT ·dgemmKernel6x8AVX2(SB), NOSPLIT, $0-56
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8 // row stride in bytes

	// Touch the C tile early so its lines arrive while we compute.
	MOVQ       DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)

	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   dtail

dloop4:
	DKSTEP
	DKSTEP
	DKSTEP
	DKSTEP
	DECQ BX
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   ddone

dloop1:
	DKSTEP
	DECQ CX
	JNZ  dloop1

ddone:
	VBROADCASTSD alpha+40(FP), Y0
	VMULPD       Y0, Y4, Y4
	VMULPD       Y0, Y5, Y5
	VMULPD       Y0, Y6, Y6
	VMULPD       Y0, Y7, Y7
	VMULPD       Y0, Y8, Y8
	VMULPD       Y0, Y9, Y9
	VMULPD       Y0, Y10, Y10
	VMULPD       Y0, Y11, Y11
	VMULPD       Y0, Y12, Y12
	VMULPD       Y0, Y13, Y13
	VMULPD       Y0, Y14, Y14
	VMULPD       Y0, Y15, Y15

	// beta == 0 (and not NaN) means overwrite: never read C.
	VMOVSD   beta+48(FP), X1
	VXORPD   X2, X2, X2
	VUCOMISD X2, X1
	JNE      dupdate
	JPS      dupdate

	DSTORE_ROW(Y4, Y5)
	DSTORE_ROW(Y6, Y7)
	DSTORE_ROW(Y8, Y9)
	DSTORE_ROW(Y10, Y11)
	DSTORE_ROW(Y12, Y13)
	DSTORE_ROW(Y14, Y15)
	VZEROUPPER
	RET

dupdate:
	VBROADCASTSD beta+48(FP), Y1
	DUPDATE_ROW(Y4, Y5)
	DUPDATE_ROW(Y6, Y7)
	DUPDATE_ROW(Y8, Y9)
	DUPDATE_ROW(Y10, Y11)
	DUPDATE_ROW(Y12, Y13)
	DUPDATE_ROW(Y14, Y15)
	VZEROUPPER
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func packA6SSE(kc int, src *float32, lda int, dst *float32)
//
// Packs 6 rows × kc columns of a row-major matrix (row stride lda elements)
// k-major: dst[6*kk+i] = src[i*lda+kk]. Four k steps at a time: rows 0-3
// go through a 4×4 SSE transpose, rows 4-5 through one interleave.
TEXT ·packA6SSE(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI
	LEAQ (SI)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (R10)(R8*1), R11
	LEAQ (R11)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	XORQ AX, AX // byte offset within the rows
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   ptail

ploop:
	MOVUPS   (SI)(AX*1), X0  // r0[k..k+3]
	MOVUPS   (R9)(AX*1), X1  // r1
	MOVUPS   (R10)(AX*1), X2 // r2
	MOVUPS   (R11)(AX*1), X3 // r3
	MOVUPS   (R12)(AX*1), X4 // r4
	MOVUPS   (R13)(AX*1), X5 // r5
	MOVAPS   X0, X6
	UNPCKLPS X1, X0          // r0k0 r1k0 r0k1 r1k1
	UNPCKHPS X1, X6          // r0k2 r1k2 r0k3 r1k3
	MOVAPS   X2, X7
	UNPCKLPS X3, X2          // r2k0 r3k0 r2k1 r3k1
	UNPCKHPS X3, X7          // r2k2 r3k2 r2k3 r3k3
	MOVAPS   X0, X1
	MOVLHPS  X2, X0          // k0: r0 r1 r2 r3
	MOVHLPS  X1, X2          // k1: r0 r1 r2 r3
	MOVAPS   X6, X3
	MOVLHPS  X7, X6          // k2
	MOVHLPS  X3, X7          // k3
	MOVAPS   X4, X8
	UNPCKLPS X5, X4          // r4k0 r5k0 r4k1 r5k1
	UNPCKHPS X5, X8          // r4k2 r5k2 r4k3 r5k3
	MOVUPS   X0, (DI)
	MOVLPS   X4, 16(DI)
	MOVUPS   X2, 24(DI)
	MOVHPS   X4, 40(DI)
	MOVUPS   X6, 48(DI)
	MOVLPS   X8, 64(DI)
	MOVUPS   X7, 72(DI)
	MOVHPS   X8, 88(DI)
	ADDQ     $16, AX
	ADDQ     $96, DI
	DECQ     BX
	JNZ      ploop

ptail:
	ANDQ $3, CX
	JZ   pdone

ploop1:
	MOVSS (SI)(AX*1), X0
	MOVSS X0, (DI)
	MOVSS (R9)(AX*1), X0
	MOVSS X0, 4(DI)
	MOVSS (R10)(AX*1), X0
	MOVSS X0, 8(DI)
	MOVSS (R11)(AX*1), X0
	MOVSS X0, 12(DI)
	MOVSS (R12)(AX*1), X0
	MOVSS X0, 16(DI)
	MOVSS (R13)(AX*1), X0
	MOVSS X0, 20(DI)
	ADDQ  $4, AX
	ADDQ  $24, DI
	DECQ  CX
	JNZ   ploop1

pdone:
	RET

// func packAT6SSE(kc, panels int, src *float32, lda int, dst *float32)
//
// Packs a transposed A (stored k×m, row stride lda elements): for each of
// kc stored rows, copies `panels` groups of 6 consecutive values into
// consecutive 6×kc panels: dst[p*6*kc + kk*6 + i] = src[kk*lda + p*6 + i].
TEXT ·packAT6SSE(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ panels+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ lda+24(FP), R9
	SHLQ $2, R9                // source row stride in bytes
	MOVQ dst+32(FP), DI
	LEAQ (CX)(CX*2), R10
	SHLQ $3, R10               // panel stride in bytes: 6*kc*4

tkloop:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R8, BX

tploop:
	MOVUPS (R11), X0
	MOVSD  16(R11), X1
	MOVUPS X0, (R12)
	MOVSD  X1, 16(R12)
	ADDQ   $24, R11
	ADDQ   R10, R12
	DECQ   BX
	JNZ    tploop

	ADDQ R9, SI
	ADDQ $24, DI
	DECQ CX
	JNZ  tkloop
	RET

// func packRowsAVX(rows, chunks int, src *byte, ld int, dst *byte)
//
// Copies rows rows of chunks×32 bytes each, source row stride ld bytes, to
// consecutive rows at dst: the packing of a full panel of non-transposed B,
// where a memmove call per k step cost more than the kernel's work on it
// for thin products. Panels of 16 and 32 floats get unrolled loops.
TEXT ·packRowsAVX(SB), NOSPLIT, $0-40
	MOVQ rows+0(FP), CX
	MOVQ chunks+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R8
	MOVQ dst+32(FP), DI
	CMPQ DX, $2
	JEQ  pr2
	CMPQ DX, $4
	JEQ  pr4

prrow:
	XORQ AX, AX
	MOVQ DX, BX

prchunk:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    BX
	JNZ     prchunk
	ADDQ    R8, SI
	ADDQ    AX, DI
	DECQ    CX
	JNZ     prrow
	VZEROUPPER
	RET

pr2:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     pr2
	VZEROUPPER
	RET

pr4:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    R8, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     pr4
	VZEROUPPER
	RET
