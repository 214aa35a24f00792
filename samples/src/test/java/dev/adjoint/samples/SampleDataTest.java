package dev.adjoint.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.nn.Dataset;
import dev.adjoint.tensor.Tensor;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The data readers and the SVG chart. */
class SampleDataTest {

  @Test
  void digitsHave1797ImagesOf64PixelsInZeroToOne() {
    Dataset d = SampleData.digits();
    assertEquals(1797, d.size());
    Tensor x = d.features();
    assertEquals(64, x.dim(1));
    assertTrue(x.max() <= 1 && x.neg().max() <= 0);
    assertEquals(9, d.labels().max());
  }

  @Test
  void readsIdxFiles(@TempDir Path dir) throws IOException {
    // three images of 2×3 pixels; the loader flattens them to 6 pixels in [0, 1]
    byte[] pixels = new byte[18];
    for (int i = 0; i < 18; i++) {
      pixels[i] = (byte) (i * 15); // up to 255, unsigned
    }
    writeIdx(dir.resolve("train-images-idx3-ubyte.gz"), 0x803, new int[] {3, 2, 3}, pixels);
    writeIdx(dir.resolve("train-labels-idx1-ubyte.gz"), 0x801, new int[] {3}, new byte[] {7, 0, 9});
    writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), 0x803, new int[] {1, 2, 3}, new byte[6]);
    writeIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 0x801, new int[] {1}, new byte[] {4});

    Dataset.Split s = SampleData.mnist(dir);
    assertEquals(Tensor.vector(7, 0, 9), s.train().labels());
    assertEquals(3, s.train().features().dim(0));
    assertEquals(6, s.train().features().dim(1));
    assertEquals(255 / 255.0, s.train().features().get(2, 5));
    assertEquals(15 / 255.0, s.train().features().get(0, 1));
    assertEquals(Tensor.vector(4), s.test().labels());
  }

  @Test
  void rejectsMissingFilesAndWrongMagic(@TempDir Path dir) throws IOException {
    assertThrows(IllegalArgumentException.class, () -> SampleData.mnist(dir));
    writeIdx(dir.resolve("images.gz"), 0x801, new int[] {1}, new byte[1]);
    writeIdx(dir.resolve("labels.gz"), 0x801, new int[] {1}, new byte[1]);
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> SampleData.idx(dir.resolve("images.gz"), dir.resolve("labels.gz")));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void chartIsWellFormedSvgWithOneLinePerSeries(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("chart.svg");
    DigitsMlp.writeChart(file, "test <run>", List.of(
        new DigitsMlp.Epoch(1, 1.5, 1.2, 0.7, 1000),
        new DigitsMlp.Epoch(2, 0.8, 0.9, 0.85, 1000),
        new DigitsMlp.Epoch(3, 0.5, 0.7, 0.9, 1000)));
    Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    assertEquals("svg", svg.getDocumentElement().getTagName());
    assertEquals(3, svg.getElementsByTagName("polyline").getLength());
    assertTrue(Files.readString(file).contains("test &lt;run&gt;"));
  }

  private static void writeIdx(Path file, int magic, int[] dims, byte[] data) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }
}
