import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a class of N {@code @Differentiable} methods of mixed size — straight-line formulas,
 * branches, loops over arrays, calls — for measuring what the processor adds to javac's time.
 * Usage: {@code java GenerateMethods.java <out-dir> <count>}.
 */
public final class GenerateMethods {
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0], "bench");
    int count = Integer.parseInt(args[1]);
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(7);
    StringBuilder sb = new StringBuilder("package bench;\n\nimport dev.adjoint.Differentiable;\n\n"
        + "public final class Many {\n");
    String[] fns = {"Math.sin", "Math.cos", "Math.exp", "Math.tanh", "Math.sqrt", "Math.log1p"};
    for (int m = 0; m < count; m++) {
      int kind = m % 4;
      sb.append("  @Differentiable\n");
      if (kind == 3) {
        sb.append("  public static double f").append(m).append("(double[] x, double a) {\n");
        sb.append("    double s = 0;\n    for (int i = 0; i < x.length; i++) {\n");
        sb.append("      double t = x[i] * a + ").append(m).append(";\n");
        sb.append("      if (t > 0) {\n        s += ").append(fns[random.nextInt(4)]).append("(t) * x[i];\n");
        sb.append("      } else {\n        s -= t * t * a;\n      }\n    }\n    return s;\n  }\n\n");
        continue;
      }
      sb.append("  public static double f").append(m).append("(double x, double y, double z) {\n");
      int lines = kind == 0 ? 2 : kind == 1 ? 6 : 14;
      String prev = "x";
      for (int l = 0; l < lines; l++) {
        String f = fns[random.nextInt(fns.length)];
        String arg = f.equals("Math.sqrt") || f.equals("Math.log1p") ? "(" + prev + " * " + prev + " + 1)" : "(" + prev + " * y - z)";
        sb.append("    double v").append(l).append(" = ").append(f).append(arg).append(" + ")
            .append(prev).append(" * z / (1 + y * y);\n");
        prev = "v" + l;
      }
      if (kind == 2 && m > 0) {
        sb.append("    double c = f").append(m - 1).append("(").append(prev).append(", y, z);\n");
        prev = "c * " + prev;
      }
      sb.append("    return ").append(prev).append(" * x + y;\n  }\n\n");
    }
    sb.append("}\n");
    Files.writeString(dir.resolve("Many.java"), sb.toString());
  }
}
