package dev.adjoint.maven.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayeredLayoutTest {
  @Test
  void randomDagsHaveNoOverlappingNodesAndEveryEdgeRunsDownwards() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(40);
      double[] widths = new double[n];
      for (int i = 0; i < n; i++) {
        widths[i] = 40 + random.nextInt(260);
      }
      List<int[]> edges = new ArrayList<>();
      for (int i = 0; i < n * 2; i++) {
        int a = random.nextInt(n);
        int b = random.nextInt(n);
        if (a != b) {
          edges.add(new int[] {Math.min(a, b), Math.max(a, b)});
        }
      }
      check(widths, edges);
    }
  }

  @Test
  void aRealMethodsGraphIsLaidOutCompactly() throws IOException {
    JsonNode graph = gmm().path("methods").get(0).path("graph");
    int n = graph.path("nodes").size();
    double[] widths = new double[n];
    java.util.Arrays.fill(widths, 200);
    List<int[]> edges = new ArrayList<>();
    graph.path("edges").forEach(e -> edges.add(new int[] {e.get(0).asInt(), e.get(1).asInt()}));
    LayeredLayout layout = check(widths, edges);
    // the inputs of the main loop are spread over rows: no row much wider than MAX_ROW
    assertTrue(layout.width < 2 * LayeredLayout.MAX_ROW, "width " + layout.width);
  }

  @Test
  void backwardEdgesAndSelfLoopsAreTolerated() {
    LayeredLayout layout = check(new double[] {50, 50, 50}, List.of(new int[] {2, 0}, new int[] {1, 1},
        new int[] {0, 1}));
    assertEquals(2, layout.routes.size());
  }

  static JsonNode gmm() throws IOException {
    try (InputStream in = LayeredLayoutTest.class.getResourceAsStream("/inspect/dev.adjoint.gradbench.Gmm.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** Lays the graph out and checks: boxes inside the drawing, no two overlapping, one route per edge, downwards. */
  private static LayeredLayout check(double[] widths, List<int[]> edges) {
    LayeredLayout layout = new LayeredLayout(widths, edges);
    int n = widths.length;
    for (int i = 0; i < n; i++) {
      LayeredLayout.Box a = layout.boxes[i];
      assertEquals(widths[i], a.width(), 1e-9);
      assertTrue(a.x() >= 0 && a.x() + a.width() <= layout.width + 1e-6, "node " + i + " outside: " + a);
      assertTrue(a.y() >= 0 && a.y() + a.height() <= layout.height + 1e-6, "node " + i + " outside: " + a);
      for (int j = i + 1; j < n; j++) {
        assertFalse(a.overlaps(layout.boxes[j]), "nodes " + i + " and " + j + " overlap: " + a + " " + layout.boxes[j]);
      }
    }
    long drawable = edges.stream().filter(e -> e[0] != e[1]).count();
    assertEquals(drawable, layout.routes.size());
    for (LayeredLayout.Route r : layout.routes) {
      LayeredLayout.Box from = layout.boxes[r.from()];
      LayeredLayout.Box to = layout.boxes[r.to()];
      assertTrue(from.y() < to.y(), "edge " + r.from() + "->" + r.to() + " does not run downwards");
      double[] first = r.points().get(0);
      double[] last = r.points().get(r.points().size() - 1);
      assertEquals(from.centerX(), first[0], 1e-9);
      assertEquals(from.y() + from.height(), first[1], 1e-9);
      assertEquals(to.centerX(), last[0], 1e-9);
      assertEquals(to.y(), last[1], 1e-9);
    }
    return layout;
  }
}
