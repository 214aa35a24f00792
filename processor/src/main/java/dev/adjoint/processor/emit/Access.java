package dev.adjoint.processor.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.graph.Type;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * How generated code reaches the user's members. The generated class is another top-level
 * class of the model's package, so it cannot name a {@code private} member of the model (a
 * helper, a constant, a {@code @Derivative}), nor a package-private or protected member of a
 * class in another package. Such a member is reached through a {@code private static final}
 * {@link MethodHandle} (a method) or {@link VarHandle} (a field) of the generated class, looked
 * up once with {@code MethodHandles.privateLookupIn(Owner.class, MethodHandles.lookup())} when
 * the class is initialised, and called from a small static bridge method ({@code sq$(x)}) so
 * that expressions stay expressions. Static final handles are constants to the JIT, which
 * inlines the call as if it were direct; the handles are immutable, so this is thread-safe.
 *
 * <p>Members the generated class can name are written directly, as before. One instance per
 * generated class; {@link #addTo} adds the handles and bridges that its code used.
 */
public final class Access {
  /** A method of a generated class of this round (not yet an element): who may call it, its types. */
  public record Generated(boolean isPublic, TypeName returns, List<TypeName> params) {}

  /** {@code instance}: a member of the model instance, whose bridge takes the instance first. */
  private record Bridge(String name, String owner, String member, boolean field, boolean instance,
      CodeBlock ownerClass, TypeName receiver, TypeName returns, List<TypeName> params) {}

  private final Elements elements;
  private final ClassName self;
  private final Map<String, Generated> generated;
  private final Map<String, Bridge> bridges = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>();

  /**
   * @param generated the methods generated in this round, by {@link #key}: their classes are not
   *     elements yet
   */
  public Access(Elements elements, ClassName self, Map<String, Generated> generated) {
    this.elements = elements;
    this.self = self;
    this.generated = generated;
  }

  /** {@code p.ModelGrad#f/2}: a generated method by class, name and number of parameters. */
  public static String key(ClassName owner, String method, int arity) {
    return owner.canonicalName() + "#" + method + "/" + arity;
  }

  /**
   * The name of the bridge method that calls {@code owner.name(params)} for the generated code,
   * or null when the generated class can call it directly.
   *
   * @param params the parameter types when known (a call of the source), else null (then the
   *     method is found by its number of parameters, {@code arity})
   */
  public String method(TypeName owner, String name, List<Type> params, int arity) {
    return method(owner, name, params, arity, false);
  }

  /** As {@link #method(TypeName, String, List, int)} for an instance method: its bridge takes the receiver first. */
  public String method(TypeName owner, String name, List<Type> params, int arity, boolean instance) {
    if (!(owner instanceof ClassName c) || direct(c)) {
      return null;
    }
    Generated g = generated.get(key(c, name, arity));
    if (g != null) {
      if (g.isPublic() || c.packageName().equals(self.packageName())) {
        return null;
      }
      return bridge(c, name, false, false, CodeBlock.of("$T.class", c), g.returns(), g.params());
    }
    TypeElement type = elements.getTypeElement(c.canonicalName());
    if (type == null) {
      return null;
    }
    ExecutableElement found = null;
    for (ExecutableElement m : ElementFilter.methodsIn(instance ? elements.getAllMembers(type) : type.getEnclosedElements())) {
      if (m.getSimpleName().contentEquals(name) && m.getParameters().size() == arity
          && (found == null || params != null && matches(m, params))) {
        found = m;
      }
    }
    if (found == null || accessible(found)) {
      return null;
    }
    List<TypeName> types = new ArrayList<>();
    for (VariableElement p : found.getParameters()) {
      types.add(TypeName.get(p.asType()));
    }
    return bridge(c, name, false, instance, classOf(type), TypeName.get(found.getReturnType()), types);
  }

  /** The bridge method that reads the static final field {@code owner.name}, or null when it can be named. */
  public String field(TypeName owner, String name) {
    return field(owner, name, false);
  }

  /**
   * The bridge method that reads field {@code owner.name} (static, or of the instance passed to
   * the bridge when {@code instance}), or null when it can be named.
   */
  public String field(TypeName owner, String name, boolean instance) {
    if (!(owner instanceof ClassName c) || direct(c)) {
      return null;
    }
    TypeElement type = elements.getTypeElement(c.canonicalName());
    if (type == null) {
      return null;
    }
    for (VariableElement f : ElementFilter.fieldsIn(instance ? elements.getAllMembers(type) : type.getEnclosedElements())) {
      if (f.getSimpleName().contentEquals(name)) {
        TypeElement declaring = (TypeElement) f.getEnclosingElement();
        return accessible(f) ? null
            : bridge(ClassName.get(declaring), name, true, instance, classOf(declaring), TypeName.get(f.asType()), List.of());
      }
    }
    return null;
  }

  /** Whether there is anything to add to the generated class. */
  public boolean used() {
    return !bridges.isEmpty();
  }

  /** Adds the handles, the bridges and the lookup helpers that the code written so far used. */
  public void addTo(TypeSpec.Builder type) {
    if (bridges.isEmpty()) {
      return;
    }
    boolean methods = false;
    boolean fields = false;
    boolean instanceMethods = false;
    boolean instanceFields = false;
    boolean byName = false;
    for (Bridge b : bridges.values()) {
      String handle = b.name() + "handle";
      if (b.field()) {
        fields |= !b.instance();
        type.addField(FieldSpec.builder(VarHandle.class, handle, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("$L.$L cannot be named from here (it is not accessible to another class): read\n"
                + "through a handle.\n", b.owner(), b.member())
            .initializer("$L($L, $S, $T.class)", b.instance() ? "instanceField$" : "field$",
                b.ownerClass(), b.member(), erased(b.returns()))
            .build());
        MethodSpec.Builder get = MethodSpec.methodBuilder(b.name())
            .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(b.returns());
        if (b.instance()) {
          instanceFields = true;
          get.addParameter(b.receiver(), "self").addStatement("return ($T) $N.get(self)", b.returns(), handle);
        } else {
          get.addStatement("return ($T) $N.get()", b.returns(), handle);
        }
        type.addMethod(get.build());
      } else {
        methods |= !b.instance();
        instanceMethods |= b.instance();
        CodeBlock.Builder args = CodeBlock.builder();
        args.add("$L, $S, $T.class", b.ownerClass(), b.member(), erased(b.returns()));
        for (TypeName p : b.params()) {
          args.add(", $T.class", erased(p));
        }
        type.addField(FieldSpec.builder(MethodHandle.class, handle, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("$L.$L cannot be named from here (it is not accessible to another class): called\n"
                + "through a handle, which the JIT inlines like a direct call.\n", b.owner(), b.member())
            .initializer("$L($L)", b.instance() ? "instanceMethod$" : "method$", args.build())
            .build());
        MethodSpec.Builder m = MethodSpec.methodBuilder(b.name())
            .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(b.returns());
        List<String> names = new ArrayList<>();
        if (b.instance()) {
          m.addParameter(ParameterSpec.builder(b.receiver(), "self").build());
          names.add("self");
        }
        for (int i = 0; i < b.params().size(); i++) {
          m.addParameter(ParameterSpec.builder(b.params().get(i), "a" + i).build());
          names.add("a" + i);
        }
        m.beginControlFlow("try");
        m.addStatement("return ($T) $N.invokeExact($L)", b.returns(), handle, String.join(", ", names));
        m.nextControlFlow("catch ($T | $T e)", RuntimeException.class, Error.class);
        m.addStatement("throw e");
        m.nextControlFlow("catch ($T e)", Throwable.class);
        m.addComment("the method declares no checked exception; it cannot get here");
        m.addStatement("throw new $T(e)", java.lang.reflect.UndeclaredThrowableException.class);
        m.endControlFlow();
        type.addMethod(m.build());
      }
      byName |= b.ownerClass().toString().startsWith("class$");
    }
    TypeName anyClass = com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(Class.class),
        com.palantir.javapoet.WildcardTypeName.subtypeOf(Object.class));
    CodeBlock lookup = CodeBlock.of("$T.privateLookupIn(owner, $T.lookup())", MethodHandles.class, MethodHandles.class);
    if (methods) {
      type.addMethod(lookup("method$", true, "A static method of {@code owner} that this class may not name.",
          CodeBlock.of("$L.findStatic(owner, name, $T.methodType(returns, params))", lookup, MethodType.class)));
    }
    if (fields) {
      type.addMethod(lookup("field$", false, "A static field of {@code owner} that this class may not name.",
          CodeBlock.of("$L.findStaticVarHandle(owner, name, type)", lookup)));
    }
    if (instanceMethods) {
      type.addMethod(lookup("instanceMethod$", true, "An instance method of {@code owner} that this class may not name.",
          CodeBlock.of("$L.findVirtual(owner, name, $T.methodType(returns, params))", lookup, MethodType.class)));
    }
    if (instanceFields) {
      type.addMethod(lookup("instanceField$", false, "A field of {@code owner}'s instances that this class may not name.",
          CodeBlock.of("$L.findVarHandle(owner, name, type)", lookup)));
    }
    if (byName) {
      type.addMethod(MethodSpec.methodBuilder("class$")
          .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .returns(anyClass)
          .addParameter(String.class, "name")
          .addJavadoc("A class this class may not name.\n")
          .beginControlFlow("try")
          .addStatement("return $T.forName(name, false, $T.class.getClassLoader())", Class.class, self)
          .nextControlFlow("catch ($T e)", ClassNotFoundException.class)
          .addStatement("throw new $T(\"cannot load \" + name, e)", LinkageError.class)
          .endControlFlow()
          .build());
    }
  }

  /**
   * A helper of the generated class that looks a member up once, at class initialisation:
   * {@code name(owner, name, returns, params...)} for a method handle, {@code name(owner, name,
   * type)} for a var handle.
   */
  private static MethodSpec lookup(String name, boolean method, String javadoc, CodeBlock find) {
    TypeName anyClass = com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(Class.class),
        com.palantir.javapoet.WildcardTypeName.subtypeOf(Object.class));
    MethodSpec.Builder m = MethodSpec.methodBuilder(name)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(method ? MethodHandle.class : VarHandle.class)
        .addParameter(anyClass, "owner")
        .addParameter(String.class, "name");
    if (method) {
      m.addParameter(anyClass, "returns").addParameter(ArrayTypeName.of(anyClass), "params").varargs(true);
    } else {
      m.addParameter(anyClass, "type");
    }
    return m.addJavadoc(javadoc + "\n")
        .beginControlFlow("try")
        .addStatement("return $L", find)
        .nextControlFlow("catch ($T e)", ReflectiveOperationException.class)
        .addStatement("throw new $T(\"cannot reach \" + owner.getName() + \".\" + name, e)", LinkageError.class)
        .endControlFlow()
        .build();
  }

  private String bridge(ClassName owner, String member, boolean field, boolean instance, CodeBlock ownerClass,
      TypeName returns, List<TypeName> params) {
    String key = owner.canonicalName() + "#" + member + (field ? "" : params.toString()) + (instance ? "/this" : "");
    Bridge b = bridges.get(key);
    if (b == null) {
      String name = member + "$";
      for (int k = 2; !names.add(name); k++) {
        name = member + "$" + k;
      }
      b = new Bridge(name, String.join(".", owner.simpleNames()), member, field, instance, ownerClass, owner,
          returns, params);
      bridges.put(key, b);
    }
    return b.name();
  }

  /** {@code Owner.class}, or {@code class$("p.Outer$Inner")} for a class this one may not name either. */
  private CodeBlock classOf(TypeElement type) {
    return accessible(type) ? CodeBlock.of("$T.class", ClassName.get(type))
        : CodeBlock.of("class$$($S)", elements.getBinaryName(type).toString());
  }

  private static TypeName erased(TypeName t) {
    return t instanceof com.palantir.javapoet.ParameterizedTypeName p ? p.rawType() : t;
  }

  /** The runtime, the JDK and the generated class itself: always named directly. */
  private boolean direct(ClassName c) {
    String pkg = c.packageName();
    return c.equals(self) || pkg.equals("dev.adjoint.runtime") || pkg.equals("dev.adjoint.tensor")
        || pkg.startsWith("java.");
  }

  private static boolean matches(ExecutableElement m, List<Type> params) {
    for (int i = 0; i < params.size(); i++) {
      java.util.Optional<Type> t = dev.adjoint.processor.parse.CallResolver.typeOf(m.getParameters().get(i).asType());
      if (t.isEmpty() || t.get() != params.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the generated class (another top-level class of its package) may name e. */
  private boolean accessible(Element e) {
    for (Element x = e; x != null && x.getKind() != ElementKind.PACKAGE; x = x.getEnclosingElement()) {
      Set<Modifier> m = x.getModifiers();
      if (m.contains(Modifier.PRIVATE)) {
        return false;
      }
      boolean inInterface = x.getEnclosingElement() != null && x.getEnclosingElement().getKind().isInterface();
      if (!m.contains(Modifier.PUBLIC) && !inInterface
          && !elements.getPackageOf(x).getQualifiedName().contentEquals(self.packageName())) {
        return false;
      }
    }
    return true;
  }
}
