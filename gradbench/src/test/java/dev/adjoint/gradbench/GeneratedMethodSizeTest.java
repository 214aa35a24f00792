package dev.adjoint.gradbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every generated method of the evals is JIT-compilable: HotSpot never compiles a method of more
 * than 8,000 bytes of bytecode ({@code -XX:-DontCompileHugeMethods} is off by default), so such a
 * method would run interpreted forever. This reads the class files of the generated classes and
 * fails, naming the method and its size, as soon as one grows past the limit. The processor
 * splits a method that would (emit.MethodSplitter); its MethodSplittingTest also runs a split
 * gradient in a child JVM and sees every piece JIT-compiled. Of the evals' methods only ht's
 * {@code objectiveJvps} is split (in two: 5.9 KB whole, but over the estimate's threshold).
 */
class GeneratedMethodSizeTest {
  /** HotSpot's HugeMethodLimit. */
  static final int HUGE_METHOD_LIMIT = 8000;

  @Test
  void everyGeneratedMethodIsBelowHotSpotsHugeMethodLimit() throws IOException {
    Path classes = Path.of(GeneratedMethodSizeTest.class.getProtectionDomain().getCodeSource()
        .getLocation().getPath()).resolveSibling("classes").resolve("dev/adjoint/gradbench");
    List<String> tooLarge = new ArrayList<>();
    int methods = 0;
    try (Stream<Path> files = Files.list(classes)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches(".*Grad(\\$.*)?\\.class")).toList()) {
        for (var m : codeLengths(Files.readAllBytes(f))) {
          methods++;
          if (m.length() >= HUGE_METHOD_LIMIT) {
            tooLarge.add(f.getFileName() + " " + m.name() + ": " + m.length() + " bytes");
          }
        }
      }
    }
    assertFalse(methods < 20, "found only " + methods + " generated methods under " + classes);
    assertEquals(List.of(), tooLarge, "generated methods HotSpot will not compile");
  }

  record Method(String name, int length) {}

  /** The bytecode length of every method with code, from a class file (JVMS §4). */
  static List<Method> codeLengths(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
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
          int code = in.readInt();
          methods.add(new Method(name, code));
          in.skipBytes(length - 8);
        } else {
          in.skipBytes(length);
        }
      }
    }
    return methods;
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int attributes = in.readUnsignedShort();
    for (int a = 0; a < attributes; a++) {
      in.readUnsignedShort();
      in.skipBytes(in.readInt());
    }
  }

  @Test
  void theReaderSeesThisClassesOwnMethods() throws IOException {
    byte[] self = GeneratedMethodSizeTest.class.getResourceAsStream("GeneratedMethodSizeTest.class").readAllBytes();
    List<String> names = codeLengths(self).stream().map(Method::name).toList();
    assertFalse(names.stream().noneMatch(s -> s.startsWith("codeLengths(")), names.toString());
  }
}
