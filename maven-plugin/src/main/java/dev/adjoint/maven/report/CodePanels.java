package dev.adjoint.maven.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A method's source beside its generated code, linked line by line: the generated code's {@code
 * // line N: source} comments open a block that belongs to source line N (up to the next such
 * comment, or where the indentation falls below the comment's). Source line N links to its first
 * generated block ({@code g-anchor-N}), each comment back to line N ({@code s-anchor-N}); hovering
 * either highlights both (CSS {@code :has}, no script).
 */
final class CodePanels {
  static final Pattern LINE_COMMENT = Pattern.compile("^(\\s*)// line (\\d+):.*");
  private static final Pattern KEYWORDS = Pattern.compile("\\b(abstract|boolean|break|continue|do|double|else|final|for"
      + "|if|int|long|new|private|public|record|return|static|var|void|while|this|true|false|null)\\b");

  private final String anchor;
  /** Source lines some generated block belongs to. */
  final Set<Long> linked = new TreeSet<>();
  /** Generated blocks whose anchor was written (the first per source line). */
  private final Set<Long> anchored = new LinkedHashSet<>();

  CodePanels(String anchor) {
    this.anchor = anchor;
  }

  /** The generated members' code, the main one open and the others folded. */
  String generated(JsonNode method) {
    StringBuilder out = new StringBuilder();
    String name = method.path("name").asText();
    List<JsonNode> members = new ArrayList<>();
    method.path("generated").forEach(members::add);
    if (members.isEmpty()) {
      return "<p class=\"none\">No generated code recorded.</p>";
    }
    boolean first = true;
    for (JsonNode m : members) {
      boolean main = first && m.path("name").asText().equals(name);
      List<String> code = new ArrayList<>();
      m.path("code").forEach(c -> code.add(c.asText()));
      String pre = code(code, m.path("startLine").asLong(1));
      if (main) {
        out.append("<pre class=\"code generated\">").append(pre).append("</pre>\n");
      } else {
        out.append("<details><summary><code>").append(Html.escape(m.path("name").asText())).append("</code> (")
            .append(code.size()).append(" lines)</summary><pre class=\"code generated\">").append(pre)
            .append("</pre></details>\n");
      }
      first = false;
    }
    return out.toString();
  }

  private String code(List<String> lines, long startLine) {
    StringBuilder out = new StringBuilder();
    long block = -1;
    int blockIndent = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher m = LINE_COMMENT.matcher(line);
      int indent = indentOf(line);
      if (m.matches()) {
        block = Long.parseLong(m.group(2));
        blockIndent = m.group(1).length();
      } else if (block >= 0 && !line.isBlank() && indent < blockIndent) {
        block = -1;
      }
      out.append("<span class=\"gl\"");
      if (block >= 0) {
        out.append(" data-l=\"").append(block).append('"');
        if (m.matches() && anchored.add(block)) {
          out.append(" id=\"g-").append(anchor).append('-').append(block).append('"');
        }
        linked.add(block);
      }
      out.append("><span class=\"no\">").append(startLine + i).append("</span>");
      if (m.matches()) {
        out.append("<a class=\"cm\" href=\"#s-").append(anchor).append('-').append(block).append("\">")
            .append(Html.escape(line)).append("</a>");
      } else {
        out.append(highlight(line));
      }
      out.append("</span>");
    }
    return out.toString();
  }

  /** The method's source lines, each numbered as in its file. */
  String source(JsonNode method) {
    StringBuilder out = new StringBuilder("<pre class=\"code source\">");
    long line = method.path("sourceStartLine").asLong(1);
    for (JsonNode l : method.path("source")) {
      out.append("<span class=\"sl\" id=\"s-").append(anchor).append('-').append(line).append('"');
      if (linked.contains(line)) {
        out.append(" data-l=\"").append(line).append("\"><a class=\"no\" href=\"#g-").append(anchor).append('-')
            .append(line).append("\" title=\"to the generated code of line ").append(line).append("\">")
            .append(line).append("</a>");
      } else {
        out.append("><span class=\"no\">").append(line).append("</span>");
      }
      out.append(highlight(l.asText())).append("</span>");
      line++;
    }
    return out.append("</pre>").toString();
  }

  /** Hover rules: a line of either panel lights up the other's lines of the same source line. */
  String hoverStyle(String sectionId) {
    StringBuilder css = new StringBuilder();
    for (long l : linked) {
      css.append('#').append(sectionId).append(":has([data-l=\"").append(l).append("\"]:hover) [data-l=\"")
          .append(l).append("\"]");
      css.append("{background:#fef08a}\n");
    }
    return css.toString();
  }

  private static int indentOf(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /** Comments grey, keywords bold: escaped first, so a keyword never matches inside an entity. */
  static String highlight(String line) {
    int comment = commentStart(line);
    String code = comment < 0 ? line : line.substring(0, comment);
    String rest = comment < 0 ? "" : line.substring(comment);
    String html = KEYWORDS.matcher(Html.escape(code)).replaceAll("<b>$1</b>");
    return rest.isEmpty() ? html : html + "<i>" + Html.escape(rest) + "</i>";
  }

  /** Where a // comment starts outside string and char literals, or -1. */
  private static int commentStart(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
        return i;
      }
    }
    return -1;
  }
}
