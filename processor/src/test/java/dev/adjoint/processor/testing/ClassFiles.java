package dev.adjoint.processor.testing;

import com.google.testing.compile.Compilation;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;

/** Reading what javac wrote: class files of a compilation and the bytecode length of their methods. */
public final class ClassFiles {
  private ClassFiles() {}

  /** A method (name and descriptor) and the length of its bytecode. */
  public record Method(String name, int length) {}

  /** The class file of {@code className} ({@code p.ModelGrad}) in a compilation's output. */
  public static byte[] of(Compilation c, String className) {
    String path = "/CLASS_OUTPUT/" + className.replace('.', '/') + ".class";
    for (JavaFileObject f : c.generatedFiles()) {
      if (f.getKind() == JavaFileObject.Kind.CLASS && f.toUri().getPath().endsWith(path)) {
        try (InputStream in = f.openInputStream()) {
          return in.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new AssertionError("no class file " + className);
  }

  /** Writes every class file of a compilation under {@code dir}, as a class path root. */
  public static void writeAll(Compilation c, Path dir) throws IOException {
    for (JavaFileObject f : c.generatedFiles()) {
      String path = f.toUri().getPath();
      int start = path.indexOf("/CLASS_OUTPUT/");
      if (f.getKind() == JavaFileObject.Kind.CLASS && start >= 0) {
        Path target = dir.resolve(path.substring(start + "/CLASS_OUTPUT/".length()));
        Files.createDirectories(target.getParent());
        try (InputStream in = f.openInputStream()) {
          Files.write(target, in.readAllBytes());
        }
      }
    }
  }

  /** The bytecode length of every method with code, from a class file (JVMS §4). */
  public static List<Method> codeLengths(byte[] classFile) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException("not a class file");
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 3, 4 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++;
          }
          case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
          case 9, 10, 11, 12, 17, 18 -> in.readInt();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          default -> throw new IOException("constant pool tag " + tag);
        }
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      in.readUnsignedShort();
      in.skipBytes(2 * in.readUnsignedShort());
      int fields = in.readUnsignedShort();
      for (int i = 0; i < fields; i++) {
        in.skipBytes(6);
        skipAttributes(in);
      }
      List<Method> methods = new ArrayList<>();
      int n = in.readUnsignedShort();
      for (int i = 0; i < n; i++) {
        in.readUnsignedShort();
        String name = utf8[in.readUnsignedShort()] + utf8[in.readUnsignedShort()];
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
          String attribute = utf8[in.readUnsignedShort()];
          int length = in.readInt();
          if (attribute.equals("Code")) {
            in.readUnsignedShort();
            in.readUnsignedShort();
            methods.add(new Method(name, in.readInt()));
            in.skipBytes(length - 8);
          } else {
            in.skipBytes(length);
          }
        }
      }
      return methods;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int attributes = in.readUnsignedShort();
    for (int a = 0; a < attributes; a++) {
      in.readUnsignedShort();
      in.skipBytes(in.readInt());
    }
  }
}
