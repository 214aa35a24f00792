package dev.adjoint.spark.samples;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST read from its four IDX files (gzipped, as distributed): 28×28 grey images of 10
 * kinds of clothing, 60,000 for training and 10,000 for testing. Pixels are scaled to [0, 1].
 */
public final class FashionMnist {
  /** The directory used when none is given, relative to the repository's root. */
  public static final String DEFAULT_DIR = "../shared/data/fashion-mnist";
  public static final int CLASSES = 10;

  /** {@code rows} images of {@code cols} pixels, row-major, and their labels 0..9. */
  public record Split(int rows, int cols, double[] pixels, double[] labels) {
    /** The first {@code n} images (all when {@code n} is at least {@link #rows}). */
    public Split head(int n) {
      if (n >= rows) {
        return this;
      }
      return new Split(n, cols, java.util.Arrays.copyOf(pixels, n * cols),
          java.util.Arrays.copyOf(labels, n));
    }
  }

  private FashionMnist() {}

  /**
   * {@link #DEFAULT_DIR} seen from the working directory or, when it is not there, from a parent
   * of it (a test runs in its module's directory; a worktree may sit deeper than the clone); the
   * first candidate when none holds the files.
   */
  public static Path defaultDir() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      Path candidate = p.resolve(DEFAULT_DIR).normalize();
      if (Files.isRegularFile(candidate.resolve("train-images-idx3-ubyte.gz"))) {
        return candidate;
      }
    }
    return Path.of(DEFAULT_DIR);
  }

  public static Split train(Path dir) {
    return read(dir, "train");
  }

  public static Split test(Path dir) {
    return read(dir, "t10k");
  }

  static Split read(Path dir, String prefix) {
    Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
    Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
    if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
      throw new IllegalArgumentException("no Fashion-MNIST files " + images + " and " + labels
          + " (give the directory holding the four -ubyte.gz files)");
    }
    try (DataInputStream in = open(images); DataInputStream lin = open(labels)) {
      expect(in.readInt(), 0x803, images);
      int n = in.readInt();
      int h = in.readInt();
      int w = in.readInt();
      expect(lin.readInt(), 0x801, labels);
      if (lin.readInt() != n) {
        throw new IllegalArgumentException(labels + " does not hold " + n + " labels");
      }
      int cols = h * w;
      byte[] raw = new byte[n * cols];
      in.readFully(raw);
      byte[] rawLabels = new byte[n];
      lin.readFully(rawLabels);
      double[] pixels = new double[raw.length];
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xff) / 255.0;
      }
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        y[i] = rawLabels[i] & 0xff;
      }
      return new Split(n, cols, pixels, y);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream s = Files.newInputStream(p);
    return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(s, 1 << 16)));
  }

  private static void expect(int magic, int want, Path p) {
    if (magic != want) {
      throw new IllegalArgumentException(p + ": not an IDX file of this kind (magic " + magic + ")");
    }
  }
}
