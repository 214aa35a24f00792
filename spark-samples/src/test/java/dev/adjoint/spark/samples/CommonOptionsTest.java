package dev.adjoint.spark.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Both samples' command lines go through the shared parser. */
class CommonOptionsTest {
  @Test
  void sharedAndOwnOptions() {
    FashionMnistLogistic.Options o = FashionMnistLogistic.Options.parse(new String[] {
        "data/dir", "--master", "local[3]", "--iterations", "7", "--reg", "0.5", "--partitions",
        "4", "--rows", "100", "--block-rows", "64", "--skip-mllib"});
    assertEquals(new FashionMnistLogistic.Options(Path.of("data/dir"), "local[3]", 7, 0.5, 4, 100,
        64, false), o);
    FashionMnistMlp.Options m = FashionMnistMlp.Options.parse(new String[] {
        "--hidden", "16", "--decay", "0.01", "--iterations", "3"});
    assertEquals(16, m.hidden());
    assertEquals(0.01, m.decay());
    assertEquals(3, m.iterations());
    assertEquals(40, FashionMnistMlp.Options.parse(new String[0]).iterations());
    assertEquals(50, FashionMnistLogistic.Options.parse(new String[0]).iterations());
    assertFalse(FashionMnistLogistic.Options.parse(new String[0]).master().isEmpty());
  }

  @Test
  void unknownOptionsAndMissingValuesAreErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FashionMnistMlp.Options.parse(new String[] {"--reg", "1"}));
    assertEquals("unknown option --reg", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> FashionMnistLogistic.Options.parse(new String[] {"--iterations"}));
    assertEquals("option --iterations needs a value", e.getMessage());
  }
}
