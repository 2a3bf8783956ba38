package gemm

// Packing copies a block of op(A) or op(B) into the layout the micro-kernel
// streams through: contiguous panels, k-major inside a panel, zero padded
// to a full mr (or nr). Transposition and leading dimensions are resolved
// here, once per block, instead of in the O(m·n·k) inner loop.

// packA packs rows [ic, ic+mc) × columns [pc, pc+kc) of op(A) into ap as
// ceil(mc/mr) panels. Panel p holds rows p*mr.. and stores, for each k step,
// the mr values of that column: ap[p*mr*kc + kk*mr + i] = op(A)[ic+p*mr+i][pc+kk].
func packA[T float](kn *kernel[T], transA bool, mc, kc int, a []T, lda, ic, pc int, ap []T) {
	mr := kn.mr
	if transA {
		packAT(kn, mc, kc, a, lda, ic, pc, ap)
		return
	}
	for p0 := 0; p0 < mc; p0 += mr {
		rows := min(mr, mc-p0)
		dst := ap[p0*kc : p0*kc+mr*kc]
		// A is stored m×k: gather one value from each of the mr rows.
		if rows == 6 && mr == 6 {
			src := a[(ic+p0)*lda+pc:]
			if kn.packA6 != nil {
				kn.packA6(kc, src, lda, dst)
			} else {
				packA6Go(kc, src, lda, dst)
			}
			continue
		}
		for i := range mr {
			if i >= rows {
				for kk := range kc {
					dst[kk*mr+i] = 0
				}
				continue
			}
			off := (ic+p0+i)*lda + pc
			r := a[off : off+kc]
			for kk, v := range r {
				dst[kk*mr+i] = v
			}
		}
	}
}

// packB packs rows [pc, pc+kc) × columns [jc, jc+nc) of op(B) into bp as
// ceil(nc/nr) panels: bp[q*nr*kc + kk*nr + j] = op(B)[pc+kk][jc+q*nr+j].
func packB[T float](transB bool, kc, nc, nr int, b []T, ldb, pc, jc int, bp []T) {
	if transB {
		// A separate function, so that the scatter loop gets the registers
		// to itself (sharing them with the code below cost it ~10 %).
		packBT(kc, nc, nr, b, ldb, pc, jc, bp)
		return
	}
	for q0 := 0; q0 < nc; q0 += nr {
		cols := min(nr, nc-q0)
		dst := bp[q0*kc : q0*kc+nr*kc]
		// B is stored k×n: each k step of the panel is a contiguous run.
		if cols == nr && packRows(kc, nr, b[pc*ldb+jc+q0:], ldb, dst) {
			continue
		}
		for kk := range kc {
			off := (pc+kk)*ldb + jc + q0
			d := dst[kk*nr : kk*nr+nr]
			copy(d, b[off:off+cols])
			clear(d[cols:])
		}
	}
}

// packBT is packB for a transposed B (stored n×k): it scatters each stored
// row into a panel column.
func packBT[T float](kc, nc, nr int, b []T, ldb, pc, jc int, bp []T) {
	for q0 := 0; q0 < nc; q0 += nr {
		cols := min(nr, nc-q0)
		dst := bp[q0*kc : q0*kc+nr*kc]
		for j := range nr {
			if j >= cols {
				for kk := range kc {
					dst[kk*nr+j] = 0
				}
				continue
			}
			off := (jc+q0+j)*ldb + pc
			r := b[off : off+kc]
			for kk, v := range r {
				dst[kk*nr+j] = v
			}
		}
	}
}

// packAT is packA for a transposed A (stored k×m). It walks the stored rows
// (one k step each) contiguously and scatters them across the panels.
// Walking panel by panel instead would stride through memory by lda for
// every panel, and with lda a multiple of 1 KiB those accesses alias to the
// same few L1 sets and miss constantly.
func packAT[T float](kn *kernel[T], mc, kc int, a []T, lda, ic, pc int, ap []T) {
	mr := kn.mr
	full := mc / mr * mr
	done := 0 // rows [0, done) are packed
	if mr == 6 && kn.packAT6 != nil && full > 0 {
		kn.packAT6(kc, full/6, a[pc*lda+ic:], lda, ap)
		done = full
	}
	if done == mc {
		return
	}
	if done < full {
		for kk := range kc {
			off := (pc+kk)*lda + ic
			row := a[off : off+full]
			for p0 := done; p0 < full; p0 += mr {
				copy(ap[p0*kc+kk*mr:p0*kc+kk*mr+mr], row[p0:p0+mr])
			}
		}
	}
	if full < mc {
		// The partial last panel: fewer than mr values per k step, moved
		// one by one, since a copy call per k step costs more than the
		// values do when m is small.
		rem := mc - full
		d := ap[full*kc : full*kc+kc*mr]
		clear(d)
		for kk := range kc {
			off := (pc+kk)*lda + ic + full
			row := a[off : off+rem]
			dk := d[kk*mr : kk*mr+rem]
			for i, v := range row {
				dk[i] = v
			}
		}
	}
}

// packA6Go packs 6 rows × kc columns of src (row stride lda) k-major into
// dst: dst[6*kk+i] = src[i*lda+kk].
func packA6Go[T float](kc int, src []T, lda int, dst []T) {
	r0 := src[:kc]
	r1 := src[lda : lda+kc]
	r2 := src[2*lda : 2*lda+kc]
	r3 := src[3*lda : 3*lda+kc]
	r4 := src[4*lda : 4*lda+kc]
	r5 := src[5*lda : 5*lda+kc]
	for kk := range kc {
		d := dst[kk*6 : kk*6+6 : kk*6+6]
		d[0], d[1], d[2], d[3], d[4], d[5] = r0[kk], r1[kk], r2[kk], r3[kk], r4[kk], r5[kk]
	}
}
