package dev.adjoint.samples;

import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG line chart: panels side by side, each with axes, ticks, labels and one
 * polyline per series against the epoch (1, 2, ...). No library; the output is plain SVG 1.1 that
 * browsers and image viewers show.
 */
final class LineChart {
  private static final int PANEL_WIDTH = 480;
  private static final int HEIGHT = 360;
  private static final int LEFT = 64;
  private static final int RIGHT = 20;
  private static final int TOP = 56;
  private static final int BOTTOM = 52;

  private LineChart() {}

  /**
   * One curve.
   *
   * @param name shown in the legend
   * @param colour an SVG colour
   * @param values the value at epoch 1, 2, ...
   */
  record Series(String name, String colour, double[] values) {}

  /**
   * One plot.
   *
   * @param title above the plot
   * @param yLabel beside the vertical axis
   * @param fromZero whether the vertical axis starts at 0 (else at the smallest value, rounded)
   * @param series the curves
   */
  record Panel(String title, String yLabel, boolean fromZero, List<Series> series) {}

  /** The SVG document: a heading and the panels side by side. */
  static String svg(String heading, List<Panel> panels) {
    int width = PANEL_WIDTH * panels.size();
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " font-family=\"sans-serif\" font-size=\"12\">%n",
        width, HEIGHT, width, HEIGHT));
    out.append(String.format(Locale.ROOT,
        "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, HEIGHT));
    text(out, width / 2.0, 22, "middle", 15, heading);
    for (int i = 0; i < panels.size(); i++) {
      panel(out, i * PANEL_WIDTH, panels.get(i));
    }
    return out.append("</svg>\n").toString();
  }

  private static void panel(StringBuilder out, int x0, Panel p) {
    int epochs = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Series s : p.series()) {
      epochs = Math.max(epochs, s.values().length);
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    if (min > max) { // no finite values
      min = 0;
      max = 1;
    }
    if (p.fromZero()) {
      min = Math.min(0, min);
    }
    if (max - min < 1e-12) {
      max = min + 1;
    }
    double yStep = niceStep((max - min) / 5);
    double yLow = Math.floor(min / yStep) * yStep;
    double yHigh = Math.ceil(max / yStep) * yStep;
    double xLow = 1;
    double xHigh = Math.max(2, epochs);
    double xStep = Math.max(1, niceStep((xHigh - xLow) / 8));

    double left = x0 + LEFT;
    double right = x0 + PANEL_WIDTH - RIGHT;
    double top = TOP;
    double bottom = HEIGHT - BOTTOM;
    Scale sx = new Scale(xLow, xHigh, left, right);
    Scale sy = new Scale(yLow, yHigh, bottom, top);

    text(out, (left + right) / 2, TOP - 14, "middle", 13, p.title());
    // grid and ticks
    long yTicks = Math.round((yHigh - yLow) / yStep);
    for (long k = 0; k <= yTicks; k++) {
      double y = yLow + k * yStep;
      double py = sy.map(y);
      line(out, left, py, right, py, "#e5e5e5");
      text(out, left - 6, py + 4, "end", 11, number(y, yStep));
    }
    // ticks at 1 and at multiples of the step
    for (double x = xLow; x <= xHigh + 1e-9; x = x == xLow && xStep > 1 ? xStep : x + xStep) {
      double px = sx.map(x);
      line(out, px, bottom, px, bottom + 5, "#333");
      text(out, px, bottom + 18, "middle", 11, number(x, 1));
    }
    // axes and their labels
    line(out, left, top, left, bottom, "#333");
    line(out, left, bottom, right, bottom, "#333");
    text(out, (left + right) / 2, HEIGHT - 14, "middle", 12, "epoch");
    out.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\""
            + " transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n",
        x0 + 16.0, (top + bottom) / 2, x0 + 16.0, (top + bottom) / 2, escape(p.yLabel())));
    // curves
    for (Series s : p.series()) {
      StringBuilder points = new StringBuilder();
      double[] v = s.values();
      for (int i = 0; i < v.length; i++) {
        if (Double.isFinite(v[i])) {
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.map(i + 1), sy.map(v[i])));
        }
      }
      out.append(String.format(Locale.ROOT,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
          s.colour(), points.toString().trim()));
      if (v.length <= 40) {
        for (int i = 0; i < v.length; i++) {
          if (Double.isFinite(v[i])) {
            out.append(String.format(Locale.ROOT,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                sx.map(i + 1), sy.map(v[i]), s.colour()));
          }
        }
      }
    }
    // legend, top right inside the plot
    double ly = top + 14;
    for (Series s : p.series()) {
      line(out, right - 130, ly - 4, right - 110, ly - 4, s.colour(), 2);
      text(out, right - 104, ly, "start", 11, s.name());
      ly += 16;
    }
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
  }

  private static String number(double v, double step) {
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private record Scale(double low, double high, double from, double to) {
    double map(double v) {
      return from + (v - low) / (high - low) * (to - from);
    }
  }

  private static void line(StringBuilder out, double x1, double y1, double x2, double y2,
      String colour) {
    line(out, x1, y1, x2, y2, colour, 1);
  }

  private static void line(StringBuilder out, double x1, double y1, double x2, double y2,
      String colour, double width) {
    out.append(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"/>%n",
        x1, y1, x2, y2, colour, width == 1 ? "1" : String.valueOf(width)));
  }

  private static void text(StringBuilder out, double x, double y, String anchor, int size,
      String s) {
    out.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
        x, y, anchor, size, escape(s)));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
