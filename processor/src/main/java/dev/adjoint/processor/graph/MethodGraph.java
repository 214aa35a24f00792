package dev.adjoint.processor.graph;

import java.util.List;

/**
 * The computation graph of one {@code @Differentiable} method.
 *
 * @param name the method's name
 * @param params its parameters, in order
 * @param wrt the parameters differentiated, in parameter order
 * @param body the method body
 * @param result the variable the lowered body leaves the method's value in
 * @param recordName the simple name of the generated result record
 */
public record MethodGraph(
    String name, List<Var> params, List<Var> wrt, Stmt.Block body, Var result, String recordName) {}
