package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreeScanner;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;

/** The state of reading one method: its scopes, the statements and jump targets around the
 * construct being read, and how errors are reported. The readers that extend it share it; the
 * methods a lower reader needs from a higher one are declared here. */
abstract class ParserState {
  final ProcessingEnvironment env;
  final Diagnostics diag;
  final CallResolver calls;
  final SourceAccess sources;

  ParserState(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    this.env = env;
    this.diag = diag;
    this.calls = calls;
    this.sources = sources;
  }

  // ------------------------------------------- read by the readers that extend this one

  /** Statements of a block, in a new scope ({@link StatementReader}). */
  abstract Block block(List<? extends StatementTree> statements);

  /** A branch or loop body ({@link StatementReader}). */
  abstract Block body(StatementTree s);

  abstract void statement(StatementTree s, Consumer<Stmt> sink);

  abstract void expressionStatement(ExpressionTree e, Tree s, Consumer<Stmt> out);

  /** The graph of an expression, or null after reporting ({@link ExpressionReader}). */
  abstract Expr expr(ExpressionTree e);

  /** A call used as a value ({@link CallReader}). */
  abstract Expr call(MethodInvocationTree t);

  /** n-D arrays ({@link ArrayReader}). */
  abstract boolean isNdAccess(ArrayAccessTree a);

  abstract boolean isNdIterable(ExpressionTree e);

  abstract Expr ndRead(ArrayAccessTree t);

  abstract Expr ndLength(MemberSelectTree m);

  /** {@code s.equals(...)} on a String ({@link SwitchReader}). */
  abstract Expr stringCall(MethodInvocationTree t, Expr receiver, String name);

  abstract Expr switchExpression(com.sun.source.tree.SwitchExpressionTree t);

  ExecutableElement method;
  SourceAccess.MethodSource source;
  SourceUnit unit;
  Resolver resolver;
  String methodName;
  final Deque<Map<String, Var>> scopes = new ArrayDeque<>();
  /** Variables whose declaration was reported: their uses are not reported again. */
  final Set<Var> poisoned = new HashSet<>();
  int loopDepth;
  /** The statements break and continue can name, innermost first (see {@link #statement}). */
  final Deque<Target> targets = new ArrayDeque<>();
  /** The label of the labelled statement being read, for the loop it labels. */
  String pendingLabel;
  /** Statements a switch expression needs before the statement that uses its value. */
  List<Stmt> hoisted = new ArrayList<>();
  /**
   * The expression a switch expression with block arms may be: the whole initializer, assigned
   * value, returned value, if condition or yielded value of the statement being read. Its
   * statements run before that statement, which is only right when nothing else of the
   * statement could skip it (the right of && or ||, an arm of ?:).
   */
  ExpressionTree hoistable;
  /** The switch expressions being read, innermost first: where their yields go. */
  final Deque<SwitchValue> switchValues = new ArrayDeque<>();
  int branchDepth;
  int errors;
  /** The receiver of an instance method ({@code ModelGrad.f(Model self, ...)}), else null. */
  Var self;
  /** Array fields the body reads, each copied once into a local at the start of the method. */
  final Map<VariableElement, Var> arrayFields = new LinkedHashMap<>();
  final List<Stmt> prologue = new ArrayList<>();
  /** Every identifier the method's source uses: names the parser introduces avoid them. */
  final Set<String> identifiers = new HashSet<>();
  /** The parameters and locals the method declares. */
  final Set<String> declared = new HashSet<>();
  /** Whether the method's return type is supported (else its return statements are not read). */
  boolean returnOk;
  final Map<Expr, Tree> callSites = new HashMap<>();
  /** n-D arrays: the locals that name a row of an array ({@code double[] row = a[i];}). */
  final Map<Var, Row> rows = new HashMap<>();
  /** n-D arrays: the statements after the one being read in its block (null: not in a block). */
  List<? extends StatementTree> restOfBlock;

  /** {@code name}, or {@code name_}, ... : the first that the method's source does not use. */
  String unused(String name) {
    while (identifiers.contains(name)) {
      name = name + "_";
    }
    identifiers.add(name);
    return name;
  }

  /** The expression of a statement a switch expression with block arms may be (see {@link #hoistable}). */
  static ExpressionTree topExpression(Tree s) {
    ExpressionTree e = null;
    if (s instanceof VariableTree v) {
      e = v.getInitializer();
    } else if (s instanceof ExpressionStatementTree es) {
      return topExpression(es.getExpression());
    } else if (s instanceof AssignmentTree a && unparenthesized(a.getVariable()) instanceof IdentifierTree) {
      // not x += switch ... (x is read first) nor a[i] = switch ... (i is read first): the arms could change them
      e = a.getExpression();
    } else if (s instanceof ReturnTree r) {
      e = r.getExpression();
    } else if (s instanceof IfTree i) {
      e = i.getCondition();
    } else if (s instanceof com.sun.source.tree.YieldTree y) {
      e = y.getValue();
    } else if (s instanceof WhileLoopTree || s instanceof DoWhileLoopTree || s instanceof ForLoopTree) {
      return null; // the header is evaluated again and again: reported as such
    }
    return e == null ? null : unparenthesized(e);
  }

  // ---------------------------------------------------------------- break, continue, switch
  /**
   * A statement that break (and, for a loop, continue) can name; a labelled block only by its
   * name ({@code plain}: a loop or switch, the target of an unlabelled break).
   */
  record Target(String name, Stmt.Label label, boolean loop, boolean plain) {}

  /** A switch expression being read: its yields assign a placeholder, retyped when all are read. */
  record SwitchValue(Stmt.Label label, Var placeholder, List<Stmt.Assign> yields) {}

  static ExpressionTree unparenthesized(ExpressionTree e) {
    while (e instanceof ParenthesizedTree p) {
      e = p.getExpression();
    }
    return e;
  }

  /** The enum type of each enum selector read (by identity), for its case labels. */
  final Map<Expr, ClassName> enumTypes = new java.util.IdentityHashMap<>();

  /** Helpers being inlined, innermost last (for the recursion check). */
  final Deque<ExecutableElement> inlining = new ArrayDeque<>();

  static boolean writes(Tree body, String name) {
    boolean[] found = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitAssignment(AssignmentTree node, Void p) {
        check(node.getVariable());
        return super.visitAssignment(node, p);
      }

      @Override
      public Void visitCompoundAssignment(CompoundAssignmentTree node, Void p) {
        check(node.getVariable());
        return super.visitCompoundAssignment(node, p);
      }

      @Override
      public Void visitUnary(UnaryTree node, Void p) {
        switch (node.getKind()) { // -i and ~i read i; only ++ and -- write it
          case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT -> check(node.getExpression());
          default -> { }
        }
        return super.visitUnary(node, p);
      }

      private void check(ExpressionTree target) {
        if (target instanceof IdentifierTree id && id.getName().contentEquals(name)) {
          found[0] = true;
        }
      }
    }.scan(body, null);
    return found[0];
  }

  // ---------------------------------------------------------------- n-D arrays
  // (branch arraysnd) double[][] and double[][][] locals and parameters: an element is read and
  // written through Op.INDICES, a row through a row alias that stands for the array with its
  // leading indexes (double[] row = a[i]; row[j] is a[i][j]), so no array is ever aliased.
  /** A local that names a row: reads, writes and lengths through it go to {@code array[prefix...]}. */
  record Row(Var array, List<Expr> prefix) {}

  /** An array with the indexes applied so far: {@code a[i]} is (a, [i]). */
  record Access(Var array, List<Expr> indexes) {
    Type type() {
      return array.type().indexed(indexes.size());
    }

    /** The index operand of a read or store: the index itself, or INDICES of all of them. */
    Expr index() {
      return indexes.size() == 1 ? indexes.get(0) : new Apply(Op.INDICES, indexes, Type.INT);
    }

    /** This array or row indexed once more: {@code a[i]} at {@code j} is {@code a[i][j]}. */
    Access at(Expr index) {
      List<Expr> more = new ArrayList<>(indexes);
      more.add(index);
      return new Access(array, more);
    }
  }

  static ExpressionTree unparen(ExpressionTree e) {
    while (e instanceof ParenthesizedTree p) {
      e = p.getExpression();
    }
    return e;
  }

  // ---------------------------------------------------------------- helpers
  Var lookup(String name) {
    for (Map<String, Var> scope : scopes) {
      Var v = scope.get(name);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  Expr unsupported(Tree at, String what, String instead) {
    errors++;
    diag.report(unit, at, Message.UNSUPPORTED, what, methodName, instead);
    return null;
  }

  /** The tree as the user wrote it. */
  String sourceText(Tree t) {
    return unit.text(t);
  }

  Src src(Tree t, String text) {
    return new Src(unit.line(t), text.replaceAll("\\s+", " ").trim());
  }

  static String join(List<? extends Tree> trees) {
    List<String> parts = new ArrayList<>();
    for (Tree t : trees) {
      String s = t.toString();
      parts.add(s.endsWith(";") ? s.substring(0, s.length() - 1) : s);
    }
    return String.join(", ", parts);
  }
}
