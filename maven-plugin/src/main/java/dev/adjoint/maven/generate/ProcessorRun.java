package dev.adjoint.maven.generate;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import com.sun.source.util.Trees;
import dev.adjoint.processor.AdjointProcessor;
import dev.adjoint.processor.diag.DeclarationSites;
import dev.adjoint.processor.diag.Diagnostics;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * One run of javac in this JVM with the Adjoint processor alone ({@code -proc:only}): javac
 * parses the sources and hands them to the processor, which writes the generated sources; no
 * class file is written and no other processor runs (those run in the project's own compile).
 */
public final class ProcessorRun {

  /** A diagnostic, already formatted as {@code file:[line,column] message}. */
  public record Message(Diagnostic.Kind kind, boolean fromProcessor, String text) {
    public boolean isError() {
      return kind == Diagnostic.Kind.ERROR;
    }
  }

  /** What the run reported: the processor's messages and javac's own. */
  public record Result(boolean success, List<Message> messages) {}

  private ProcessorRun() {}

  /**
   * Runs javac with {@code options} (release, encoding, {@code -A} options) over
   * {@code sources}, the generated sources going to {@code sourceOutput}.
   */
  public static Result run(List<Path> sources, List<String> classPath, List<String> options,
      Path sourceOutput, Path classOutput, Charset encoding) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IOException("no Java compiler in this JVM (Maven runs on a JRE): run Maven with a JDK");
    }
    List<String> args = new ArrayList<>(options);
    args.add("-proc:only");
    args.add("-classpath");
    args.add(String.join(File.pathSeparator, classPath));
    args.add("-s");
    args.add(sourceOutput.toString());
    args.add("-d");
    args.add(classOutput.toString());
    DiagnosticCollector<JavaFileObject> collected = new DiagnosticCollector<>();
    StringWriter otherOutput = new StringWriter();
    boolean ok;
    List<Message> messages = new ArrayList<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(collected, Locale.ROOT, encoding)) {
      JavacTask task = (JavacTask) javac.getTask(otherOutput, files, collected, args, null,
          files.getJavaFileObjectsFromPaths(sources));
      // the processor is given, so javac discovers none on the class path: Adjoint alone runs
      task.setProcessors(List.of(new AdjointProcessor()));
      List<CompilationUnitTree> parsed = new ArrayList<>();
      task.addTaskListener(new TaskListener() {
        @Override
        public void finished(TaskEvent e) {
          if (e.getKind() == TaskEvent.Kind.PARSE && e.getCompilationUnit() != null) {
            parsed.add(e.getCompilationUnit());
          }
        }
      });
      // taken before call(): javac drops its context when the task ends
      SourcePositions positions = Trees.instance(task).getSourcePositions();
      ok = task.call();
      for (Diagnostic<? extends JavaFileObject> d : collected.getDiagnostics()) {
        messages.add(new Message(d.getKind(), fromProcessor(d), format(d)));
      }
      unreachableSites(parsed, positions, messages);
    }
    if (!otherOutput.toString().isBlank()) {
      messages.add(new Message(Diagnostic.Kind.NOTE, false, otherOutput.toString().strip()));
    }
    return new Result(ok, messages);
  }

  /**
   * The processor's check for {@code @Differentiable} methods it cannot reach (in local and
   * anonymous classes) runs when javac analyzes a unit, which {@code -proc:only} never does: run
   * it here on the parse trees, for the units that mention the annotation.
   */
  private static void unreachableSites(List<CompilationUnitTree> units, SourcePositions positions,
      List<Message> messages) throws IOException {
    Diagnostics diag = new Diagnostics(SILENT);
    for (CompilationUnitTree unit : units) {
      if (unit.getSourceFile().getCharContent(true).toString().contains("Differentiable")) {
        DeclarationSites.scanParsed(new ParsedUnit(unit, positions, messages), diag);
      }
    }
  }

  /** ParsedUnit reports; Diagnostics only needs a Messager to know that it may. */
  private static final Messager SILENT = new Messager() {
    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg) {}

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e) {}

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e, AnnotationMirror a) {}

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e, AnnotationMirror a,
        AnnotationValue v) {}
  };

  /**
   * Whether the processor reported it (javac files the processor's messages under
   * {@code compiler.*.proc.messager}); javac's own diagnostics in a processing-only run are
   * mostly names that other processors generate later, which the real compile resolves or
   * reports itself.
   */
  private static boolean fromProcessor(Diagnostic<?> d) {
    String code = d.getCode();
    return code == null || code.endsWith(".proc.messager");
  }

  /** {@code /path/Model.java:[12,5] message}, as maven-compiler-plugin prints them. */
  private static String format(Diagnostic<? extends JavaFileObject> d) {
    String text = d.getMessage(Locale.ROOT);
    if (d.getSource() == null) {
      return text;
    }
    String where = d.getSource().toUri().getPath();
    if (d.getLineNumber() != Diagnostic.NOPOS) {
      where += ":[" + d.getLineNumber() + "," + d.getColumnNumber() + "]";
    }
    return where + " " + text;
  }
}
