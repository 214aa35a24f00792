package dev.adjoint.maven.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A method's computation graph (the inspection file's {@code graph}: inputs, statements, loops
 * collapsed to one node each, the output) drawn as inline SVG with {@link LayeredLayout}. Each
 * node links to its source line; its full text is its tooltip.
 */
final class GraphSvg {
  static final int MAX_LABEL = 36;
  static final double CHAR_WIDTH = 7.0;

  private GraphSvg() {}

  /** The SVG of the graph; {@code anchor} makes the ids of the method's source lines ({@code s-anchor-N}). */
  static String render(JsonNode graph, String anchor) {
    JsonNode nodes = graph.path("nodes");
    int n = nodes.size();
    double[] widths = new double[n];
    String[] labels = new String[n];
    for (int i = 0; i < n; i++) {
      JsonNode node = nodes.get(i);
      labels[i] = shortLabel(node);
      widths[i] = Math.max(56, labels[i].length() * CHAR_WIDTH + 20);
    }
    List<int[]> edges = new ArrayList<>();
    for (JsonNode e : graph.path("edges")) {
      edges.add(new int[] {e.get(0).asInt(), e.get(1).asInt()});
    }
    LayeredLayout layout = new LayeredLayout(widths, edges);
    StringBuilder svg = new StringBuilder();
    String marker = "arrow-" + anchor;
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\""
            + " role=\"img\" aria-label=\"computation graph\">\n",
        layout.width, layout.height, layout.width, layout.height));
    svg.append("<defs><marker id=\"").append(marker).append("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\""
        + " markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\""
        + " fill=\"#64748b\"/></marker></defs>\n");
    for (LayeredLayout.Route r : layout.routes) {
      svg.append("<path class=\"edge\" d=\"").append(path(r.points())).append("\" marker-end=\"url(#")
          .append(marker).append(")\"/>\n");
    }
    for (int i = 0; i < n; i++) {
      JsonNode node = nodes.get(i);
      LayeredLayout.Box b = layout.boxes[i];
      String kind = node.path("kind").asText("op");
      long line = node.path("line").asLong(-1);
      String css = "node " + kind + (node.path("active").asBoolean() ? " active" : "")
          + (node.path("taped").asBoolean() ? " taped" : "");
      if (line > 0) {
        svg.append("<a href=\"#s-").append(anchor).append('-').append(line).append("\">");
      }
      svg.append("<g class=\"").append(css).append("\"><title>").append(Html.escape(tooltip(node)))
          .append("</title>");
      double radius = kind.equals("input") || kind.equals("output") ? b.height() / 2 : 5;
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%.1f\"/>", b.x(), b.y(), b.width(),
          b.height(), radius));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", b.centerX(),
          b.y() + b.height() / 2 + 4)).append(Html.escape(labels[i])).append("</text></g>");
      if (line > 0) {
        svg.append("</a>");
      }
      svg.append('\n');
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private static String shortLabel(JsonNode node) {
    String label = node.path("label").asText("");
    if (node.path("kind").asText().equals("loop")) {
      label = "\u27f3 " + label;
    }
    return label.length() <= MAX_LABEL ? label : label.substring(0, MAX_LABEL - 1) + "\u2026";
  }

  private static String tooltip(JsonNode node) {
    long line = node.path("line").asLong(-1);
    String kind = node.path("kind").asText();
    String what = switch (kind) {
      case "input" -> node.path("active").asBoolean() ? "input, differentiated" : "input";
      case "loop" -> "loop, its body collapsed";
      case "output" -> "the method's value";
      default -> node.path("active").asBoolean() ? "carries a derivative" : "no derivative";
    };
    if (node.path("taped").asBoolean()) {
      what += "; taped";
    }
    return (line > 0 ? "line " + line + ": " : "") + node.path("label").asText() + " (" + what + ")";
  }

  /** Straight through layers' dummies, curved between layers. */
  private static String path(List<double[]> points) {
    StringBuilder d = new StringBuilder();
    double[] p0 = points.get(0);
    d.append(String.format(Locale.ROOT, "M%.1f,%.1f", p0[0], p0[1]));
    for (int i = 1; i < points.size(); i++) {
      double[] a = points.get(i - 1);
      double[] b = points.get(i);
      if (a[0] == b[0]) {
        d.append(String.format(Locale.ROOT, " L%.1f,%.1f", b[0], b[1]));
      } else {
        double mid = (a[1] + b[1]) / 2;
        d.append(String.format(Locale.ROOT, " C%.1f,%.1f %.1f,%.1f %.1f,%.1f", a[0], mid, b[0], mid, b[0], b[1]));
      }
    }
    return d.toString();
  }
}
