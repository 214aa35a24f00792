package dev.adjoint.gradbench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A GradBench tool (see GradBench's protocol): one JSON message a line on stdin, one response a
 * line on stdout. {@code define} answers whether the module exists; {@code evaluate} parses the
 * input once, runs the function at least {@code min_runs} times and for at least
 * {@code min_seconds}, and reports one {@code evaluate} timing per run (parsing and printing are
 * not timed, as GradBench's convention asks).
 */
public final class Tool {
  static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  /** Every eval: module name to its functions. */
  static final Map<String, Module> MODULES = Map.ofEntries(
      Map.entry("ba", Ba.MODULE),
      Map.entry("det", Det.MODULE),
      Map.entry("gmm", Gmm.MODULE),
      Map.entry("hello", Hello.MODULE),
      Map.entry("ht", Ht.MODULE),
      Map.entry("kmeans", Kmeans.MODULE),
      Map.entry("llsq", Llsq.MODULE),
      Map.entry("lse", Lse.MODULE),
      Map.entry("lstm", Lstm.MODULE),
      Map.entry("ode", Ode.MODULE),
      Map.entry("particle", Particle.MODULE),
      Map.entry("saddle", Saddle.MODULE));

  /** One GradBench module: its functions by name. */
  public interface Module {
    /** The function {@code name} prepared for {@code input}, or null if there is no such function. */
    Supplier<Object> prepare(String name, JsonElement input);
  }

  private Tool() {}

  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      out.println(GSON.toJson(respond(JsonParser.parseString(line).getAsJsonObject())));
      out.flush();
    }
  }

  /** The response to one message. */
  static JsonObject respond(JsonObject message) {
    JsonObject response = new JsonObject();
    response.add("id", message.get("id"));
    String kind = message.get("kind").getAsString();
    try {
      switch (kind) {
        case "start" -> response.addProperty("tool", "adjoint");
        case "define" -> {
          String module = message.get("module").getAsString();
          response.addProperty("success", MODULES.containsKey(module));
          if (!MODULES.containsKey(module)) response.addProperty("error", "no module " + module);
        }
        case "evaluate" -> evaluate(message, response);
        default -> { }
      }
    } catch (RuntimeException | Error e) {
      response.addProperty("success", false);
      response.addProperty("error", e.toString());
    }
    return response;
  }

  private static void evaluate(JsonObject message, JsonObject response) {
    String module = message.get("module").getAsString();
    String function = message.get("function").getAsString();
    JsonElement input = message.get("input");
    Module m = MODULES.get(module);
    Supplier<Object> run = m == null ? null
        : FreshClasses.ON ? FreshClasses.prepare(module, function, input)
        : m.prepare(function, input);
    if (run == null) {
      response.addProperty("success", false);
      response.addProperty("error", "no function " + module + "::" + function);
      return;
    }
    int minRuns = 1;
    double minSeconds = 0;
    if (input.isJsonObject()) {
      JsonObject o = input.getAsJsonObject();
      if (o.has("min_runs")) minRuns = o.get("min_runs").getAsInt();
      if (o.has("min_seconds")) minSeconds = o.get("min_seconds").getAsDouble();
    }
    JsonArray timings = new JsonArray();
    Object output = null;
    long total = 0;
    for (int runs = 0; runs < minRuns || total < minSeconds * 1e9; runs++) {
      long start = System.nanoTime();
      output = run.get();
      long ns = System.nanoTime() - start;
      total += ns;
      JsonObject timing = new JsonObject();
      timing.addProperty("name", "evaluate");
      timing.addProperty("nanoseconds", ns);
      timings.add(timing);
    }
    response.addProperty("success", true);
    response.add("output", GSON.toJsonTree(output));
    response.add("timings", timings);
  }
}
