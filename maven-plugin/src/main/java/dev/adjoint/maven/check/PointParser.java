package dev.adjoint.maven.check;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code @CheckAt} point: the arguments of a method in declaration order, separated by
 * commas; numbers for {@code double}, {@code int} and {@code long}, {@code true}/{@code false}
 * for {@code boolean}, {@code [1, 2, 3]} for {@code double[]}.
 */
public final class PointParser {
  private final String text;
  private int pos;

  private PointParser(String text) {
    this.text = text;
  }

  /**
   * The arguments for parameters of the given types.
   *
   * @throws IllegalArgumentException saying what does not fit, when the point does not fit
   */
  public static Object[] parse(String point, Class<?>[] types) {
    PointParser p = new PointParser(point);
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      if (i > 0) {
        p.expect(',', "argument " + (i + 1) + " (" + types[i].getSimpleName() + ") is missing");
      }
      args[i] = p.argument(types[i], i + 1);
    }
    p.skipSpace();
    if (p.pos < p.text.length()) {
      throw new IllegalArgumentException("point \"" + point + "\" has more than the "
          + types.length + " arguments of the method");
    }
    return args;
  }

  /** Whether a point can give an argument of this type. */
  public static boolean supported(Class<?> type) {
    return type == double.class || type == int.class || type == long.class
        || type == boolean.class || type == double[].class;
  }

  private Object argument(Class<?> type, int n) {
    skipSpace();
    if (type == double[].class) {
      expect('[', "argument " + n + " is a double[]: write it as [1, 2, 3]");
      List<Double> values = new ArrayList<>();
      skipSpace();
      if (peek() == ']') {
        pos++;
        return new double[0];
      }
      while (true) {
        String t = token(n);
        try {
          values.add(Double.parseDouble(t));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("argument " + n + ": \"" + t + "\" is not a number");
        }
        skipSpace();
        if (peek() != ',') {
          break;
        }
        pos++;
      }
      expect(']', "argument " + n + ": missing ']'");
      double[] out = new double[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = values.get(i);
      }
      return out;
    }
    String t = token(n);
    try {
      if (type == double.class) {
        return Double.parseDouble(t);
      } else if (type == int.class) {
        return Integer.parseInt(t);
      } else if (type == long.class) {
        return Long.parseLong(t);
      } else if (type == boolean.class && (t.equals("true") || t.equals("false"))) {
        return Boolean.parseBoolean(t);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("argument " + n + " \"" + t + "\" is not a "
        + type.getSimpleName());
  }

  private String token(int n) {
    skipSpace();
    int start = pos;
    while (pos < text.length() && ",[] \t".indexOf(text.charAt(pos)) < 0) {
      pos++;
    }
    if (start == pos) {
      throw new IllegalArgumentException("argument " + n + " is missing");
    }
    return text.substring(start, pos);
  }

  private void expect(char c, String message) {
    skipSpace();
    if (peek() != c) {
      throw new IllegalArgumentException(message);
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : 0;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }
}
