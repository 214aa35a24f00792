package dev.adjoint.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.analysis.Checkpoints;
import dev.adjoint.processor.analysis.MaxReductions;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import dev.adjoint.processor.parse.SourceAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/**
 * What the processor decided for each {@code @Differentiable} method of a class, written as one
 * JSON file per class into the directory {@code -Aadjoint.inspect=DIR} names, for the Maven
 * plugin's report: the method's source lines, the generated methods' code, what each loop tapes
 * per iteration and which planner techniques applied to it (in the user's terms), the
 * computation graph with loops collapsed ({@link InspectionGraph}) and the time spent per method.
 * Recorded after planning and before the reverse sweep is built, like the DOT graphs.
 */
public final class Inspection {
  /** Version of the file's layout, for the reader. */
  static final int FORMAT = 1;

  private final Path dir;
  private final TypeElement owner;
  private final Map<ExecutableElement, Method> methods = new LinkedHashMap<>();

  private Inspection(Path dir, TypeElement owner) {
    this.dir = dir;
    this.owner = owner;
  }

  /** The inspection of a class, or null when the option is not set. */
  public static Inspection of(String dir, TypeElement owner) {
    return dir == null || dir.isBlank() ? null : new Inspection(Path.of(dir), owner);
  }

  /** One loop: what one iteration tapes and what the planner decided for it. */
  record Loop(long line, int depth, String header, boolean reverseWork, int tapedPerIteration,
      List<String[]> taped, List<String> decisions) {}

  private static final class Method {
    String name;
    String signature;
    String link;
    List<String> wrt;
    boolean implicit;
    long sourceStartLine;
    List<String> source = List.of();
    String sourceFile;
    boolean usesTape;
    final List<String> decisions = new ArrayList<>();
    final List<Loop> loops = new ArrayList<>();
    InspectionGraph graph;
    long nanos;
  }

  /**
   * Records a planned method (before its reverse sweep is built: the graph is as the planner left
   * it). {@code splitRecursion}: its gradient is generated in split mode.
   */
  public void method(ExecutableElement element, MethodGraph graph, Planner plan, SourceAccess.MethodSource source,
      boolean implicit, boolean splitRecursion) {
    Method m = new Method();
    m.name = graph.name();
    m.signature = signature(element);
    m.link = link(element);
    m.wrt = graph.wrt().stream().map(Var::name).toList();
    m.implicit = implicit;
    m.usesTape = plan.usesTape();
    readSource(m, source);
    if (splitRecursion) {
      m.decisions.add("Recursive: its gradient records each call's forward sweep once, onto the caller's tape, and"
          + " runs the calls' reverse sweeps from it (split mode), instead of re-running each call's subtree.");
    }
    for (Stmt.Assign copy : plan.elementCopies()) {
      m.decisions.add("Line " + copy.src.line() + ": the copy '" + copy.target.name() + "' of an array element is read"
          + " again from its array in the reverse sweep, not taped per iteration (ElementCopies).");
    }
    if (!plan.usesTape()) {
      m.decisions.add("Uses no tape: every value the reverse sweep reads is still in a local.");
    }
    loops(graph, plan, graph.body(), 0, m);
    m.graph = InspectionGraph.of(graph, plan);
    methods.put(element, m);
  }

  /** Adds time spent on a method (parsing, planning, generating). */
  public void time(ExecutableElement element, long nanos) {
    Method m = methods.get(element);
    if (m != null) {
      m.nanos += nanos;
    }
  }

  private void loops(MethodGraph graph, Planner plan, Block b, int depth, Method m) {
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Loop l) {
        m.loops.add(loop(graph, plan, l, depth, depth == 0 && graph.body().stmts.contains(l)));
        loops(graph, plan, l.body, depth + 1, m);
      } else {
        for (Block c : Blocks.children(s)) {
          loops(graph, plan, c, depth, m);
        }
      }
    }
  }

  private static Loop loop(MethodGraph graph, Planner plan, Stmt.Loop l, int depth, boolean topLevel) {
    List<String[]> taped = new ArrayList<>();
    taped(l.body, taped, temporaries(l.body));
    List<String> decisions = new ArrayList<>();
    if (plan.fused(l) != null) {
      decisions.add("Fused: each iteration's adjoint runs right after the iteration; nothing is taped and there is"
          + " no second pass over the loop (Fusion).");
    }
    MaxReductions.Reduction r = plan.reduction(l);
    if (r != null) {
      decisions.add("Running maximum/minimum of '" + r.step().target.name() + "': only the iteration that took it is"
          + " noted, nothing is taped per iteration (MaxReductions).");
    }
    if (l.tripsRecomputed) {
      decisions.add("Trip count computed again by the reverse sweep, not counted nor taped (Recompute).");
    }
    for (Stmt.Loop f : l.body.refilled) {
      String array = f.body.stmts.get(0) instanceof Stmt.ArrayStore st ? st.array.name() : "?";
      decisions.add("Scratch array '" + array + "' (line " + f.src.line() + ") is filled again where the iteration's"
          + " adjoint begins, instead of taping what it overwrites (Refills).");
    }
    List<Var> hoisted = plan.hoisted(l);
    if (!hoisted.isEmpty()) {
      decisions.add(hoisted.size() + (hoisted.size() == 1 ? " value" : " values") + " that its branches compute"
          + " for the adjoint (" + String.join(", ", hoisted.stream().map(Var::name).toList()) + ") declared at the"
          + " top of the iteration instead of taped.");
    }
    if (topLevel && plan.fused(l) == null) {
      try {
        Checkpoints.Checkpoint c = new Checkpoints(graph).of(l, x -> plan.fused(x) != null);
        if (c != null) {
          List<String> state = new ArrayList<>();
          c.scalars().forEach(v -> state.add(v.name()));
          c.arrays().forEach(v -> state.add(v.name() + "[]"));
          decisions.add("Checkpointed when its tape is large: each iteration keeps only the state it starts from ("
              + String.join(", ", state) + ") and runs again, taped, right before its adjoint (Checkpoints).");
        }
      } catch (RuntimeException e) {
        // the report only: say nothing about checkpoints
      }
    }
    if (!plan.hasWork(l)) {
      decisions.add("No reverse work: nothing it computes carries a derivative to the result.");
    }
    String header = l.src.known() ? l.src.text() : "loop";
    return new Loop(l.src.line(), depth, header, plan.hasWork(l), plan.tapedPerIteration(l), taped, decisions);
  }

  /** What one iteration pushes, as Planner.tapedPerIteration counts it (inner loops' own not). */
  private static void taped(Block b, List<String[]> out, Map<Var, String> temporaries) {
    for (Var v : b.carried) {
      String name = temporaries.containsKey(v) ? v.name() + " = " + temporaries.get(v) : v.name();
      out.add(new String[] {name, v.type().javaName(), "declared in the iteration and read by its adjoint"});
    }
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Assign a && a.save == Stmt.Save.TAPE) {
        out.add(new String[] {a.target.name(), a.target.type().javaName(),
            "line " + a.src.line() + " overwrites it: the old value is pushed"});
      } else if (s instanceof Stmt.ArrayStore st && st.save == Stmt.Save.TAPE) {
        out.add(new String[] {st.array.name() + "[...]", st.array.type().element().javaName(),
            "line " + st.src.line() + " overwrites an element: the old element is pushed"});
      } else if (s instanceof Stmt.If || s instanceof Stmt.Nested) {
        Blocks.children(s).forEach(c -> taped(c, out, temporaries));
      }
    }
  }

  /** The values of the temporaries the pipeline introduced, to name them by what they hold. */
  private static Map<Var, String> temporaries(Block b) {
    Map<Var, String> out = new java.util.HashMap<>();
    Blocks.walk(b, s -> {
      if (s instanceof Stmt.Assign a && a.target.kind() == Var.Kind.SYNTHETIC && a.declaration) {
        out.putIfAbsent(a.target, ExprWriter.text(a.value).replace("java.lang.", ""));
      }
    });
    return out;
  }

  private static void readSource(Method m, SourceAccess.MethodSource source) {
    if (source == null) {
      return;
    }
    long start = source.unit().line(source.tree());
    String text = source.unit().text(source.tree());
    if (start <= 0 || text == null) {
      return;
    }
    m.sourceStartLine = start;
    int count = (int) text.chars().filter(c -> c == '\n').count() + 1;
    try {
      m.sourceFile = source.unit().tree().getSourceFile().toUri().toString();
      String[] all = source.unit().tree().getSourceFile().getCharContent(true).toString().split("\r?\n|\r", -1);
      if (start - 1 + count <= all.length) {
        m.source = List.of(all).subList((int) start - 1, (int) start - 1 + count);
        return;
      }
    } catch (IOException | RuntimeException e) {
      // the tree's own text below
    }
    m.source = List.of(text.split("\r?\n|\r", -1));
  }

  /** {@code double f(double[] x, int n)}. */
  private static String signature(ExecutableElement e) {
    List<String> params = new ArrayList<>();
    e.getParameters().forEach(p -> params.add(p.asType() + " " + p.getSimpleName()));
    return e.getReturnType() + " " + e.getSimpleName() + "(" + String.join(", ", params) + ")";
  }

  /** How the generated methods' Javadoc links their source method (as GradClassWriter writes it). */
  private String link(ExecutableElement e) {
    List<String> params = e.getParameters().stream().map(p -> p.asType().toString()).toList();
    return ClassName.get(owner).canonicalName() + "#" + e.getSimpleName() + "(" + String.join(", ", params) + ")";
  }

  /** Writes the file for the class, with the generated code of each method taken from {@code file}. */
  public void write(JavaFile file) throws IOException {
    List<String> lines = List.of(file.toString().split("\n", -1));
    Map<Method, Set<String>> members = new IdentityHashMap<>();
    for (MethodSpec spec : file.typeSpec().methodSpecs()) {
      String javadoc = spec.javadoc().toString();
      for (Method m : methods.values()) {
        if (javadoc.contains("{@link " + m.link + "}") || spec.name().startsWith(m.name + "$part")) {
          members.computeIfAbsent(m, k -> new LinkedHashSet<>()).add(spec.name());
          break;
        }
      }
    }
    ClassName generated = ClassName.get(file.packageName(), file.typeSpec().name());
    JsonOut json = new JsonOut().beginObject()
        .field("format", FORMAT)
        .field("class", ClassName.get(owner).canonicalName())
        .field("simpleName", ClassName.get(owner).simpleName())
        .field("generatedClass", generated.canonicalName())
        .field("generatedFile", (file.packageName().isEmpty() ? "" : file.packageName().replace('.', '/') + "/")
            + generated.simpleName() + ".java");
    json.name("methods").beginArray();
    for (Method m : methods.values()) {
      method(json, m, lines, members.getOrDefault(m, Set.of()));
    }
    json.endArray().endObject();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(ClassName.get(owner).reflectionName() + ".json"), json.toString(),
        StandardCharsets.UTF_8);
  }

  private static void method(JsonOut json, Method m, List<String> lines, Set<String> members) {
    json.beginObject()
        .field("name", m.name)
        .field("signature", m.signature)
        .strings("wrt", m.wrt)
        .field("implicit", m.implicit)
        .name("compileMillis").value(m.nanos / 1e6)
        .field("sourceFile", m.sourceFile)
        .field("sourceStartLine", m.sourceStartLine)
        .strings("source", m.source)
        .field("usesTape", m.usesTape);
    List<String> decisions = new ArrayList<>(m.decisions);
    long parts = members.stream().filter(n -> n.contains("$part")).count();
    if (parts > 0) {
      decisions.add("Generated code split into " + parts + " helper methods ($part), to stay under HotSpot's"
          + " 8,000-byte limit for JIT-compiled methods.");
    }
    json.strings("decisions", decisions);
    json.name("loops").beginArray();
    for (Loop l : m.loops) {
      json.beginObject().field("line", l.line()).field("depth", l.depth()).field("header", l.header())
          .field("reverseWork", l.reverseWork()).field("tapedPerIteration", l.tapedPerIteration());
      json.name("taped").beginArray();
      for (String[] t : l.taped()) {
        json.beginObject().field("name", t[0]).field("type", t[1]).field("why", t[2]).endObject();
      }
      json.endArray().strings("decisions", l.decisions()).endObject();
    }
    json.endArray();
    json.name("generated").beginArray();
    for (String name : members) {
      for (int[] range : members(lines, name)) {
        json.beginObject().field("name", name).field("startLine", range[0] + 1)
            .strings("code", lines.subList(range[0], range[1] + 1)).endObject();
      }
    }
    json.endArray();
    InspectionGraph g = m.graph;
    json.name("graph").beginObject().name("nodes").beginArray();
    for (InspectionGraph.Node n : g.nodes) {
      json.beginObject().field("id", n.id()).field("kind", n.kind()).field("label", n.label())
          .field("line", n.line()).field("active", n.active()).field("taped", n.taped()).endObject();
    }
    json.endArray().name("edges").beginArray();
    for (List<Integer> e : g.edges) {
      json.beginArray().value(e.get(0)).value(e.get(1)).endArray();
    }
    json.endArray().field("omitted", g.omitted).endObject();
    json.endObject();
  }

  /**
   * The line ranges (first, last; 0-based) of the class's members named {@code name} in the
   * printed file: from their Javadoc to their closing brace at member indentation.
   */
  static List<int[]> members(List<String> lines, String name) {
    Pattern declaration = Pattern.compile("^    \\w[\\w<>\\[\\], .?]*\\b" + Pattern.quote(name) + "\\(.*");
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!declaration.matcher(line).matches() || line.trim().startsWith("return ")) {
        continue;
      }
      int start = i;
      while (start > 0 && isHeader(lines.get(start - 1))) {
        start--;
      }
      int end = i;
      while (end < lines.size() - 1 && !lines.get(end).equals("    }")) {
        end++;
      }
      out.add(new int[] {start, end});
      i = end;
    }
    return out;
  }

  /** A Javadoc or annotation line of a member. */
  private static boolean isHeader(String line) {
    if (!line.startsWith("    ") || line.startsWith("     ") && !line.startsWith("     *")) {
      return false;
    }
    String t = line.trim();
    return t.startsWith("/**") || t.startsWith("*") || t.startsWith("@");
  }
}
