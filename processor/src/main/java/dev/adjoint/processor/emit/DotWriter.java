package dev.adjoint.processor.emit;

import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The computation graph of a method as Graphviz DOT, for {@code -Aadjoint.graphs=true}: one
 * node per statement labelled with its source expression, edges from where each value is
 * defined to where it is used, branches and loops as clusters. Values that carry derivatives
 * are filled; values the reverse sweep tapes have a double border.
 */
public final class DotWriter {
  private final MethodGraph graph;
  private final Planner plan;
  private final StringBuilder out = new StringBuilder();
  private final Map<Var, String> definedAt = new HashMap<>();
  private final Set<String> edges = new LinkedHashSet<>();
  private int nodes;
  private int clusters;

  private DotWriter(MethodGraph graph, Planner plan) {
    this.graph = graph;
    this.plan = plan;
  }

  public static String dot(String title, MethodGraph graph, Planner plan) {
    DotWriter w = new DotWriter(graph, plan);
    return w.write(title);
  }

  private String write(String title) {
    out.append("digraph \"").append(escape(title)).append("\" {\n");
    out.append("  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
    out.append("  label=\"").append(escape(title)).append(" — filled: carries a derivative; double border: taped\";\n");
    for (Var p : graph.params()) {
      String id = "n" + nodes++;
      boolean wrt = graph.wrt().contains(p);
      out.append("  ").append(id).append(" [shape=ellipse, label=\"").append(escape(p.name()))
          .append("\"").append(wrt ? ", style=filled, fillcolor=\"#cfe8ff\"" : "").append("];\n");
      definedAt.put(p, id);
    }
    block(graph.body(), "  ");
    for (String e : edges) {
      out.append("  ").append(e).append(";\n");
    }
    out.append("}\n");
    return out.toString();
  }

  private void block(Block b, String indent) {
    for (Stmt s : b.stmts) {
      statement(s, indent, b);
    }
  }

  private void statement(Stmt s, String indent, Block in) {
    if (s instanceof Stmt.Assign a && a.target.kind() != Var.Kind.SYNTHETIC || s instanceof Stmt.Assign r
        && r.target == graph.result() || s instanceof Stmt.ArrayStore) {
      Var target = s instanceof Stmt.Assign a ? a.target : ((Stmt.ArrayStore) s).array;
      Expr value = s instanceof Stmt.Assign a ? a.value : ((Stmt.ArrayStore) s).value;
      String id = "n" + nodes++;
      String label = s.src.known() ? "line " + s.src.line() + ": " + s.src.text()
          : target.name() + " = " + ExprWriter.text(value);
      boolean active = plan.isActive(target);
      boolean taped = in.carried.contains(target)
          || s instanceof Stmt.Assign a && a.save == Stmt.Save.TAPE
          || s instanceof Stmt.ArrayStore st && st.save == Stmt.Save.TAPE;
      out.append(indent).append(id).append(" [label=\"").append(escape(label)).append("\"")
          .append(active ? ", style=filled, fillcolor=\"#cfe8ff\"" : "")
          .append(taped ? ", peripheries=2" : "").append("];\n");
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Ref ref && definedAt.containsKey(ref.var())) {
            edges.add(definedAt.get(ref.var()) + " -> " + id);
          }
        });
      }
      definedAt.put(target, id);
      return;
    }
    if (s instanceof Stmt.If || s instanceof Stmt.Loop || s instanceof Stmt.Nested) {
      String header = s instanceof Stmt.If ? "if" : s instanceof Stmt.Loop ? "loop" : "block";
      if (s.src.known()) {
        header = "line " + s.src.line() + ": " + s.src.text();
      }
      out.append(indent).append("subgraph cluster_").append(clusters++).append(" {\n");
      out.append(indent).append("  label=\"").append(escape(header)).append("\"; style=rounded;\n");
      for (Block c : Blocks.children(s)) {
        block(c, indent + "  ");
      }
      out.append(indent).append("}\n");
    } else if (s instanceof Stmt.Assign a) {
      // a temporary or flag the pipeline introduced: its uses link to what it reads
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Ref ref && definedAt.containsKey(ref.var())) {
            definedAt.putIfAbsent(a.target, definedAt.get(ref.var()));
          }
        });
      }
    }
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
