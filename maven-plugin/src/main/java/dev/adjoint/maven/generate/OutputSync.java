package dev.adjoint.maven.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Makes the output directory hold exactly the files of a fresh run: new and changed files are
 * copied, unchanged ones are left alone (their modification time too, so that the compiler's own
 * staleness check does not recompile them), and files the run no longer produced (those of a
 * deleted {@code @Differentiable} class) are deleted.
 */
public final class OutputSync {
  /** What changed in the output directory; paths relative to it, with '/' separators. */
  public record Changes(List<String> written, List<String> unchanged, List<String> deleted) {
    /** Every file the run produced. */
    public List<String> produced() {
      List<String> all = new ArrayList<>(written);
      all.addAll(unchanged);
      all.sort(null);
      return all;
    }
  }

  private OutputSync() {}

  public static Changes sync(Path fresh, Path output) throws IOException {
    Set<String> produced = files(fresh);
    Set<String> existing = files(output);
    List<String> written = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    for (String f : produced) {
      Path from = fresh.resolve(f);
      Path to = output.resolve(f);
      if (existing.contains(f) && Arrays.equals(Files.readAllBytes(from), Files.readAllBytes(to))) {
        unchanged.add(f);
      } else {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        written.add(f);
      }
    }
    for (String f : existing) {
      if (!produced.contains(f)) {
        Files.delete(output.resolve(f));
        deleted.add(f);
      }
    }
    deleteEmptyDirectories(output);
    return new Changes(written, unchanged, deleted);
  }

  /** Every regular file under dir, relative, with '/' separators; empty if dir does not exist. */
  public static Set<String> files(Path dir) throws IOException {
    Set<String> out = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(Files::isRegularFile)
          .forEach(p -> out.add(dir.relativize(p).toString().replace('\\', '/')));
    }
    return out;
  }

  /** Deletes dir and everything under it, if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void deleteEmptyDirectories(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(Files::isDirectory)
          .filter(d -> !d.equals(root))
          .sorted(Comparator.reverseOrder())
          .forEach(d -> {
            try (Stream<Path> in = Files.list(d)) {
              if (in.findAny().isEmpty()) {
                Files.delete(d);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
