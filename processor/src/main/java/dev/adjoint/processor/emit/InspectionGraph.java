package dev.adjoint.processor.emit;

import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A method's computation graph for the inspection report ({@link Inspection}), kept readable for
 * large methods: the inputs, one node per statement that computes a value (branches are looked
 * into), one node per top-level loop (its whole body collapsed), and the output; an edge from
 * where each value is defined to where it is read. At most {@link #MAX_NODES} nodes: the rest is
 * counted, not drawn. The same reading of the graph as {@link DotWriter}, with loops collapsed
 * and integer values (sizes, indexes) left out.
 */
final class InspectionGraph {
  static final int MAX_NODES = 60;

  /** kind: input, op, loop, output. */
  record Node(int id, String kind, String label, long line, boolean active, boolean taped) {}

  final List<Node> nodes = new ArrayList<>();
  final Set<List<Integer>> edges = new LinkedHashSet<>();
  /** Nodes that were not drawn (over the cap). */
  int omitted;

  private final MethodGraph graph;
  private final Planner plan;
  private final Map<Var, Integer> definedAt = new HashMap<>();
  /** Nodes whose values a return statement reads. */
  private final Set<Integer> returned = new LinkedHashSet<>();

  private InspectionGraph(MethodGraph graph, Planner plan) {
    this.graph = graph;
    this.plan = plan;
  }

  static InspectionGraph of(MethodGraph graph, Planner plan) {
    InspectionGraph g = new InspectionGraph(graph, plan);
    for (Var p : graph.params()) {
      if (!drawn(p.type())) {
        continue;
      }
      int id = g.node("input", p.name() + " : " + typeName(p), -1, graph.wrt().contains(p), false);
      g.definedAt.put(p, id);
    }
    g.block(graph.body());
    Integer result = g.definedAt.get(graph.result());
    int out = g.node("output", "value : " + graph.result().type().javaName(), -1, true, false);
    if (result != null && out >= 0) {
      g.edges.add(List.of(result, out));
    }
    if (out >= 0) {
      g.returned.forEach(from -> g.edges.add(List.of(from, out)));
    }
    return g;
  }

  /**
   * Values of types that carry no derivative (int, long, boolean: sizes, indexes, flags) are not
   * drawn: in a large method every loop reads them, and their edges would hide the data flow.
   */
  static boolean drawn(dev.adjoint.processor.graph.Type t) {
    return t.differentiable() || t == dev.adjoint.processor.graph.Type.OBJECT;
  }

  private static String typeName(Var p) {
    return p.objectType() != null ? p.objectType().toString().replaceAll(".*\\.", "") : p.type().javaName();
  }

  /** A new node's id, or -1 when the cap is reached (then only counted). */
  private int node(String kind, String label, long line, boolean active, boolean taped) {
    if (nodes.size() >= MAX_NODES) {
      omitted++;
      return -1;
    }
    int id = nodes.size();
    nodes.add(new Node(id, kind, label, line, active, taped));
    return id;
  }

  private void block(Block b) {
    for (Stmt s : b.stmts) {
      statement(s, b);
    }
  }

  private void statement(Stmt s, Block in) {
    if (s instanceof Stmt.Loop l) {
      loop(l);
    } else if (s instanceof Stmt.If || s instanceof Stmt.Nested) {
      // a branch's statements are drawn where they are: both arms feed what follows
      Blocks.children(s).forEach(this::block);
    } else if (s instanceof Stmt.Assign a && (a.target.kind() != Var.Kind.SYNTHETIC || a.target == graph.result())
        || s instanceof Stmt.ArrayStore) {
      Var target = s instanceof Stmt.Assign a ? a.target : ((Stmt.ArrayStore) s).array;
      if (!drawn(target.type()) && target != graph.result()) {
        return;
      }
      Expr value = s instanceof Stmt.Assign a ? a.value : ((Stmt.ArrayStore) s).value;
      String label = s.src.known() ? s.src.text() : target.name() + " = " + ExprWriter.text(value);
      boolean taped = in.carried.contains(target)
          || s instanceof Stmt.Assign a && a.save == Stmt.Save.TAPE
          || s instanceof Stmt.ArrayStore st && st.save == Stmt.Save.TAPE;
      int id = node("op", label, s.src.line(), plan.isActive(target), taped);
      link(List.of(s), id);
      if (id >= 0) {
        definedAt.put(target, id);
      }
    } else if (s instanceof Stmt.Return r && r.value != null) {
      r.value.forEach(x -> {
        if (x instanceof Expr.Ref ref && definedAt.containsKey(ref.var())) {
          returned.add(definedAt.get(ref.var()));
        }
      });
    } else if (s instanceof Stmt.Assign a) {
      // a temporary or flag the pipeline introduced: its readers link to what it reads
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Ref ref && definedAt.containsKey(ref.var())) {
            definedAt.putIfAbsent(a.target, definedAt.get(ref.var()));
          }
        });
      }
    }
  }

  /** A loop as one node: it reads what its body reads from before it, and defines all it assigns. */
  private void loop(Stmt.Loop l) {
    List<Stmt> inside = new ArrayList<>();
    inside.add(l);
    Blocks.walk(l.body, inside::add);
    Blocks.walk(l.update, inside::add);
    Set<Var> assigned = new LinkedHashSet<>();
    boolean active = false;
    for (Stmt s : inside) {
      if (s instanceof Stmt.Assign a) {
        assigned.add(a.target);
        active |= plan.isActive(a.target);
      } else if (s instanceof Stmt.ArrayStore st) {
        assigned.add(st.array);
        active |= plan.isActive(st.array);
      }
    }
    String header = l.src.known() ? l.src.text() : "loop";
    int id = node("loop", header, l.src.line(), active, plan.tapedPerIteration(l) > 0);
    link(inside, id);
    if (id >= 0) {
      assigned.forEach(v -> definedAt.put(v, id));
    }
  }

  /** Edges into node id from where the values the statements read were defined. */
  private void link(List<Stmt> reading, int id) {
    if (id < 0) {
      return;
    }
    for (Stmt s : reading) {
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Ref ref && definedAt.containsKey(ref.var()) && definedAt.get(ref.var()) != id) {
            edges.add(List.of(definedAt.get(ref.var()), id));
          }
        });
      }
    }
  }
}
