package dev.adjoint.maven.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputSyncTest {
  @Test
  void keepsUnchangedFilesWritesChangedOnesDeletesStaleOnes(@TempDir Path dir) throws IOException {
    Path fresh = dir.resolve("fresh");
    Path out = dir.resolve("out");
    write(fresh.resolve("a/SameGrad.java"), "same");
    write(fresh.resolve("a/ChangedGrad.java"), "new");
    write(fresh.resolve("b/NewGrad.java"), "new");
    write(out.resolve("a/SameGrad.java"), "same");
    write(out.resolve("a/ChangedGrad.java"), "old");
    write(out.resolve("gone/GoneGrad.java"), "old");
    FileTime old = FileTime.fromMillis(1_000_000);
    Files.setLastModifiedTime(out.resolve("a/SameGrad.java"), old);

    OutputSync.Changes c = OutputSync.sync(fresh, out);

    assertEquals(List.of("a/ChangedGrad.java", "b/NewGrad.java"), c.written());
    assertEquals(List.of("a/SameGrad.java"), c.unchanged());
    assertEquals(List.of("gone/GoneGrad.java"), c.deleted());
    assertEquals(Set.of("a/ChangedGrad.java", "a/SameGrad.java", "b/NewGrad.java"), OutputSync.files(out));
    assertEquals("new", Files.readString(out.resolve("a/ChangedGrad.java")));
    assertEquals(old, Files.getLastModifiedTime(out.resolve("a/SameGrad.java")));
    assertFalse(Files.exists(out.resolve("gone")));
  }

  @Test
  void fingerprintFollowsContentNotTime(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("Model.java");
    write(f, "class Model {}");
    String first = new Fingerprint().contents(List.of(f)).hex();
    Files.setLastModifiedTime(f, FileTime.fromMillis(5_000_000));
    assertEquals(first, new Fingerprint().contents(List.of(f)).hex());
    write(f, "class Model { }");
    assertFalse(first.equals(new Fingerprint().contents(List.of(f)).hex()));
  }

  private static void write(Path p, String s) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
  }
}
