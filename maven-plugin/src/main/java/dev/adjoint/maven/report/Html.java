package dev.adjoint.maven.report;

/** Escaping for HTML text, attributes and SVG (the same rules). */
final class Html {
  private Html() {}

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A string usable in an id and a URL fragment. */
  static String id(String s) {
    return s.replaceAll("[^A-Za-z0-9_-]", "_");
  }
}
