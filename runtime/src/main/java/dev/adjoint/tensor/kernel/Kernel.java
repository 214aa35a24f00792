package dev.adjoint.tensor.kernel;

/**
 * A packed, cache-blocked GEMM for one thread (the Goto/BLIS loop nest). Subclasses supply only
 * the register-blocked micro-kernel that computes one {@code MR × NR} tile of C from a packed
 * {@code MR × kc} sliver of A and a packed {@code kc × NR} sliver of B.
 *
 * <pre>
 * for jc in n step NC            B block  (kc × nc, packed once, lives in L3)
 *   for pc in k step KC
 *     pack B[pc:pc+kc, jc:jc+nc] into NR-wide slivers
 *     for ic in m step MC        A block  (mc × kc, packed once, lives in L2)
 *       pack A[ic:ic+mc, pc:pc+kc] into MR-tall slivers
 *       for jr in nc step NR     B sliver (kc × NR, stays in L1)
 *         for ir in mc step MR
 *           micro-kernel: C[ic+ir.., jc+jr..] (+)= Asliver · Bsliver
 * </pre>
 *
 * Packing reads A and B in whatever layout they have (plain or transposed), so the micro-kernel
 * sees one layout only. Edge slivers are padded with zeros; edge tiles, and tiles that add into
 * C (accumulate, or every k block after the first), are computed into a scratch tile that is
 * then copied or added, so the micro-kernel only ever overwrites a full tile.
 *
 * <p>Kernels are stateless; the pack buffers live in a per-thread workspace, so any number of
 * threads may run {@link #gemm} at once.
 */
abstract class Kernel {
  /** Rows of the register tile. */
  final int mr;
  /** Columns of the register tile. */
  final int nr;
  /** Depth of a packed block (the shared dimension). */
  private final int kcBlock;
  /** Rows of a packed A block; a multiple of {@link #mr}. */
  private final int mcBlock;
  /** Columns of a packed B block; a multiple of {@link #nr}. */
  private final int ncBlock;

  Kernel(int mr, int nr, int kcBlock, int mcBlock, int ncBlock) {
    this.mr = mr;
    this.nr = nr;
    this.kcBlock = kcBlock;
    this.mcBlock = mcBlock / mr * mr;
    this.ncBlock = ncBlock / nr * nr;
  }

  /** Human-readable description, shown by {@link MatMul#kernelName()}. */
  abstract String name();

  /**
   * Stores {@code Ap · Bp} into one full {@code mr × nr} tile of C: Ap holds kc columns of mr
   * values starting at {@code ai}, Bp holds kc rows of nr values starting at {@code bi}; row r
   * of the tile starts at {@code c[ci + r * ldc]}. Overwrites the tile: adding into C is left
   * to the caller (through a scratch tile), which keeps the micro-kernel small enough for
   * HotSpot to inline every Vector API call in it.
   */
  abstract void micro(int kc, double[] ap, int ai, double[] bp, int bi,
      double[] c, int ci, int ldc);

  /**
   * {@link #micro} for operands read in place: element (r, p) of the A sliver is
   * {@code a[ai + r * ars + p * aps]} and row p of the B sliver holds nr values from
   * {@code b[bi + p * bps]} (a packed operand has {@code ars = 1, aps = mr}, or {@code bps = nr}).
   * A separate method because the strides cost the packed case about a quarter of its speed.
   */
  abstract void microStrided(int kc, double[] a, int ai, int ars, int aps, double[] b, int bi,
      int bps, double[] c, int ci, int ldc);

  /** {@code C[tile at ci] += tile}, for a full {@code mr × nr} tile stored with stride nr. */
  void addTile(double[] tile, double[] c, int ci, int ldc) {
    for (int r = 0; r < mr; r++, ci += ldc) {
      int tr = r * nr;
      for (int j = 0; j < nr; j++) c[ci + j] += tile[tr + j];
    }
  }

  /** Per-thread pack buffers; grown on demand, never shrunk. */
  private static final class Workspace {
    double[] a = new double[0];
    double[] b = new double[0];
    double[] tile = new double[0];
  }

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /**
   * Whether A is read in place instead of packed: when n fits in one register tile, each value
   * of A is used by one B sliver only, so packing would copy all of A for a single read.
   */
  final boolean readsAInPlace(int n) {
    return n <= nr;
  }

  /**
   * Whether B is read in place instead of packed: when m spans at most two register tiles, each
   * packed B value would be read at most twice, and the copy costs more than it saves. Only a
   * B whose rows hold op(B)'s rows (not transposed) can be loaded a tile row at a time.
   */
  final boolean readsBInPlace(boolean transB, int m) {
    return !transB && m <= 2 * mr;
  }

  /** Same contract as {@link MatMul#gemm}, for m, n, k ≥ 1, on the calling thread. */
  final void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
      double[] c, int cOffset, int ldc, boolean accumulate) {
    Workspace ws = WORKSPACE.get();
    boolean aInPlace = readsAInPlace(n);
    boolean bInPlace = readsBInPlace(transB, m);
    int kcMax = Math.min(kcBlock, k);
    int ncMax = Math.min(ncBlock, roundUp(n, nr));
    int mcMax = Math.min(mcBlock, roundUp(m, mr));
    if (ws.b.length < kcMax * ncMax) ws.b = new double[kcMax * ncMax];
    if (ws.a.length < kcMax * mcMax) ws.a = new double[kcMax * mcMax];
    if (ws.tile.length < mr * nr) ws.tile = new double[mr * nr];
    double[] bp = ws.b;
    double[] ap = ws.a;
    double[] tile = ws.tile;
    // strides of op(A) read in place: element (i, p)
    int aRow = transA ? 1 : lda;
    int aCol = transA ? lda : 1;

    for (int jc = 0; jc < n; jc += ncBlock) {
      int nc = Math.min(ncBlock, n - jc);
      for (int pc = 0; pc < k; pc += kcBlock) {
        int kc = Math.min(kcBlock, k - pc);
        boolean add = accumulate || pc > 0;
        if (!bInPlace) packB(transB, b, bOffset, ldb, pc, kc, jc, nc, bp);
        for (int ic = 0; ic < m; ic += mcBlock) {
          int mc = Math.min(mcBlock, m - ic);
          if (!aInPlace) packA(transA, a, aOffset, lda, ic, mc, pc, kc, ap);
          for (int jr = 0; jr < nc; jr += nr) {
            int nrr = Math.min(nr, nc - jr);
            double[] bs = bp;
            int bi = jr * kc;
            int bps = nr;
            if (bInPlace && nrr == nr) {
              bs = b;
              bi = bOffset + pc * ldb + jc + jr;
              bps = ldb;
            } else if (bInPlace) { // the last, narrower sliver: packed with zero padding
              packB(transB, b, bOffset, ldb, pc, kc, jc + jr, nrr, bp);
              bi = 0;
            }
            for (int ir = 0; ir < mc; ir += mr) {
              int mrr = Math.min(mr, mc - ir);
              double[] as = ap;
              int ai = ir * kc;
              int ars = 1;
              int aps = mr;
              if (aInPlace && mrr == mr) {
                as = a;
                ai = aOffset + (ic + ir) * aRow + pc * aCol;
                ars = aRow;
                aps = aCol;
              } else if (aInPlace) { // the last, shorter sliver: packed with zero padding
                packA(transA, a, aOffset, lda, ic + ir, mrr, pc, kc, ap);
                ai = 0;
              }
              int ci = cOffset + (ic + ir) * ldc + jc + jr;
              boolean packed = as == ap && bs == bp;
              if (mrr == mr && nrr == nr) {
                if (add) {
                  tile(packed, kc, as, ai, ars, aps, bs, bi, bps, tile, 0, nr);
                  addTile(tile, c, ci, ldc);
                } else {
                  tile(packed, kc, as, ai, ars, aps, bs, bi, bps, c, ci, ldc);
                }
              } else {
                tile(packed, kc, as, ai, ars, aps, bs, bi, bps, tile, 0, nr);
                for (int r = 0; r < mrr; r++) {
                  int cr = ci + r * ldc;
                  int tr = r * nr;
                  if (add) {
                    for (int j = 0; j < nrr; j++) c[cr + j] += tile[tr + j];
                  } else {
                    System.arraycopy(tile, tr, c, cr, nrr);
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** One tile by {@link #micro} when both slivers are packed, else by {@link #microStrided}. */
  private void tile(boolean packed, int kc, double[] a, int ai, int ars, int aps, double[] b,
      int bi, int bps, double[] c, int ci, int ldc) {
    if (packed) {
      micro(kc, a, ai, b, bi, c, ci, ldc);
    } else {
      microStrided(kc, a, ai, ars, aps, b, bi, bps, c, ci, ldc);
    }
  }

  /**
   * Packs rows {@code i0 .. i0+mc} and columns {@code p0 .. p0+kc} of op(A) into slivers of
   * {@code mr} rows: sliver s holds, for p = 0..kc-1, the mr values op(A)[i0+s·mr+r, p0+p]
   * contiguously. Rows past mc are zero.
   */
  private void packA(boolean transA, double[] a, int aOffset, int lda,
      int i0, int mc, int p0, int kc, double[] ap) {
    int mr = this.mr;
    for (int s = 0; s < mc; s += mr) {
      int rows = Math.min(mr, mc - s);
      int base = s * kc;
      if (transA) {
        // A is stored k×m: op(A)[i, p] = a[p * lda + i]; the mr values of one p are contiguous.
        int src = aOffset + p0 * lda + i0 + s;
        for (int p = 0; p < kc; p++, src += lda) {
          int dst = base + p * mr;
          System.arraycopy(a, src, ap, dst, rows);
          for (int r = rows; r < mr; r++) ap[dst + r] = 0;
        }
      } else {
        // A is stored m×k: read each row sequentially, write with stride mr.
        for (int r = 0; r < rows; r++) {
          int src = aOffset + (i0 + s + r) * lda + p0;
          int dst = base + r;
          for (int p = 0; p < kc; p++, dst += mr) ap[dst] = a[src + p];
        }
        for (int r = rows; r < mr; r++) {
          int dst = base + r;
          for (int p = 0; p < kc; p++, dst += mr) ap[dst] = 0;
        }
      }
    }
  }

  /**
   * Packs rows {@code p0 .. p0+kc} and columns {@code j0 .. j0+nc} of op(B) into slivers of
   * {@code nr} columns: sliver s holds, for p = 0..kc-1, the nr values op(B)[p0+p, j0+s·nr+j]
   * contiguously. Columns past nc are zero.
   */
  private void packB(boolean transB, double[] b, int bOffset, int ldb,
      int p0, int kc, int j0, int nc, double[] bp) {
    int nr = this.nr;
    for (int s = 0; s < nc; s += nr) {
      int cols = Math.min(nr, nc - s);
      int base = s * kc;
      if (transB) {
        // B is stored n×k: op(B)[p, j] = b[j * ldb + p]; read each row of B sequentially.
        for (int j = 0; j < cols; j++) {
          int src = bOffset + (j0 + s + j) * ldb + p0;
          int dst = base + j;
          for (int p = 0; p < kc; p++, dst += nr) bp[dst] = b[src + p];
        }
        for (int j = cols; j < nr; j++) {
          int dst = base + j;
          for (int p = 0; p < kc; p++, dst += nr) bp[dst] = 0;
        }
      } else {
        // B is stored k×n: the nr values of one p are contiguous.
        int src = bOffset + p0 * ldb + j0 + s;
        for (int p = 0; p < kc; p++, src += ldb) {
          int dst = base + p * nr;
          System.arraycopy(b, src, bp, dst, cols);
          for (int j = cols; j < nr; j++) bp[dst + j] = 0;
        }
      }
    }
  }

  static int roundUp(int x, int unit) {
    return (x + unit - 1) / unit * unit;
  }
}
