package dev.adjoint.maven.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A layered (Sugiyama-style) drawing of a directed acyclic graph, top to bottom: longest-path
 * layering, a dummy node wherever an edge crosses a layer (so edges bend around nodes instead of
 * crossing them), barycentre ordering sweeps to reduce crossings, then each layer's nodes placed
 * left to right at their barycentres without overlapping. An edge that points backwards (the
 * processor writes none) is drawn reversed.
 */
public final class LayeredLayout {
  public static final double NODE_HEIGHT = 30;
  public static final double LAYER_GAP = 46;
  public static final double NODE_GAP = 18;
  /** Between an edge passing a layer and its neighbours. */
  public static final double EDGE_GAP = 6;
  /** Rows of sources wider than this are spread over more rows. */
  public static final double MAX_ROW = 1000;
  public static final double MARGIN = 12;
  static final int SWEEPS = 8;

  /** A placed node: its top-left corner and size. */
  public record Box(double x, double y, double width, double height) {
    public double centerX() {
      return x + width / 2;
    }

    boolean overlaps(Box o) {
      return x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height;
    }
  }

  /** An edge as a polyline from the bottom of its source to the top of its target. */
  public record Route(int from, int to, List<double[]> points) {}

  public final Box[] boxes;
  public final List<Route> routes = new ArrayList<>();
  public final double width;
  public final double height;

  /**
   * @param widths each node's width
   * @param edges pairs {from, to} of node indexes
   */
  public LayeredLayout(double[] widths, List<int[]> edges) {
    int n = widths.length;
    // longest-path layering: a node one layer below its lowest predecessor
    int[] layer = new int[n];
    List<int[]> forward = new ArrayList<>();
    for (int[] e : edges) {
      if (e[0] == e[1] || e[0] < 0 || e[1] < 0 || e[0] >= n || e[1] >= n) {
        continue;
      }
      forward.add(e[0] < e[1] ? e : new int[] {e[1], e[0]});
    }
    forward.sort(Comparator.comparingInt((int[] e) -> e[1]));
    for (int[] e : forward) {
      layer[e[1]] = Math.max(layer[e[1]], layer[e[0]] + 1);
    }
    // a source (an input, a constant) sits right above its first reader, not at the top
    boolean[] hasPredecessor = new boolean[n];
    int[] firstReader = new int[n];
    Arrays.fill(firstReader, Integer.MAX_VALUE);
    for (int[] e : forward) {
      hasPredecessor[e[1]] = true;
      firstReader[e[0]] = Math.min(firstReader[e[0]], layer[e[1]]);
    }
    for (int v = 0; v < n; v++) {
      if (!hasPredecessor[v] && firstReader[v] != Integer.MAX_VALUE) {
        layer[v] = Math.max(layer[v], firstReader[v] - 1);
      }
    }
    staggerSources(widths, layer, hasPredecessor);
    // nodes: the real ones, then one dummy per layer an edge crosses
    List<Integer> nodeLayer = new ArrayList<>();
    for (int l : layer) {
      nodeLayer.add(l);
    }
    List<double[]> size = new ArrayList<>();
    for (double w : widths) {
      size.add(new double[] {w});
    }
    List<int[]> segments = new ArrayList<>();
    List<int[]> chains = new ArrayList<>(); // per edge: the nodes it passes, from source to target
    for (int[] e : forward) {
      List<Integer> chain = new ArrayList<>();
      chain.add(e[0]);
      int previous = e[0];
      for (int l = layer[e[0]] + 1; l < layer[e[1]]; l++) {
        int dummy = nodeLayer.size();
        nodeLayer.add(l);
        size.add(new double[] {0});
        segments.add(new int[] {previous, dummy});
        chain.add(dummy);
        previous = dummy;
      }
      segments.add(new int[] {previous, e[1]});
      chain.add(e[1]);
      chains.add(chain.stream().mapToInt(Integer::intValue).toArray());
    }
    int layers = nodeLayer.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    List<List<Integer>> order = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      order.add(new ArrayList<>());
    }
    for (int v = 0; v < nodeLayer.size(); v++) {
      order.get(nodeLayer.get(v)).add(v);
    }
    List<List<Integer>> up = adjacency(nodeLayer.size(), segments, true);
    List<List<Integer>> down = adjacency(nodeLayer.size(), segments, false);
    double[] position = new double[nodeLayer.size()];
    index(order, position);
    for (int sweep = 0; sweep < SWEEPS; sweep++) {
      boolean downwards = sweep % 2 == 0;
      for (int i = 1; i < layers; i++) {
        int l = downwards ? i : layers - 1 - i;
        List<List<Integer>> neighbours = downwards ? up : down;
        List<Integer> row = order.get(l);
        double[] key = new double[nodeLayer.size()];
        for (int v : row) {
          key[v] = barycentre(neighbours.get(v), position, position[v]);
        }
        row.sort(Comparator.comparingDouble(v -> key[v]));
        index(order, position);
      }
    }
    // x: each layer left to right, each node pulled to the barycentre of its neighbours above
    double[] x = new double[nodeLayer.size()];
    double[] w = size.stream().mapToDouble(s -> s[0]).toArray();
    double widest = 0;
    double[] rowWidth = new double[layers];
    for (int l = 0; l < layers; l++) {
      List<Integer> row = order.get(l);
      double cursor = 0;
      for (int i = 0; i < row.size(); i++) {
        int v = row.get(i);
        cursor += i == 0 ? 0 : gap(w[row.get(i - 1)], w[v]);
        x[v] = cursor;
        cursor += w[v];
      }
      rowWidth[l] = cursor;
      widest = Math.max(widest, cursor);
    }
    // packed rows, centred; then pulled towards their neighbours, within the widest row's width
    for (int l = 0; l < layers; l++) {
      for (int v : order.get(l)) {
        x[v] += (widest - rowWidth[l]) / 2;
      }
    }
    for (int pass = 0; pass < 4; pass++) {
      for (int i = 0; i < layers; i++) {
        boolean downwards = pass % 2 == 0;
        int l = downwards ? i : layers - 1 - i;
        place(order.get(l), downwards ? up : down, x, w);
        clamp(order.get(l), x, w, widest);
      }
    }
    double minX = Arrays.stream(x).min().orElse(0);
    double maxX = 0;
    for (int v = 0; v < x.length; v++) {
      x[v] -= minX;
      maxX = Math.max(maxX, x[v] + w[v]);
    }
    boxes = new Box[n];
    for (int v = 0; v < n; v++) {
      boxes[v] = new Box(MARGIN + x[v], MARGIN + layer[v] * (NODE_HEIGHT + LAYER_GAP), w[v], NODE_HEIGHT);
    }
    for (int i = 0; i < forward.size(); i++) {
      int[] chain = chains.get(i);
      List<double[]> points = new ArrayList<>();
      Box from = boxes[chain[0]];
      points.add(new double[] {from.centerX(), from.y() + from.height()});
      for (int k = 1; k < chain.length - 1; k++) {
        int d = chain[k];
        double y = MARGIN + nodeLayer.get(d) * (NODE_HEIGHT + LAYER_GAP);
        points.add(new double[] {MARGIN + x[d], y});
        points.add(new double[] {MARGIN + x[d], y + NODE_HEIGHT});
      }
      Box to = boxes[chain[chain.length - 1]];
      points.add(new double[] {to.centerX(), to.y()});
      routes.add(new Route(chain[0], chain[chain.length - 1], points));
    }
    width = 2 * MARGIN + maxX;
    height = 2 * MARGIN + Math.max(layers, 1) * (NODE_HEIGHT + LAYER_GAP) - LAYER_GAP;
  }

  /**
   * Where the sources above one node (a loop reading ten inputs) would make a row wider than
   * {@link #MAX_ROW}, they are spread over as many rows above it as needed; then every layer
   * moves down by the rows added on top.
   */
  private static void staggerSources(double[] widths, int[] layer, boolean[] hasPredecessor) {
    int n = widths.length;
    int layers = Arrays.stream(layer).max().orElse(-1) + 1;
    double[] rowWidth = new double[layers];
    for (int v = 0; v < n; v++) {
      rowWidth[layer[v]] += widths[v] + NODE_GAP;
    }
    int lowest = 0;
    for (int l = 0; l < layers; l++) {
      if (rowWidth[l] <= MAX_ROW) {
        continue;
      }
      List<Integer> sources = new ArrayList<>();
      for (int v = 0; v < n; v++) {
        if (layer[v] == l && !hasPredecessor[v]) {
          sources.add(v);
        }
      }
      int rows = (int) Math.min(sources.size(), Math.ceil(rowWidth[l] / MAX_ROW));
      for (int i = 0; i < sources.size() && rows > 1; i++) {
        layer[sources.get(i)] = l - i % rows;
        lowest = Math.min(lowest, l - i % rows);
      }
    }
    if (lowest < 0) {
      for (int v = 0; v < n; v++) {
        layer[v] -= lowest;
      }
    }
  }

  /** Shifts a row back inside [0, widest] (it fits: its gaps are the packed ones or larger, never smaller). */
  private static void clamp(List<Integer> row, double[] x, double[] w, double widest) {
    if (row.isEmpty()) {
      return;
    }
    double left = x[row.get(0)];
    double right = x[row.get(row.size() - 1)] + w[row.get(row.size() - 1)];
    double shift = left < 0 ? -left : right > widest ? Math.max(widest - right, -left) : 0;
    for (int v : row) {
      x[v] += shift;
    }
  }

  /** Space between neighbours: less where an edge passes (a dummy, of width 0). */
  static double gap(double left, double right) {
    return left == 0 || right == 0 ? EDGE_GAP : NODE_GAP;
  }

  private static double gap(List<Integer> row, int i, double[] w) {
    return gap(w[row.get(i - 1)], w[row.get(i)]);
  }

  private static List<List<Integer>> adjacency(int n, List<int[]> segments, boolean predecessors) {
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ArrayList<>());
    }
    for (int[] s : segments) {
      out.get(predecessors ? s[1] : s[0]).add(predecessors ? s[0] : s[1]);
    }
    return out;
  }

  private static void index(List<List<Integer>> order, double[] position) {
    for (List<Integer> row : order) {
      for (int i = 0; i < row.size(); i++) {
        position[row.get(i)] = i;
      }
    }
  }

  private static double barycentre(List<Integer> neighbours, double[] position, double otherwise) {
    if (neighbours.isEmpty()) {
      return otherwise;
    }
    double sum = 0;
    for (int u : neighbours) {
      sum += position[u];
    }
    return sum / neighbours.size();
  }

  /**
   * Moves each node of a row towards the mean centre of its neighbours, keeping the row's order
   * and at least NODE_GAP between nodes: a left-to-right pass that only respects the left
   * neighbour, then a right-to-left one that pushes back the overlaps it left.
   */
  private static void place(List<Integer> row, List<List<Integer>> neighbours, double[] x, double[] w) {
    int k = row.size();
    double[] want = new double[k];
    for (int i = 0; i < k; i++) {
      int v = row.get(i);
      List<Integer> nb = neighbours.get(v);
      if (nb.isEmpty()) {
        want[i] = x[v];
      } else {
        double c = 0;
        for (int u : nb) {
          c += x[u] + w[u] / 2;
        }
        want[i] = c / nb.size() - w[v] / 2;
      }
    }
    // left to right: as wanted, but not over the left neighbour
    double[] placed = new double[k];
    for (int i = 0; i < k; i++) {
      placed[i] = i == 0 ? want[i] : Math.max(want[i], placed[i - 1] + w[row.get(i - 1)] + gap(row, i, w));
    }
    // right to left: pull back towards what was wanted where there is room, never overlapping
    for (int i = k - 2; i >= 0; i--) {
      double limit = placed[i + 1] - gap(row, i + 1, w) - w[row.get(i)];
      placed[i] = Math.min(placed[i], limit);
    }
    for (int i = 1; i < k; i++) {
      placed[i] = Math.max(placed[i], placed[i - 1] + w[row.get(i - 1)] + gap(row, i, w));
    }
    for (int i = 0; i < k; i++) {
      x[row.get(i)] = placed[i];
    }
  }
}
