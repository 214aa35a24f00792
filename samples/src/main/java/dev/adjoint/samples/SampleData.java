package dev.adjoint.samples;

import dev.adjoint.nn.Dataset;
import dev.adjoint.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Readers for the data sets the samples train on. */
final class SampleData {
  private SampleData() {}

  /**
   * The UCI optical digits (1797 images of 8×8 pixels, 0..16, then the label), shipped as the
   * resource {@code /data/digits.csv.gz}: one {@code double[65]} per image.
   */
  static List<double[]> digitsRows() {
    try (InputStream raw = SampleData.class.getResourceAsStream("/data/digits.csv.gz");
        BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
            StandardCharsets.UTF_8))) {
      List<double[]> rows = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          String[] parts = line.split(",");
          double[] row = new double[parts.length];
          for (int i = 0; i < parts.length; i++) {
            row[i] = Double.parseDouble(parts[i].trim());
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The digits as a data set: pixels scaled to [0, 1], shape [1797, 64]; labels [1797]. */
  static Dataset digits() {
    List<double[]> rows = digitsRows();
    int n = rows.size();
    int d = 64;
    double[] x = new double[n * d];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double[] r = rows.get(i);
      for (int j = 0; j < d; j++) {
        x[i * d + j] = r[j] / 16.0;
      }
      y[i] = r[d];
    }
    return new Dataset(Tensor.of(x, n, d), Tensor.of(y, n));
  }

  /** The file names of Fashion-MNIST (and MNIST) in the IDX format, gzip-compressed. */
  static final String[] MNIST_FILES = {
      "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

  /**
   * Fashion-MNIST (or MNIST) from the four IDX files in {@code dir}: 60,000 training and 10,000
   * test images, each flattened to 784 pixels scaled to [0, 1], with class indices as labels.
   *
   * @throws IllegalArgumentException if a file is missing
   * @throws UncheckedIOException if a file cannot be read or is not in the IDX format
   */
  static Dataset.Split mnist(Path dir) {
    for (String name : MNIST_FILES) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        throw new IllegalArgumentException(
            dir + " does not hold " + name + "; expected the four files "
                + String.join(", ", MNIST_FILES));
      }
    }
    return new Dataset.Split(
        idx(dir.resolve(MNIST_FILES[0]), dir.resolve(MNIST_FILES[1])),
        idx(dir.resolve(MNIST_FILES[2]), dir.resolve(MNIST_FILES[3])));
  }

  /** Images and labels from a pair of gzip-compressed IDX files. */
  static Dataset idx(Path images, Path labels) {
    try (DataInputStream im = open(images); DataInputStream lb = open(labels)) {
      // IDX: big-endian int32 magic (0x00000803: unsigned bytes, 3 dimensions), the dimensions,
      // then the data in row-major order
      expectMagic(images, im.readInt(), 0x803);
      int n = im.readInt();
      int rows = im.readInt();
      int cols = im.readInt();
      expectMagic(labels, lb.readInt(), 0x801);
      int m = lb.readInt();
      if (n != m) {
        throw new IOException(images + " holds " + n + " images but " + labels + " " + m + " labels");
      }
      int d = rows * cols;
      byte[] pixels = new byte[n * d];
      im.readFully(pixels);
      byte[] classes = new byte[n];
      lb.readFully(classes);
      double[] x = new double[n * d];
      for (int i = 0; i < x.length; i++) {
        x[i] = (pixels[i] & 0xff) / 255.0;
      }
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        y[i] = classes[i] & 0xff;
      }
      return new Dataset(Tensor.of(x, n, d), Tensor.of(y, n));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    return new DataInputStream(new BufferedInputStream(
        new GZIPInputStream(Files.newInputStream(file), 1 << 16), 1 << 16));
  }

  private static void expectMagic(Path file, int magic, int expected) throws IOException {
    if (magic != expected) {
      throw new IOException(String.format(
          "%s is not an IDX file of the expected kind: magic number 0x%08x, expected 0x%08x",
          file, magic, expected));
    }
  }
}
