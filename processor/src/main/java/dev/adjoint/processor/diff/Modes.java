package dev.adjoint.processor.diff;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.emit.Names;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The composite modes, built from the two transforms: forward mode on the method's body gives a
 * Jacobian-vector product; forward mode on the reverse sweep (forward over reverse) gives a
 * Hessian-vector product.
 */
public final class Modes {
  private Modes() {}

  /** What went wrong, for the error message; empty when the body was built. */
  public record Built(Block body, List<String> problems) {}

  /**
   * {@code fJvp}: the body of {@code graph} with tangents, returning {@code new record(value,
   * tangent)}; {@code tangents} holds one tangent parameter per differentiated parameter.
   */
  public static Built jvp(MethodGraph graph, Names names, List<Var> tangents, TypeName record) {
    Forward forward = new Forward(names, null, records(graph.body()));
    Block body = forward.transform(graph.body(), seeds(graph, tangents));
    Expr tangent = forward.tangent(new Ref(graph.result()));
    if (graph.result().type() == Type.DOUBLE_ARRAY && Sym.isZero(tangent)) {
      tangent = new Expr.Apply(Op.NEW_ARRAY, List.of(new Expr.Apply(Op.ARRAY_LENGTH,
          List.of(new Ref(graph.result())), Type.INT)), Type.DOUBLE_ARRAY);
    } else if (graph.result().type().isNdDoubleArray() && Sym.isZero(tangent)) {
      tangent = new Expr.Invoke(dev.adjoint.processor.emit.Naming.ADJOINTS, null, "zerosLike",
          List.of(new Ref(graph.result())), graph.result().type());
    }
    body.stmts.add(new Stmt.Return(new Expr.New(record,
        List.of(new Ref(graph.result()), tangent), Type.OBJECT), Src.NONE));
    return new Built(body, forward.problems());
  }

  /**
   * {@code fHvp}: the reverse sweep of {@code graph}, differentiated forward along
   * {@code directions}; returns {@code new record(value, gradient[], hvp[])}.
   */
  public static Built hvp(MethodGraph graph, Planner plan, Names names, List<Var> directions,
      TypeName gradientRecord, TypeName record) {
    Block reverse = new Reverse(graph, plan, names).elementwiseTape().body(gradientRecord, Expr.Const.ONE);
    Stmt.Return ret = (Stmt.Return) reverse.stmts.remove(reverse.stmts.size() - 1);
    List<Expr> components = ((Expr.New) ret.value).args();
    Forward forward = new Forward(names, secondOrderCalls(), records(graph.body()));
    Block body = forward.transform(reverse, seeds(graph, directions));
    List<Expr> gradient = new ArrayList<>();
    List<Expr> hvp = new ArrayList<>();
    for (Expr c : components.subList(1, components.size())) {
      gradient.add(c);
      hvp.add(forward.tangent(c));
    }
    List<Expr> results = new ArrayList<>(components);
    results.addAll(hvp);
    forward.removeUnread(body, results);
    SkipZeroAdjoints.apply(body);
    if (arrayParameters(graph)) {
      // one component per parameter (the gradient, shaped like it) and one per parameter's
      // Hessian-vector product (shaped like it too), in parameter order
      List<Expr> args = new ArrayList<>(components);
      for (int i = 0; i < hvp.size(); i++) {
        Var p = graph.wrt().get(i);
        Expr t = hvp.get(i);
        if (Sym.isZero(t) && p.type() != Type.DOUBLE) {
          t = zerosLike(p);
        }
        args.add(t);
      }
      body.stmts.add(new Stmt.Return(new Expr.New(record, args, Type.OBJECT), Src.NONE));
      return new Built(body, forward.problems());
    }
    TypeName doubles = ArrayTypeName.of(TypeName.DOUBLE);
    body.stmts.add(new Stmt.Return(new Expr.New(record, List.of(components.get(0),
        new Expr.New(doubles, gradient, Type.DOUBLE_ARRAY), new Expr.New(doubles, hvp, Type.DOUBLE_ARRAY)),
        Type.OBJECT), Src.NONE));
    return new Built(body, forward.problems());
  }

  /**
   * Whether {@code graph} differentiates an array parameter: its Hessian-vector product record
   * then has a component per parameter and per parameter's product ({@code p}, {@code pHvp}),
   * each shaped like the parameter, instead of two flat arrays.
   */
  public static boolean arrayParameters(MethodGraph graph) {
    return graph.wrt().stream().anyMatch(p -> p.type() != Type.DOUBLE);
  }

  /** A new array of zeros shaped like the array parameter {@code p}. */
  private static Expr zerosLike(Var p) {
    if (p.type() == Type.DOUBLE_ARRAY) {
      return new Expr.Apply(Op.NEW_ARRAY, List.of(new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(p)), Type.INT)),
          Type.DOUBLE_ARRAY);
    }
    return new Expr.Invoke(com.palantir.javapoet.ClassName.get("dev.adjoint.runtime", "Adjoints"), null,
        "zerosLike", List.of(new Ref(p)), p.type());
  }

  /**
   * A gradient body that writes the gradient into {@code out} (in parameter order) and returns
   * the value, instead of returning a record.
   */
  public static Block into(Block reverse, Var out) {
    Stmt.Return ret = (Stmt.Return) reverse.stmts.remove(reverse.stmts.size() - 1);
    List<Expr> components = ((Expr.New) ret.value).args();
    for (int i = 1; i < components.size(); i++) {
      reverse.stmts.add(new Stmt.ArrayStore(out, Expr.Const.ofInt(i - 1), components.get(i), null, Src.NONE));
    }
    reverse.stmts.add(new Stmt.Return(components.get(0), Src.NONE));
    return reverse;
  }

  /**
   * A gradient body whose array adjoints are the caller's arrays already: it returns the value
   * instead of a record.
   */
  public static Block valueOnly(Block reverse) {
    Stmt.Return ret = (Stmt.Return) reverse.stmts.remove(reverse.stmts.size() - 1);
    reverse.stmts.add(new Stmt.Return(((Expr.New) ret.value).args().get(0), Src.NONE));
    return reverse;
  }

  private static Map<Var, Var> seeds(MethodGraph graph, List<Var> tangents) {
    Map<Var, Var> seeds = new LinkedHashMap<>();
    for (int i = 0; i < graph.wrt().size(); i++) {
      seeds.put(graph.wrt().get(i), tangents.get(i));
    }
    return seeds;
  }

  /** The callee of each gradient-record variable the planner introduced. */
  private static Map<Var, CallTarget> records(Block body) {
    Map<Var, CallTarget> out = new HashMap<>();
    Blocks.walk(body, s -> {
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Call c && c.derivative() != null) {
            out.put(c.derivative(), c.target());
          }
        });
      }
    });
    return out;
  }

  /** Whether a callee differentiates an array parameter (its product has a component per parameter). */
  private static boolean arrayCallee(CallTarget target) {
    for (int i = 0; i < target.paramTypes().size(); i++) {
      if (target.hasPartial(i) && target.paramTypes().get(i) != Type.DOUBLE) {
        return true;
      }
    }
    return false;
  }

  /**
   * Tangents of callees' gradient records come from the callee's own Hessian-vector product
   * ({@code gHvp(args..., argument tangents...)}), available when it is {@code hessian = true}.
   */
  private static Forward.CallTangents secondOrderCalls() {
    return new Forward.CallTangents() {
      @Override
      public Expr recordTangent(Expr.Invoke call, CallTarget target, List<Expr> argTangents) {
        if (target == null || target.kind() != CallTarget.Kind.GENERATED || !target.hessian()) {
          return null;
        }
        List<Expr> args = new ArrayList<>(call.args());
        for (int i = 0; i < argTangents.size(); i++) {
          if (target.hasPartial(i)) {
            args.add(argTangents.get(i));
          }
        }
        return new Expr.Invoke(target.derivativeOwner(), null, target.name() + "Hvp", args, Type.OBJECT);
      }

      @Override
      public Expr zeroTangent(CallTarget target) {
        if (!(target.derivativeType() instanceof com.palantir.javapoet.ClassName record) || arrayCallee(target)) {
          return null;
        }
        int k = (int) target.partials().stream().filter(java.util.Objects::nonNull).count();
        Expr zeros = new Expr.Apply(Op.NEW_ARRAY, List.of(Expr.Const.ofInt(k)), Type.DOUBLE_ARRAY);
        return new Expr.New(record.peerClass(record.simpleName() + "Hvp"), List.of(Expr.Const.ZERO, zeros, zeros),
            Type.OBJECT);
      }

      @Override
      public Expr componentTangent(Var recordTangent, CallTarget target, String accessor) {
        if (arrayCallee(target)) {
          // the callee's product has a component per parameter, shaped like it
          int i = target.partials().indexOf(accessor);
          return new Expr.Invoke(null, new Ref(recordTangent), accessor + "Hvp", List.of(),
              i < 0 ? Type.DOUBLE : target.paramTypes().get(i));
        }
        int k = 0;
        for (String p : target.partials()) {
          if (accessor.equals(p)) {
            break;
          }
          if (p != null) {
            k++;
          }
        }
        Expr hvp = new Expr.Invoke(null, new Ref(recordTangent), "hvp", List.of(), Type.DOUBLE_ARRAY);
        return new Expr.Apply(Op.ARRAY_READ, List.of(hvp, Expr.Const.ofInt(k)), Type.DOUBLE);
      }
    };
  }
}
