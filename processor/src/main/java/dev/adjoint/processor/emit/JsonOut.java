package dev.adjoint.processor.emit;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A minimal streaming JSON writer for the inspection files ({@link Inspection}): the processor
 * takes no JSON library. Commas are placed by the writer; names only inside objects.
 */
final class JsonOut {
  private final StringBuilder out = new StringBuilder();
  /** Per open container: whether a value was written in it yet. */
  private final Deque<boolean[]> open = new ArrayDeque<>();
  private boolean afterName;

  JsonOut beginObject() {
    separate();
    out.append('{');
    open.push(new boolean[1]);
    return this;
  }

  JsonOut endObject() {
    open.pop();
    out.append('}');
    return this;
  }

  JsonOut beginArray() {
    separate();
    out.append('[');
    open.push(new boolean[1]);
    return this;
  }

  JsonOut endArray() {
    open.pop();
    out.append(']');
    return this;
  }

  JsonOut name(String name) {
    separate();
    quote(name);
    out.append(':');
    afterName = true;
    return this;
  }

  JsonOut value(String s) {
    separate();
    if (s == null) {
      out.append("null");
    } else {
      quote(s);
    }
    return this;
  }

  JsonOut value(long n) {
    separate();
    out.append(n);
    return this;
  }

  JsonOut value(double d) {
    separate();
    out.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null");
    return this;
  }

  JsonOut value(boolean b) {
    separate();
    out.append(b);
    return this;
  }

  JsonOut field(String name, String s) {
    return name(name).value(s);
  }

  JsonOut field(String name, long n) {
    return name(name).value(n);
  }

  JsonOut field(String name, boolean b) {
    return name(name).value(b);
  }

  JsonOut strings(String name, Iterable<String> items) {
    name(name).beginArray();
    items.forEach(this::value);
    return endArray();
  }

  private void separate() {
    if (afterName) {
      afterName = false;
      return;
    }
    boolean[] written = open.peek();
    if (written != null) {
      if (written[0]) {
        out.append(',');
      }
      written[0] = true;
    }
  }

  private void quote(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
