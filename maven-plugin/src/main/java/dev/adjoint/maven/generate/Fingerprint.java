package dev.adjoint.maven.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A digest of everything the generated sources depend on: the content of every source file, the
 * size and modification time of every class path entry (each file of a directory), the compiler
 * arguments and the processor's own jar. Equal fingerprints mean that running the processor
 * again would write the same files.
 */
public final class Fingerprint {
  private final MessageDigest digest;

  public Fingerprint() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A line of text (an argument, a name); lines are separated so that "a","bc" != "ab","c". */
  public Fingerprint text(String s) {
    digest.update(s.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    return this;
  }

  /** The path and the full content of each file. */
  public Fingerprint contents(List<Path> files) throws IOException {
    for (Path f : files) {
      text(f.toString());
      digest.update(Files.readAllBytes(f));
      digest.update((byte) 0);
    }
    return this;
  }

  /**
   * The path, size and modification time of a file, or of every file under a directory (a
   * class path entry: a jar is replaced as a whole, a class directory file by file).
   */
  public Fingerprint stamp(Path entry) throws IOException {
    text(entry.toString());
    if (Files.isDirectory(entry)) {
      try (Stream<Path> files = Files.walk(entry)) {
        files.filter(Files::isRegularFile).sorted().forEach(this::fileStamp);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    } else if (Files.isRegularFile(entry)) {
      fileStamp(entry);
    } else {
      text("missing");
    }
    return this;
  }

  /** {@link #stamp(Path)} of each class path entry, in order. */
  public Fingerprint stampEach(List<String> entries) throws IOException {
    for (String e : entries) {
      stamp(Path.of(e));
    }
    return this;
  }

  private void fileStamp(Path f) {
    try {
      text(f + " " + Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The digest, as hexadecimal. */
  public String hex() {
    return HexFormat.of().formatHex(digest.digest());
  }
}
