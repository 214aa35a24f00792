package dev.adjoint.processor;

import com.google.auto.service.AutoService;
import com.sun.source.tree.Tree;
import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.processor.analysis.Lowering;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.analysis.ResultLength;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.TooLarge;
import dev.adjoint.processor.diff.Modes;
import dev.adjoint.processor.diff.Reverse;
import dev.adjoint.processor.diff.SplitRecursion;
import dev.adjoint.processor.emit.CodePrinter;
import dev.adjoint.processor.emit.GradClassWriter;
import dev.adjoint.processor.emit.Naming;
import dev.adjoint.processor.emit.Names;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import dev.adjoint.processor.parse.CallResolver;
import dev.adjoint.processor.parse.MethodParser;
import dev.adjoint.processor.parse.SourceAccess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.util.ElementFilter;

/**
 * Finds {@code @Differentiable} methods and writes, per class, a {@code ...Grad} class with their
 * gradients. The pipeline per method: parse (Tree API → graph) → lower early exits → plan
 * (activity, what to keep and tape) → reverse mode → JavaPoet. Nothing is written for a class
 * once one of its methods had an error; all errors of a method are reported before giving up.
 */
@AutoService(Processor.class)
public final class AdjointProcessor extends AbstractProcessor {
  private SourceAccess sources;
  private Diagnostics diag;
  private CallResolver calls;
  /** Not javac (ECJ): every round is seen ({@code "*"}), nothing is claimed. */
  private boolean otherCompiler;
  /** Why method bodies cannot be read in this JVM (no jdk.compiler), or null. */
  private String noSource;

  @Override
  public synchronized void init(javax.annotation.processing.ProcessingEnvironment env) {
    super.init(env);
    diag = new Diagnostics(env.getMessager());
    noSource = SourceAccess.unavailable();
    if (noSource != null) {
      // a Java runtime without jdk.compiler (Eclipse started on a JRE): no class of it may be touched
      otherCompiler = true;
      return;
    }
    sources = SourceAccess.of(env);
    calls = new CallResolver(env.getElementUtils(), env.getTypeUtils());
    otherCompiler = !dev.adjoint.processor.diag.DeclarationSites.install(env, diag);
  }

  /**
   * Our annotations, and {@code @Generated} and {@code @Differentiated}, which the generated
   * classes carry: claiming them keeps
   * javac's {@code -Xlint:processing} quiet in the round that compiles them.
   */
  @Override
  public Set<String> getSupportedAnnotationTypes() {
    if (otherCompiler) {
      // ECJ hands no processor the methods of local and anonymous classes, and does not call it
      // when those are the only ones: seeing every round is the only way to report them
      return Set.of("*");
    }
    return Set.of(Differentiable.class.getCanonicalName(), Derivative.class.getCanonicalName(),
        "javax.annotation.processing.Generated", "dev.adjoint.runtime.Differentiated");
  }

  /** {@code -Aadjoint.graphs=true}: write each method's graph as DOT; {@code -Aadjoint.tapeNote=N}. */
  @Override
  public Set<String> getSupportedOptions() {
    return Set.of(GRAPHS_OPTION, TAPE_NOTE_OPTION, TIMING_OPTION, METHOD_LIMIT_OPTION, INSPECT_OPTION);
  }

  static final String GRAPHS_OPTION = "adjoint.graphs";
  static final String TAPE_NOTE_OPTION = "adjoint.tapeNote";
  /** {@code -Aadjoint.timing=true}: a note with the time spent in the processor, per method. */
  static final String TIMING_OPTION = "adjoint.timing";
  /**
   * {@code -Aadjoint.methodLimit=N}: split generated methods of more than N bytes of bytecode
   * (default HotSpot's 8,000); tests use a small N to split every method.
   */
  static final String METHOD_LIMIT_OPTION = "adjoint.methodLimit";
  /**
   * {@code -Aadjoint.inspect=DIR}: one JSON file per class into DIR, what was decided per method
   * ({@link dev.adjoint.processor.emit.Inspection}), for the Maven plugin's report.
   */
  static final String INSPECT_OPTION = "adjoint.inspect";
  /** The inspection of the class being generated, or null (option not set). */
  private dev.adjoint.processor.emit.Inspection inspection;
  /** The methods generated in this round, for {@link dev.adjoint.processor.emit.Access}. */
  private final Map<String, dev.adjoint.processor.emit.Access.Generated> generatedMethods = new HashMap<>();
  private long nanos;
  private int methods;

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  /** One method on its way through the pipeline. */
  private static final class Job {
    final ExecutableElement method;
    MethodGraph graph;
    SourceAccess.MethodSource source;
    Map<Expr, Tree> callSites = Map.of();
    boolean failed;
    /** A helper differentiated without {@code @Differentiable}: a callee needs its gradient. */
    boolean implicit;
    /** Whether fJvp and fHvp are generated: from the annotation, or what callers of a helper need. */
    boolean forward;
    boolean hessian;
    Planner plan;
    /** Time spent on it (parse, plan, generate), for the inspection report. */
    long nanos;
    /** The helpers whose derivatives this method's code calls. */
    final Set<Job> helpers = new java.util.LinkedHashSet<>();

    Job(ExecutableElement method) {
      this.method = method;
      Differentiable d = method.getAnnotation(Differentiable.class);
      forward = d != null && d.forward();
      hessian = d != null && d.hessian();
    }
  }

  /** Helpers tried this round: whether each can be differentiated (true while being parsed). */
  private final Map<ExecutableElement, Boolean> helperTried = new HashMap<>();
  /** Helpers that parsed, ready to become jobs when a caller needs their derivative. */
  private final Map<ExecutableElement, Job> helperParsed = new HashMap<>();
  /** Differentiable helpers by {@link #key(CallTarget)}. */
  private final Map<String, ExecutableElement> helperKeys = new HashMap<>();
  /** Helpers that did not parse, whose errors were shown once a caller needed their derivative. */
  private final Set<ExecutableElement> helperExplained = new java.util.HashSet<>();

  /**
   * Stack of the thread a round runs on. Every pass recurses on expressions, so nesting depth
   * costs stack; with this much, javac fails on the nesting of the source itself (at any -Xss it
   * is run with) long before the processor would. It is reserved, not committed, memory.
   */
  static final long STACK = 1L << 30;

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    if (noSource != null) {
      for (Element e : round.getElementsAnnotatedWith(Differentiable.class)) {
        diag.report(e, Message.NO_SOURCE, Naming.owner(e).getSimpleName() + "." + e.getSimpleName(), noSource
            + "; run the compiler on a JDK 17 or later (Eclipse: a JDK's java as -vm in eclipse.ini;"
            + " VS Code: java.jdt.ls.java.home set to a JDK)");
      }
      return false;
    }
    // javac's thread waits: javac's objects are only ever used by one thread at a time
    boolean[] result = {false};
    Throwable[] failure = {null};
    Thread worker = new Thread(null, () -> {
      try {
        result[0] = processRound(annotations, round);
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "adjoint-processor", STACK);
    worker.setContextClassLoader(Thread.currentThread().getContextClassLoader());
    long start = System.nanoTime();
    worker.start();
    boolean interrupted = false;
    while (true) {
      try {
        worker.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    nanos += System.nanoTime() - start;
    methods += round.getElementsAnnotatedWith(Differentiable.class).size();
    if (round.processingOver() && methods > 0
        && Boolean.parseBoolean(processingEnv.getOptions().get(TIMING_OPTION))) {
      processingEnv.getMessager().printMessage(javax.tools.Diagnostic.Kind.NOTE, String.format(
          java.util.Locale.ROOT, "[AdjointTiming] %d @Differentiable methods in %.0f ms: %.2f ms per method",
          methods, nanos / 1e6, nanos / 1e6 / methods));
    }
    if (failure[0] instanceof RuntimeException e) {
      throw e;
    }
    if (failure[0] instanceof Error e) {
      throw e;
    }
    // with "*", claiming would hide every annotation from the other processors
    return result[0] && !otherCompiler;
  }

  private boolean processRound(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    sources.newRound();
    calls.declarations().newRound();
    helperTried.clear();
    helperParsed.clear();
    helperKeys.clear();
    helperExplained.clear();
    generatedMethods.clear();
    calls.implicitHelpers(this::differentiableHelper);
    for (Element e : round.getRootElements()) {
      if (e instanceof TypeElement t) {
        compiledHere.add(t.getQualifiedName().toString());
      }
    }
    calls.compiledHere(m -> compiledHere.contains(topLevel(m).getQualifiedName().toString()));
    for (Element e : round.getElementsAnnotatedWith(Derivative.class)) {
      checkDerivative((ExecutableElement) e);
    }
    // group by class, in a fixed order: the output must not depend on javac's element order
    Map<String, List<Job>> byClass = new TreeMap<>();
    Map<String, TypeElement> classes = new HashMap<>();
    for (Element e : round.getElementsAnnotatedWith(Differentiable.class)) {
      if (e.getKind() != ElementKind.METHOD) {
        continue;
      }
      TypeElement owner = Naming.owner(e);
      String key = owner.getQualifiedName().toString();
      classes.put(key, owner);
      byClass.computeIfAbsent(key, k -> new ArrayList<>()).add(new Job((ExecutableElement) e));
    }
    Map<ExecutableElement, Job> all = new LinkedHashMap<>();
    for (Map.Entry<String, List<Job>> entry : byClass.entrySet()) {
      TypeElement owner = classes.get(entry.getKey());
      List<ExecutableElement> order = ElementFilter.methodsIn(owner.getEnclosedElements());
      entry.getValue().sort(Comparator.comparingInt(j -> order.indexOf(j.method)));
      for (Job job : entry.getValue()) {
        parse(job);
        all.put(job.method, job);
      }
    }
    // plan every method, and every helper whose derivative a planned method calls, until no new one
    java.util.Deque<Job> work = new java.util.ArrayDeque<>(all.values());
    Map<ExecutableElement, Job> helperJobs = new HashMap<>();
    while (!work.isEmpty()) {
      Job job = work.poll();
      plan(job);
      for (ExecutableElement h : helpersNeeded(job)) {
        Job helper = helperJobs.get(h);
        if (helper == null) {
          helper = helperParsed.get(h);
          helperJobs.put(h, helper);
          TypeElement owner = Naming.owner(h);
          String key = owner.getQualifiedName().toString();
          classes.put(key, owner);
          byClass.computeIfAbsent(key, k -> new ArrayList<>()).add(helper);
          work.add(helper);
        }
        job.helpers.add(helper);
      }
    }
    // a helper gets the modes its callers need: their Hvp calls its Hvp, a layer's Jvp its Jvp
    List<Job> jobs = new ArrayList<>(all.values());
    jobs.addAll(helperJobs.values());
    for (boolean changed = true; changed; ) {
      changed = false;
      for (Job job : jobs) {
        for (Job h : job.helpers) {
          boolean forward = job.forward && h.graph.result().type() != Type.DOUBLE;
          if (job.hessian && !h.hessian || forward && !h.forward) {
            h.hessian |= job.hessian;
            h.forward |= forward;
            changed = true;
          }
        }
      }
    }
    for (Job job : jobs) {
      if (!job.failed) {
        register(job);
      }
    }
    for (Map.Entry<String, List<Job>> entry : byClass.entrySet()) {
      TypeElement owner = classes.get(entry.getKey());
      List<ExecutableElement> order = ElementFilter.methodsIn(owner.getEnclosedElements());
      entry.getValue().sort(Comparator.comparingInt(j -> order.indexOf(j.method)));
      generate(owner, entry.getValue());
    }
    if (otherCompiler) {
      // after writing, as javac's listener reports them after processing
      dev.adjoint.processor.diag.DeclarationSites.scanRound(round, sources, diag);
    }
    return true;
  }

  /** Lowering and planning: activity, what to keep and tape; errors for calls that cannot be differentiated. */
  private void plan(Job job) {
    if (job.failed) {
      return;
    }
    long start = System.nanoTime();
    try {
      Lowering.lower(job.graph);
      job.plan = new Planner(job.graph);
      if (job.hessian || job.implicit || job.forward || job.graph.result().type().isDoubleArray()) {
        // forward mode differentiates this sweep (a helper may yet be asked for its Hessian-vector
        // product by a caller), or this body (fJvp, and fJacobian of a vector-valued method): calls
        // keep their gradient records, whose partials give the tangents (an accumulating call has none)
        job.plan.withoutAccumulatingCalls();
      }
      List<Planner.BadCall> bad = job.plan.plan();
      if (!bad.isEmpty()) {
        reportCalls(job, bad);
        job.failed = true;
      }
    } catch (TooLarge | StackOverflowError | OutOfMemoryError ex) {
      tooLarge(job, ex);
    } catch (RuntimeException ex) {
      internalError(job, ex);
    } finally {
      job.nanos += System.nanoTime() - start;
    }
  }

  /** The helpers (differentiated implicitly) whose derivative the planned method calls. */
  private Set<ExecutableElement> helpersNeeded(Job job) {
    Set<ExecutableElement> out = new java.util.LinkedHashSet<>();
    if (job.failed) {
      return out;
    }
    dev.adjoint.processor.analysis.Blocks.walk(job.graph.body(), s -> {
      for (Expr e : dev.adjoint.processor.analysis.Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Call c && (c.target().kind() == CallTarget.Kind.GENERATED
              || c.target().kind() == CallTarget.Kind.ACCUMULATE)) {
            ExecutableElement h = helperKeys.get(key(c.target()));
            if (h != null && (c.derivative() != null || (c.type() == Type.TENSOR || c.type().isDoubleArray()
                || c.target().kind() == CallTarget.Kind.ACCUMULATE)
                && dev.adjoint.processor.diff.Propagation.isActive(c, job.plan::isActive))) {
              out.add(h);
            }
          }
        });
      }
    });
    return out;
  }

  /**
   * Whether a method (static, or of the model instance) without {@code @Differentiable} or {@code @Derivative} is
   * differentiated as if annotated with the defaults: its source is in this compilation, and
   * it parses as a differentiable method (tried silently: it may never receive a derivative).
   */
  /**
   * The top-level classes whose source this compilation processes (every round so far): their
   * generated classes are written now, with every overload this processor writes.
   */
  private final Set<String> compiledHere = new java.util.HashSet<>();

  private static TypeElement topLevel(Element e) {
    Element top = e;
    while (top.getEnclosingElement() != null && top.getEnclosingElement().getKind() != ElementKind.PACKAGE
        && top.getEnclosingElement().getKind() != ElementKind.MODULE) {
      top = top.getEnclosingElement();
    }
    return (TypeElement) top;
  }

  private boolean differentiableHelper(ExecutableElement m) {
    Boolean known = helperTried.get(m);
    if (known != null) {
      return known;
    }
    if (m.getAnnotation(Differentiable.class) != null
        || sources.find(m) == null) {
      helperTried.put(m, false);
      return false;
    }
    helperTried.put(m, true); // while it is parsed: a recursive helper calls a differentiable method
    Job job = new Job(m);
    job.implicit = true;
    boolean ok;
    try {
      MethodParser parser = new MethodParser(processingEnv, dev.adjoint.processor.diag.Diagnostics.silent(), calls, sources);
      Optional<MethodGraph> g = parser.parse(m);
      job.source = parser.source();
      job.callSites = parser.callSites();
      job.graph = g.orElse(null);
      ok = g.isPresent();
    } catch (StackOverflowError | RuntimeException ex) {
      ok = false; // too large, or a bug: it is then not differentiated implicitly
    }
    helperTried.put(m, ok);
    if (ok) {
      helperParsed.put(m, job);
      calls.resolve(m).ifPresent(t -> helperKeys.put(key(t), m));
    }
    return ok;
  }

  /** A callee by class, name and parameter types. */
  private static String key(CallTarget t) {
    // an instance method's call carries its receiver as a first argument: not part of its signature
    List<Type> params = t.instance() ? t.paramTypes().subList(1, t.paramTypes().size()) : t.paramTypes();
    return t.owner().canonicalName() + "#" + t.name() + params;
  }

  /** What the methods generated for a job will be, for callers in other classes (Access). */
  private void register(Job job) {
    com.palantir.javapoet.ClassName grad = Naming.gradClass(Naming.owner(job.method));
    boolean isPublic = GradClassWriter.isPublic(job.method);
    MethodGraph g = job.graph;
    List<com.palantir.javapoet.TypeName> params = new ArrayList<>();
    g.params().forEach(p -> params.add(GradClassWriter.javaType(p)));
    List<com.palantir.javapoet.TypeName> withTangents = new ArrayList<>(params);
    g.wrt().forEach(p -> withTangents.add(GradClassWriter.javaType(p)));
    com.palantir.javapoet.ClassName record = grad.nestedClass(g.recordName());
    if (g.result().type() == Type.DOUBLE) {
      putGenerated(grad, g.name(), isPublic, record, params);
    } else {
      List<com.palantir.javapoet.TypeName> withSeed = new ArrayList<>(params);
      withSeed.add(GradClassWriter.javaType(g.result().type()));
      putGenerated(grad, g.name() + "Vjp", isPublic, record, withSeed);
    }
    putGenerated(grad, g.name() + "Jvp", isPublic, grad.nestedClass(g.recordName() + "Jvp"), withTangents);
    putGenerated(grad, g.name() + "Hvp", isPublic, grad.nestedClass(g.recordName() + "Hvp"), withTangents);
  }

  private void putGenerated(com.palantir.javapoet.ClassName grad, String name, boolean isPublic,
      com.palantir.javapoet.TypeName returns, List<com.palantir.javapoet.TypeName> params) {
    generatedMethods.put(dev.adjoint.processor.emit.Access.key(grad, name, params.size()),
        new dev.adjoint.processor.emit.Access.Generated(isPublic, returns, params));
  }

  private void parse(Job job) {
    long start = System.nanoTime();
    try {
      MethodParser parser = new MethodParser(processingEnv, diag, calls, sources);
      Optional<MethodGraph> g = parser.parse(job.method);
      job.source = parser.source();
      job.callSites = parser.callSites();
      job.graph = g.orElse(null);
      job.failed = g.isEmpty();
    } catch (TooLarge | StackOverflowError | OutOfMemoryError ex) {
      tooLarge(job, ex);
    } catch (RuntimeException ex) {
      internalError(job, ex);
    } finally {
      job.nanos += System.nanoTime() - start;
    }
  }

  private void generate(TypeElement owner, List<Job> jobs) {
    GradClassWriter writer = new GradClassWriter(owner);
    String methodLimit = processingEnv.getOptions().get(METHOD_LIMIT_OPTION);
    if (methodLimit != null && methodLimit.matches("\\d{1,6}")) {
      writer.methodLimit(Integer.parseInt(methodLimit));
    }
    // f(params) of every method: a writing overload f(params..., double[]...) must not repeat one
    Set<String> signatures = new java.util.HashSet<>();
    for (Job job : jobs) {
      signatures.add(signature(job.method, List.of()));
    }
    if (clashes(writer)) {
      diag.report(owner, Message.NAME_CLASH, writer.name().canonicalName());
      return;
    }
    boolean ok = true;
    dev.adjoint.processor.emit.Access access = new dev.adjoint.processor.emit.Access(
        processingEnv.getElementUtils(), writer.name(), generatedMethods);
    writer.access(access);
    dev.adjoint.processor.emit.ExprWriter.access(access);
    inspection = dev.adjoint.processor.emit.Inspection.of(processingEnv.getOptions().get(INSPECT_OPTION), owner);
    try {
      ok = generate(writer, jobs, signatures);
    } finally {
      dev.adjoint.processor.emit.ExprWriter.access(null);
    }
    if (!ok || diag.errorCount() > 0) {
      return;
    }
    com.palantir.javapoet.JavaFile file = writer.file();
    try {
      file.writeTo(processingEnv.getFiler());
    } catch (IOException ex) {
      processingEnv.getMessager().printMessage(javax.tools.Diagnostic.Kind.ERROR,
          "[AdjointWrite] cannot write " + writer.name() + ": " + ex.getMessage(), owner);
    }
    writeInspection(file, owner);
  }

  /** The class's inspection file (-Aadjoint.inspect), for the report: a failure is a warning only. */
  private void writeInspection(com.palantir.javapoet.JavaFile file, TypeElement owner) {
    if (inspection == null) {
      return;
    }
    try {
      inspection.write(file);
    } catch (IOException | RuntimeException ex) {
      processingEnv.getMessager().printMessage(javax.tools.Diagnostic.Kind.WARNING,
          "[AdjointInspect] could not write the inspection of " + owner.getQualifiedName() + ": " + ex, owner);
    } finally {
      inspection = null;
    }
  }

  /** Adds every method's generated code to the writer; false after an error. */
  private boolean generate(GradClassWriter writer, List<Job> jobs, Set<String> signatures) {
    boolean ok = true;
    // recursive methods: their gradients record each call's forward sweep once (split mode)
    Map<Job, Names> made = new HashMap<>(); // names are made once per method: they rename its variables
    Map<MethodGraph, SplitRecursion.Halves> splits = splitRecursion(writer, jobs, made);
    for (Job job : jobs) {
      if (job.failed) {
        ok = false;
        continue;
      }
      long generating = System.nanoTime();
      try {
        Planner plan = job.plan;
        String shadow = defaultPackageShadow(job, writer);
        if (shadow != null) {
          diag.report(job.method, Message.UNSUPPORTED, shadow,
              Naming.owner(job.method).getSimpleName() + "." + job.method.getSimpleName(),
              "rename the variable, or put the class in a package (a class of the default package"
                  + " cannot be written with a qualified name)");
          ok = false;
          continue;
        }
        Names names = made.containsKey(job) ? made.get(job).enter() : new Names(job.graph, plan.synthetic());
        noteTaping(job, plan);
        if (inspection != null) {
          inspect(job, splits.containsKey(job.graph));
        }
        if (Boolean.parseBoolean(processingEnv.getOptions().get(GRAPHS_OPTION))) {
          writeGraph(writer, job, plan);
        }
        Reverse reverse = new Reverse(job.graph, plan, names);
        Type resultType = job.graph.result().type();
        if (resultType == Type.TENSOR || resultType.isDoubleArray()) {
          Var seed = new Var(names.fresh("seed", false), resultType, Var.Kind.PARAMETER);
          writer.addLayer(job.method, job.graph, seed,
              writer.print(job.graph, reverse.body(writer.recordName(job.graph), new Expr.Ref(seed))));
        } else {
          dev.adjoint.processor.graph.Stmt.Block gradient = reverse.body(writer.recordName(job.graph), Const.ONE);
          Reverse.discardUnreadPops(gradient);
          writer.add(job.method, job.graph, writer.print(job.graph, gradient));
          boolean scalars = job.graph.wrt().stream().allMatch(p -> p.type() == Type.DOUBLE);
          boolean arrays = job.graph.wrt().stream().allMatch(p -> p.type().isDoubleArray());
          List<String> outTypes = scalars ? List.of("double[]")
              : job.graph.wrt().stream().map(p -> p.type().javaName()).toList();
          if (job.implicit) {
            // a helper's gradient is for its callers only: no writing overload
          } else if ((scalars || arrays) && !signatures.add(signature(job.method, outTypes))) {
            // another overload of this name already has these parameter types: no writing overload
          } else if (scalars) {
            // the same gradient written into the caller's array: nothing allocated per call
            Var out = new Var(names.fork().fresh("gradient", false), Type.DOUBLE_ARRAY, Var.Kind.PARAMETER);
            writer.addInto(job.method, job.graph, out, writer.print(job.graph, Modes.into(gradient, out)));
          } else if (arrays) {
            // the gradient written into the caller's arrays: nothing allocated per call
            Names intoNames = names.fork();
            Map<Var, Var> outs = new LinkedHashMap<>();
            for (Var p : job.graph.wrt()) {
              String name = job.graph.wrt().size() == 1 ? "gradient"
                  : "gradient" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
              outs.put(p, new Var(intoNames.fresh(name, false), p.type(), Var.Kind.PARAMETER));
            }
            dev.adjoint.processor.graph.Stmt.Block body = new Reverse(job.graph, plan, intoNames, outs)
                .body(writer.recordName(job.graph), Const.ONE);
            writer.addIntoArrays(job.method, job.graph, List.copyOf(outs.values()),
                writer.print(job.graph, Modes.valueOnly(body)));
          }
          if (arrays && resultType == Type.DOUBLE && splits.containsKey(job.graph)) {
            addSplit(writer, job, splits.get(job.graph));
          } else if (arrays && resultType == Type.DOUBLE) {
            addAccumulate(writer, job, plan, names);
          }
        }
        // a Jacobian has a row per output and a column per input element (an n-D input's elements
        // row by row); an n-D result gets the vector-Jacobian and Jacobian-vector products only
        boolean vectorValued = resultType == Type.DOUBLE_ARRAY;
        boolean ndInputs = job.graph.wrt().stream().anyMatch(p -> p.type().isNdDoubleArray());
        if (job.forward || resultType.isDoubleArray()) {
          Names jvpNames = names.fork();
          List<Var> tangents = directions(job.graph, jvpNames);
          Modes.Built jvp = Modes.jvp(job.graph, jvpNames, tangents, writer.jvpRecordName(job.graph));
          ok &= report(job, "forward", jvp);
          writer.addJvp(job.method, job.graph, tangents, writer.print(job.graph, jvp.body()));
          if (vectorValued) {
            // the rows written in place are rows of 1-D gradients: n-D inputs take one fVjp per row
            boolean rows = !ndInputs && Reverse.rowsShareForwardSweep(job.graph, plan);
            if (rows) {
              Names rowNames = names.fork();
              Var jacobian = new Var(rowNames.fresh("jacobian", false), Type.DOUBLE_ARRAY_2D, Var.Kind.PARAMETER);
              Var row = new Var(rowNames.fresh("_row", false), Type.INT, Var.Kind.SYNTHETIC);
              writer.addJacobianRows(job.method, job.graph, jacobian,
                  writer.print(job.graph, new Reverse(job.graph, plan, rowNames).rows(jacobian, row)));
            }
            boolean jvps = false;
            if (job.graph.wrt().stream().allMatch(p -> p.type() == Type.DOUBLE || p.type() == Type.DOUBLE_ARRAY)
                && !job.graph.wrt().isEmpty()) {
              // vector forward mode: every direction over one primal sweep
              Names vectorNames = names.fork();
              List<Var> vectorTangents = new ArrayList<>();
              for (Var t : directions(job.graph, vectorNames)) {
                vectorTangents.add(new Var(t.name(), t.type() == Type.DOUBLE ? Type.DOUBLE_ARRAY : Type.DOUBLE_ARRAY_2D,
                    Var.Kind.PARAMETER));
              }
              dev.adjoint.processor.diff.VectorForward.Built built = dev.adjoint.processor.diff.VectorForward.build(
                  job.graph, vectorNames, vectorTangents, writer.jvpsRecordName(job.graph));
              if (built.problems().isEmpty()) {
                writer.addJvps(job.method, job.graph, vectorTangents, writer.print(job.graph, built.body()));
                // the same into a caller's rows (fJacobian's columns by chunks go through it)
                Names rowsNames = names.fork();
                List<Var> rowsTangents = new ArrayList<>();
                for (Var t : directions(job.graph, rowsNames)) {
                  rowsTangents.add(new Var(t.name(), t.type() == Type.DOUBLE ? Type.DOUBLE_ARRAY : Type.DOUBLE_ARRAY_2D,
                      Var.Kind.PARAMETER));
                }
                Var rowsOut = new Var(rowsNames.fresh("rows", false), Type.DOUBLE_ARRAY_2D, Var.Kind.PARAMETER);
                Var column = new Var(rowsNames.fresh("column", false), Type.INT, Var.Kind.PARAMETER);
                dev.adjoint.processor.diff.VectorForward.Built rowsBuilt = dev.adjoint.processor.diff.VectorForward.buildRows(
                    job.graph, rowsNames, rowsTangents, rowsOut, column);
                if (rowsBuilt.problems().isEmpty()) {
                  writer.addJvpsRows(job.method, job.graph, rowsTangents, rowsOut, column,
                      writer.print(job.graph, rowsBuilt.body()));
                  jvps = true;
                }
              }
            }
            ResultLength.Slice length = ResultLength.of(job.graph);
            writer.addJacobian(job.method, job.graph, tangents,
                length == null ? null : CodePrinter.print(new dev.adjoint.processor.graph.Stmt.Block(length.declarations())),
                length == null ? null : dev.adjoint.processor.emit.ExprWriter.write(length.length()), rows, jvps);
          }
        }
        if (job.hessian) {
          Names hvpNames = names.fork();
          List<Var> directions = directions(job.graph, hvpNames);
          Modes.Built hvp = Modes.hvp(job.graph, plan, hvpNames, directions, writer.recordName(job.graph),
              writer.hvpRecordName(job.graph));
          ok &= report(job, "forward-over-reverse", hvp);
          writer.addHessian(job.method, job.graph, directions, writer.print(job.graph, hvp.body()));
          if (Modes.arrayParameters(job.graph)
              && dev.adjoint.processor.analysis.HessianStructure.isDiagonal(job.graph)) {
            // the Hessian is diagonal: its product with ones is the diagonal
            writer.addHessianDiagonal(job.method, job.graph);
          }
        }
      } catch (TooLarge | StackOverflowError | OutOfMemoryError ex) {
        tooLarge(job, ex);
        ok = false;
      } catch (RuntimeException ex) {
        internalError(job, ex);
        ok = false;
      }
      if (inspection != null) {
        inspection.time(job.method, job.nanos + System.nanoTime() - generating);
      }
    }
    return ok;
  }

  /** Records the planned job for the inspection report; a failure there only drops the report. */
  private void inspect(Job job, boolean splitRecursion) {
    try {
      inspection.method(job.method, job.graph, job.plan, job.source, job.implicit, splitRecursion);
    } catch (RuntimeException ex) {
      processingEnv.getMessager().printMessage(javax.tools.Diagnostic.Kind.WARNING,
          "[AdjointInspect] could not inspect " + job.method.getSimpleName() + ": " + ex, job.method);
      inspection = null;
    }
  }

  /**
   * {@code fAccumulate(params..., double seed, adjoint arrays...)}: adds seed × the gradient into
   * the caller's adjoint arrays, one per differentiated parameter, as they are (not zeroed), and
   * returns the value. Callers' reverse sweeps call it for a callee that reads a few elements of
   * a large array, instead of adding a dense gradient returned per call.
   */
  private static void addAccumulate(GradClassWriter writer, Job job, Planner plan, Names names) {
    Names accumulateNames = names.fork();
    Var seed = new Var(accumulateNames.fresh("seed", false), Type.DOUBLE, Var.Kind.PARAMETER);
    Map<Var, Var> outs = new LinkedHashMap<>();
    for (Var p : job.graph.wrt()) {
      String name = "adjoint" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
      outs.put(p, new Var(accumulateNames.fresh(name, false), p.type(), Var.Kind.PARAMETER));
    }
    dev.adjoint.processor.graph.Stmt.Block body = new Reverse(job.graph, plan, accumulateNames, outs)
        .accumulating().body(writer.recordName(job.graph), new Expr.Ref(seed));
    writer.addAccumulate(job.method, job.graph, seed, List.copyOf(outs.values()),
        writer.print(job.graph, Modes.valueOnly(body)));
  }

  /** The split forms of the recursive methods among the jobs ({@link SplitRecursion}). */
  private static Map<MethodGraph, SplitRecursion.Halves> splitRecursion(
      GradClassWriter writer, List<Job> jobs, Map<Job, Names> made) {
    List<MethodGraph> graphs = new ArrayList<>();
    Map<MethodGraph, Planner> plans = new HashMap<>();
    Map<MethodGraph, Names> names = new HashMap<>();
    for (Job job : jobs) {
      if (!job.failed && job.graph != null && job.plan != null
          && job.method.getModifiers().contains(Modifier.STATIC)
          && SplitRecursion.candidate(job.graph) && defaultPackageShadow(job, writer) == null) {
        graphs.add(job.graph);
        plans.put(job.graph, job.plan);
        made.put(job, new Names(job.graph, job.plan.synthetic()));
        names.put(job.graph, made.get(job));
      }
    }
    return SplitRecursion.plan(graphs, plans, names, writer.name());
  }

  /** fAccumulate as record then reverse, and those two halves (see {@link SplitRecursion}). */
  private static void addSplit(GradClassWriter writer, Job job, SplitRecursion.Halves h) {
    writer.addAccumulate(job.method, job.graph, h.seed(), h.adjoints(), writer.print(job.graph, h.accumulate()));
    writer.addSplitHalves(job.method, job.graph, h.tape(), h.limit(), h.seed(), h.adjoints(),
        writer.print(job.graph, h.record()), writer.print(job.graph, h.reverse()));
  }

  /**
   * A parameter or local named like a class of the default package that the generated code
   * must name (the source class, a callee's class, their generated classes) would shadow it, and
   * such a class has no qualified name to write instead: a description of the first, or null.
   */
  private static String defaultPackageShadow(Job job, GradClassWriter writer) {
    java.util.Set<String> classes = new java.util.HashSet<>();
    java.util.function.Consumer<com.palantir.javapoet.ClassName> named = c -> {
      if (c != null && c.packageName().isEmpty()) {
        classes.add(c.topLevelClassName().simpleName());
      }
    };
    named.accept(writer.name());
    named.accept(com.palantir.javapoet.ClassName.get(Naming.owner(job.method)));
    dev.adjoint.processor.analysis.Blocks.walk(job.graph.body(), s -> {
      for (Expr e : dev.adjoint.processor.analysis.Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Call c) {
            named.accept(c.target().owner());
            named.accept(c.target().derivativeOwner());
          }
        });
      }
    });
    if (classes.isEmpty()) {
      return null;
    }
    List<String> variables = new ArrayList<>();
    job.graph.params().forEach(p -> variables.add(p.name()));
    dev.adjoint.processor.analysis.Blocks.walk(job.graph.body(), s -> {
      if (s instanceof dev.adjoint.processor.graph.Stmt.Assign a && a.declaration
          && a.target.kind() != Var.Kind.SYNTHETIC) {
        variables.add(a.target.name());
      }
    });
    for (String v : variables) {
      if (classes.contains(v)) {
        return "a variable named '" + v + "' like class " + v + " of the default package, which the"
            + " generated code names,";
      }
    }
    return null;
  }

  /** {@code f(double,double[])}: the method's name and erased parameter types, plus {@code extra} ones. */
  private String signature(ExecutableElement method, List<String> extra) {
    StringBuilder sb = new StringBuilder(method.getSimpleName()).append('(');
    if (!method.getModifiers().contains(Modifier.STATIC)) {
      sb.append(processingEnv.getTypeUtils().erasure(Naming.owner(method).asType())).append(','); // the receiver
    }
    for (javax.lang.model.element.VariableElement p : method.getParameters()) {
      sb.append(processingEnv.getTypeUtils().erasure(p.asType())).append(',');
    }
    extra.forEach(t -> sb.append(t).append(','));
    return sb.append(')').toString();
  }

  /** A note where a loop tapes many values per iteration: memory grows with its trip count. */
  private void noteTaping(Job job, Planner plan) {
    int threshold = 8;
    try {
      threshold = Integer.parseInt(processingEnv.getOptions().getOrDefault(TAPE_NOTE_OPTION, "8"));
    } catch (NumberFormatException e) {
      // keep the default
    }
    String method = Naming.owner(job.method).getSimpleName() + "." + job.method.getSimpleName();
    int limit = threshold;
    dev.adjoint.processor.analysis.Blocks.walk(job.graph.body(), s -> {
      if (s instanceof dev.adjoint.processor.graph.Stmt.Loop l && plan.hasWork(l)) {
        int n = plan.tapedPerIteration(l);
        if (n > limit) {
          diag.report(job.method, Message.LONG_TAPE, method, l.src.line(), n,
              "see what in -A" + GRAPHS_OPTION + "=true (double borders); raise the threshold with -A"
                  + TAPE_NOTE_OPTION + "=N");
        }
      }
    });
  }

  /** The method's graph as DOT beside the generated sources, and as SVG where dot is installed. */
  private void writeGraph(GradClassWriter writer, Job job, Planner plan) {
    String pkg = writer.name().packageName();
    String file = writer.name().simpleName() + "." + job.graph.name() + ".dot";
    String title = Naming.owner(job.method).getSimpleName() + "." + job.method.getSimpleName();
    try {
      javax.tools.FileObject dot = processingEnv.getFiler().createResource(
          javax.tools.StandardLocation.SOURCE_OUTPUT, pkg, file, job.method);
      String text = dev.adjoint.processor.emit.DotWriter.dot(title, job.graph, plan);
      try (java.io.Writer w = dot.openWriter()) {
        w.write(text);
      }
      if ("file".equals(dot.toUri().getScheme())) {
        renderSvg(new java.io.File(dot.toUri()));
      }
    } catch (IOException ex) {
      processingEnv.getMessager().printMessage(javax.tools.Diagnostic.Kind.WARNING,
          "[AdjointGraph] could not write the graph of " + title + ": " + ex.getMessage(), job.method);
    }
  }

  private static void renderSvg(java.io.File dot) {
    String name = dot.getName().replaceAll("\\.dot$", ".svg");
    try {
      Process p = new ProcessBuilder("dot", "-Tsvg", "-o", new java.io.File(dot.getParentFile(), name).getPath(),
          dot.getPath()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (IOException e) {
      // no dot program: the .dot file is there to render elsewhere
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One tangent (direction) parameter per differentiated parameter: {@code dx} for {@code x}. */
  private static List<Var> directions(MethodGraph g, Names names) {
    List<Var> out = new ArrayList<>();
    for (Var p : g.wrt()) {
      String name = "d" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
      if (p.name().length() == 1) {
        name = "d" + p.name();
      }
      out.add(new Var(names.fresh(name, false), p.type(), Var.Kind.PARAMETER));
    }
    return out;
  }

  private boolean report(Job job, String transform, Modes.Built built) {
    String method = Naming.owner(job.method).getSimpleName() + "." + job.method.getSimpleName();
    for (String problem : new java.util.LinkedHashSet<>(built.problems())) {
      diag.report(job.method, Message.FORWARD_UNSUPPORTED, method, transform, problem,
          "differentiate it in reverse mode only, or mark callees @Differentiable(hessian = true)");
    }
    return built.problems().isEmpty();
  }

  /** An existing class with the generated name that Adjoint did not write. */
  private boolean clashes(GradClassWriter writer) {
    TypeElement existing = processingEnv.getElementUtils().getTypeElement(writer.name().canonicalName());
    if (existing == null || !sources.isSource(existing)) {
      // absent, or a class file: the output of an earlier build, which this one replaces
      return false;
    }
    for (AnnotationMirror a : existing.getAnnotationMirrors()) {
      if (a.getAnnotationType().toString().equals("javax.annotation.processing.Generated")) {
        return false;
      }
    }
    return true;
  }

  private void reportCalls(Job job, List<Planner.BadCall> bad) {
    String method = Naming.owner(job.method).getSimpleName() + "." + job.method.getSimpleName();
    for (Planner.BadCall b : bad) {
      Tree at = job.callSites.getOrDefault(b.node(), job.source.tree());
      if (!(b.node() instanceof Expr.Call call)) {
        String what = at.toString();
        if (b.node() instanceof Expr.Invoke inv) {
          diag.report(job.source.unit(), at, Message.NOT_DIFFERENTIABLE_OP, what, method,
              "'" + inv.method() + "' does not pass derivatives on",
              "compute with tensor operations that do (add, mul, matmul, sum, ...)");
        } else {
          diag.report(job.source.unit(), at, Message.NOT_DIFFERENTIABLE_OP, what, method,
              "operand " + (b.argument() + 1) + " is not differentiated",
              "pass a value that does not depend on the inputs (a constant exponent, data labels)");
        }
        continue;
      }
      CallTarget t = call.target();
      String callee = t.owner().simpleName() + "." + t.name();
      if (t.kind() == CallTarget.Kind.PLAIN) {
        diag.report(job.source.unit(), at, Message.NOT_DIFFERENTIABLE_CALL, callee, method, callee, t.name());
        ExecutableElement helper = findMethod(t);
        if (helper != null && Boolean.FALSE.equals(helperTried.get(helper)) && sources.find(helper) != null
            && helperExplained.add(helper)) {
          // its source is here but it could not be differentiated: say why, at its own lines
          new MethodParser(processingEnv, diag, calls, sources).parse(helper);
        }
      } else {
        ExecutableElement target = findMethod(t);
        String param = target == null ? "#" + b.argument()
            : target.getParameters().get(b.argument()).getSimpleName().toString();
        diag.report(job.source.unit(), at, Message.CALL_NOT_WRT, callee, param, callee, param, callee);
      }
    }
  }

  private ExecutableElement findMethod(CallTarget t) {
    TypeElement owner = processingEnv.getElementUtils().getTypeElement(t.owner().canonicalName());
    if (owner == null) {
      return null;
    }
    for (ExecutableElement m : ElementFilter.methodsIn(owner.getEnclosedElements())) {
      if (m.getSimpleName().contentEquals(t.name()) && m.getParameters().size() == t.paramTypes().size()) {
        return m;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- custom derivatives

  private void checkDerivative(ExecutableElement d) {
    String of = d.getAnnotation(Derivative.class).of();
    String name = Naming.owner(d).getSimpleName() + "." + d.getSimpleName();
    if (!d.getModifiers().contains(Modifier.STATIC)) {
      diag.report(d, Message.BAD_DERIVATIVE, name, "it must be static");
      return;
    }
    List<ExecutableElement> candidates = new ArrayList<>();
    for (ExecutableElement m : ElementFilter.methodsIn(d.getEnclosingElement().getEnclosedElements())) {
      if (m.getSimpleName().contentEquals(of) && !m.equals(d)) {
        candidates.add(m);
      }
    }
    if (candidates.isEmpty()) {
      diag.report(d, "dev.adjoint.Derivative", "of", Message.BAD_DERIVATIVE, name, "there is no method '" + of + "' in "
          + Naming.owner(d).getSimpleName() + "; name a static method of the same class");
      return;
    }
    ExecutableElement original = null;
    for (ExecutableElement c : candidates) {
      if (calls.sameParameters(c, d)) {
        original = c;
      }
    }
    if (original == null) {
      diag.report(d, Message.BAD_DERIVATIVE, name, "its parameters must be exactly those of " + of
          + " (" + candidates.get(0).getParameters().stream().map(p -> p.asType().toString()).toList() + ")");
      return;
    }
    long doubles = original.getParameters().stream().filter(p -> p.asType().getKind() == TypeKind.DOUBLE).count();
    boolean scalar = d.getReturnType().getKind() == TypeKind.DOUBLE;
    boolean array = d.getReturnType().toString().equals("double[]");
    if (original.getReturnType().getKind() != TypeKind.DOUBLE) {
      diag.report(d, Message.BAD_DERIVATIVE, name, of + " must return double");
    } else if (doubles == 0) {
      diag.report(d, Message.BAD_DERIVATIVE, name, of + " has no double parameter to differentiate");
    } else if (doubles == 1 && !scalar) {
      diag.report(d, Message.BAD_DERIVATIVE, name, "it must return double: " + of
          + " has one double parameter, so its derivative is one number");
    } else if (doubles > 1 && !array) {
      diag.report(d, Message.BAD_DERIVATIVE, name, "it must return double[] with one partial per double "
          + "parameter of " + of + " (" + doubles + "), in order");
    }
  }

  /** The method is too large or too deeply nested to differentiate: a precise error, not a crash. */
  private void tooLarge(Job job, Throwable ex) {
    job.failed = true;
    String method = Naming.owner(job.method).getSimpleName() + "." + job.method.getSimpleName();
    String what = ex instanceof TooLarge ? ex.getMessage()
        : ex instanceof StackOverflowError ? "its expressions are nested too deeply for the processor's "
            + (STACK >> 20) + " MB stack"
        : "differentiating it ran out of memory (raise javac's heap with -J-Xmx to try harder)";
    diag.report(job.method, Message.TOO_LARGE, method, what, job.method.getSimpleName());
  }

  private void internalError(Job job, Throwable ex) {
    job.failed = true;
    String where = java.util.Arrays.stream(ex.getStackTrace())
        .filter(f -> f.getClassName().startsWith("dev.adjoint"))
        .findFirst().map(f -> "at " + f).orElse("");
    diag.report(job.method, Message.INTERNAL,
        Naming.owner(job.method).getSimpleName() + "." + job.method.getSimpleName(), ex + " " + where);
  }
}
