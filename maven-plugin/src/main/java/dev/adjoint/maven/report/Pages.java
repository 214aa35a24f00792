package dev.adjoint.maven.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/** The HTML of the report's pages: one per class, and the index. Self-contained: inline CSS and SVG. */
final class Pages {
  private Pages() {}

  static final String CSS = """
      :root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--accent:#2563eb}
      *{box-sizing:border-box}
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;background:#f8fafc}
      header.top{background:#0f172a;color:#e2e8f0;padding:14px 28px}
      header.top a{color:#93c5fd;text-decoration:none}
      header.top h1{margin:4px 0 2px;font-size:22px;color:#fff}
      header.top p{margin:0;color:#94a3b8}
      main{padding:12px 28px 40px}
      nav.methods{margin:8px 0 16px}
      nav.methods a{display:inline-block;margin:0 6px 6px 0;padding:2px 10px;border:1px solid var(--line);border-radius:12px;background:#fff;color:var(--accent);text-decoration:none;font-family:ui-monospace,monospace}
      section.method{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:0 0 22px}
      section.method h2{margin:0 0 6px;font-size:19px}
      section.method h2 code{font-size:13px;color:var(--muted);font-weight:normal;margin-left:8px}
      h3{font-size:14px;margin:16px 0 6px;color:#334155;text-transform:uppercase;letter-spacing:.04em}
      .facts span{display:inline-block;margin:0 8px 4px 0;padding:2px 9px;border-radius:10px;background:#eef2ff;color:#3730a3;font-size:12.5px}
      .facts span.warn{background:#fef3c7;color:#92400e}
      .facts span.ok{background:#dcfce7;color:#166534}
      .facts span.bad{background:#fee2e2;color:#991b1b}
      ul.decisions{margin:6px 0;padding-left:20px}
      table{border-collapse:collapse;width:100%;font-size:13px}
      th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
      th{background:#f1f5f9;font-weight:600}
      td code{font-size:12.5px}
      .panels{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.35fr);gap:14px}
      .panel{border:1px solid var(--line);border-radius:6px;overflow:hidden;min-width:0}
      .panel h4{margin:0;padding:6px 10px;background:#f1f5f9;border-bottom:1px solid var(--line);font-size:13px}
      .panel .scroll{max-height:560px;overflow:auto}
      pre.code{margin:0;padding:6px 0;font:12.5px/1.5 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
      pre.code>span{display:block;padding:0 10px 0 0;white-space:pre}
      pre.code .no{display:inline-block;width:3.4em;padding-right:.8em;text-align:right;color:#94a3b8;text-decoration:none;user-select:none}
      pre.code a.no{color:var(--accent)}
      pre.code b{color:#7c3aed;font-weight:600}
      pre.code i{color:#64748b}
      pre.code a.cm{color:#0f766e;text-decoration:none}
      pre.code [data-l]{cursor:pointer}
      pre.code span:target{background:#fde68a}
      details summary{cursor:pointer;padding:4px 10px;border-top:1px solid var(--line);color:var(--muted)}
      .graphbox{overflow:auto;border:1px solid var(--line);border-radius:6px;background:#fff;max-height:720px}
      svg.graph text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#0f172a}
      svg.graph .edge{fill:none;stroke:#94a3b8;stroke-width:1.3}
      svg.graph .node rect{fill:#f8fafc;stroke:#94a3b8;stroke-width:1.2}
      svg.graph .node.active rect{fill:#dbeafe;stroke:#2563eb}
      svg.graph .node.input rect{fill:#f1f5f9;stroke:#64748b}
      svg.graph .node.input.active rect{fill:#e0f2fe;stroke:#0284c7}
      svg.graph .node.loop rect{fill:#fef3c7;stroke:#d97706}
      svg.graph .node.output rect{fill:#dcfce7;stroke:#16a34a}
      svg.graph .node.taped rect{stroke:#dc2626;stroke-dasharray:5 3;stroke-width:2}
      svg.graph a:hover rect{stroke-width:2.5}
      .legend{color:var(--muted);font-size:12.5px;margin:6px 0 0}
      .legend i{display:inline-block;width:14px;height:10px;border:1px solid #94a3b8;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
      .pass{color:#166534;font-weight:600}.fail{color:#991b1b;font-weight:600}
      .none{color:var(--muted)}
      footer{color:var(--muted);font-size:12px;padding:0 28px 24px}
      """;

  static String head(String title, String extraCss) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + Html.escape(title)
        + "</title>\n<style>\n" + CSS + extraCss + "</style>\n</head>\n<body>\n";
  }

  /** The page of one class (one inspection file). */
  static String classPage(JsonNode file, CheckResults checks) {
    String qualified = file.path("class").asText();
    String simple = file.path("simpleName").asText(qualified);
    StringBuilder body = new StringBuilder();
    StringBuilder hover = new StringBuilder();
    body.append("<header class=\"top\"><a href=\"index.html\">Adjoint inspection report</a>")
        .append("<h1>").append(Html.escape(simple)).append("</h1><p><code>").append(Html.escape(qualified))
        .append("</code> \u2192 generated <code>").append(Html.escape(file.path("generatedClass").asText()))
        .append("</code></p></header>\n<main>\n<nav class=\"methods\">");
    for (JsonNode m : file.path("methods")) {
      body.append("<a href=\"#").append(sectionId(m)).append("\">").append(Html.escape(m.path("name").asText()))
          .append("</a>");
    }
    body.append("</nav>\n");
    for (JsonNode m : file.path("methods")) {
      method(body, hover, m, checks.of(qualified, simple));
    }
    body.append("</main>\n<footer>Written by adjoint-maven-plugin from the Adjoint processor's inspection file."
        + " Hover a line to see its counterpart; line numbers link across.</footer>\n</body>\n</html>\n");
    return head("Adjoint: " + simple, hover.toString()) + body;
  }

  static String sectionId(JsonNode m) {
    return "m-" + Html.id(m.path("name").asText()) + "-" + Math.abs(m.path("signature").asText().hashCode() % 10000);
  }

  private static void method(StringBuilder out, StringBuilder hover, JsonNode m, List<CheckResults.Row> checks) {
    String id = sectionId(m);
    String name = m.path("name").asText();
    out.append("<section class=\"method\" id=\"").append(id).append("\">\n<h2>").append(Html.escape(name))
        .append("<code>").append(Html.escape(m.path("signature").asText())).append("</code></h2>\n");
    out.append("<div class=\"facts\">");
    StringBuilder wrt = new StringBuilder();
    m.path("wrt").forEach(w -> wrt.append(wrt.length() == 0 ? "" : ", ").append(w.asText()));
    out.append("<span>with respect to ").append(Html.escape(wrt.toString())).append("</span>");
    out.append(String.format(Locale.ROOT, "<span>compile time %.1f ms</span>", m.path("compileMillis").asDouble()));
    int loops = m.path("loops").size();
    int taped = 0;
    for (JsonNode l : m.path("loops")) {
      taped = Math.max(taped, l.path("tapedPerIteration").asInt());
    }
    out.append("<span>").append(loops).append(loops == 1 ? " loop" : " loops").append("</span>");
    out.append(m.path("usesTape").asBoolean()
        ? "<span class=\"warn\">tape: up to " + taped + " value" + (taped == 1 ? "" : "s") + " per iteration</span>"
        : "<span class=\"ok\">no tape</span>");
    if (m.path("implicit").asBoolean()) {
      out.append("<span>helper: differentiated because a @Differentiable method calls it</span>");
    }
    long failed = checks.stream().filter(r -> r.method().equals(name) && !r.passed()).count();
    long passed = checks.stream().filter(r -> r.method().equals(name) && r.passed()).count();
    if (failed > 0) {
      out.append("<span class=\"bad\">gradient check FAILED</span>");
    } else if (passed > 0) {
      out.append("<span class=\"ok\">gradient check passed</span>");
    }
    out.append("</div>\n");
    if (m.path("decisions").size() > 0) {
      out.append("<ul class=\"decisions\">");
      m.path("decisions").forEach(d -> out.append("<li>").append(Html.escape(d.asText())).append("</li>"));
      out.append("</ul>\n");
    }
    if (loops > 0) {
      out.append("<h3>Loops: what the tape keeps per iteration</h3>\n<table class=\"loops\"><tr><th>line</th>"
          + "<th>loop</th><th>taped per iteration</th><th>what the planner decided</th></tr>\n");
      for (JsonNode l : m.path("loops")) {
        long line = l.path("line").asLong();
        out.append("<tr><td><a href=\"#s-").append(id).append('-').append(line).append("\">").append(line)
            .append("</a></td><td><code>").append("\u00a0\u00a0".repeat(l.path("depth").asInt()))
            .append(Html.escape(l.path("header").asText())).append("</code></td><td>");
        if (l.path("taped").size() == 0) {
          out.append("<span class=\"none\">nothing</span>");
        } else {
          out.append(l.path("tapedPerIteration").asInt()).append(": ");
          boolean first = true;
          for (JsonNode t : l.path("taped")) {
            out.append(first ? "" : ", ").append("<code title=\"").append(Html.escape(t.path("why").asText()))
                .append("\">").append(Html.escape(t.path("name").asText())).append("</code> <small>")
                .append(Html.escape(t.path("type").asText())).append("</small>");
            first = false;
          }
        }
        out.append("</td><td>");
        if (l.path("decisions").size() == 0) {
          out.append(l.path("reverseWork").asBoolean() ? "run backwards in the reverse sweep" : "");
        }
        l.path("decisions").forEach(d -> out.append(Html.escape(d.asText())).append("<br>"));
        out.append("</td></tr>\n");
      }
      out.append("</table>\n");
    }
    CodePanels panels = new CodePanels(id);
    String generated = panels.generated(m);
    String source = panels.source(m);
    hover.append(panels.hoverStyle(id));
    out.append("<h3>Source and generated adjoint</h3>\n<div class=\"panels\"><div class=\"panel source-panel\">"
        + "<h4>Source</h4><div class=\"scroll\">").append(source)
        .append("</div></div><div class=\"panel generated-panel\"><h4>Generated</h4><div class=\"scroll\">")
        .append(generated).append("</div></div></div>\n");
    JsonNode graph = m.path("graph");
    out.append("<h3>Computation graph</h3>\n<div class=\"graphbox\">").append(GraphSvg.render(graph, id))
        .append("</div>\n<p class=\"legend\"><i style=\"background:#e0f2fe\"></i>input"
            + "<i style=\"background:#dbeafe;border-color:#2563eb\"></i>carries a derivative"
            + "<i style=\"background:#f8fafc\"></i>no derivative<i style=\"background:#fef3c7;border-color:#d97706\">"
            + "</i>loop (body collapsed)<i style=\"border:2px dashed #dc2626\"></i>taped"
            + "<i style=\"background:#dcfce7;border-color:#16a34a\"></i>value");
    int omitted = graph.path("omitted").asInt();
    if (omitted > 0) {
      out.append(" \u2014 ").append(omitted).append(" more statements not drawn (the graph is capped at ")
          .append(graph.path("nodes").size()).append(" nodes)");
    }
    out.append("</p>\n");
    List<CheckResults.Row> mine = checks.stream().filter(r -> r.method().equals(name)).toList();
    if (!mine.isEmpty()) {
      out.append("<h3>Gradient check</h3>\n");
      checkTable(out, mine, false);
    }
    out.append("</section>\n");
  }

  static void checkTable(StringBuilder out, List<CheckResults.Row> rows, boolean withClass) {
    out.append("<table class=\"checks\"><tr>").append(withClass ? "<th>class</th>" : "")
        .append("<th>method</th><th>point</th><th>expected (finite differences)</th><th>actual</th>"
            + "<th>max rel. error</th><th>status</th></tr>\n");
    for (CheckResults.Row r : rows) {
      out.append("<tr>");
      if (withClass) {
        out.append("<td><code>").append(Html.escape(r.className())).append("</code></td>");
      }
      out.append("<td><code>").append(Html.escape(r.method())).append("</code></td><td><code>")
          .append(Html.escape(r.point())).append("</code></td><td><code>").append(Html.escape(r.expected()))
          .append("</code></td><td><code>").append(Html.escape(r.actual())).append("</code></td><td>")
          .append(Html.escape(r.maxRelError())).append("</td><td class=\"").append(r.passed() ? "pass" : "fail")
          .append("\">").append(Html.escape(r.status())).append("</td></tr>\n");
    }
    out.append("</table>\n");
  }

  /** The index: every class and method, and every check result. */
  static String index(List<JsonNode> files, CheckResults checks) {
    StringBuilder out = new StringBuilder();
    int methods = 0;
    double millis = 0;
    for (JsonNode f : files) {
      for (JsonNode m : f.path("methods")) {
        methods++;
        millis += m.path("compileMillis").asDouble();
      }
    }
    out.append("<header class=\"top\"><h1>Adjoint inspection report</h1><p>").append(files.size())
        .append(files.size() == 1 ? " class, " : " classes, ").append(methods)
        .append(methods == 1 ? " differentiated method" : " differentiated methods")
        .append(String.format(Locale.ROOT, ", %.0f ms in the processor", millis));
    if (checks.present()) {
      long failed = checks.rows().stream().filter(r -> !r.passed()).count();
      out.append("; gradient checks: ").append(checks.rows().size() - failed).append(" passed, ").append(failed)
          .append(" failed");
    }
    out.append("</p></header>\n<main>\n<section class=\"method\"><h2>Classes</h2>\n<table class=\"classes\"><tr>"
        + "<th>class</th><th>method</th><th>with respect to</th><th>loops</th><th>taped per iteration (max)</th>"
        + "<th>compile time</th><th>check</th></tr>\n");
    for (JsonNode f : files) {
      String qualified = f.path("class").asText();
      String simple = f.path("simpleName").asText();
      List<CheckResults.Row> rows = checks.of(qualified, simple);
      boolean first = true;
      for (JsonNode m : f.path("methods")) {
        String name = m.path("name").asText();
        int taped = 0;
        for (JsonNode l : m.path("loops")) {
          taped = Math.max(taped, l.path("tapedPerIteration").asInt());
        }
        StringBuilder wrt = new StringBuilder();
        m.path("wrt").forEach(w -> wrt.append(wrt.length() == 0 ? "" : ", ").append(w.asText()));
        List<CheckResults.Row> mine = rows.stream().filter(r -> r.method().equals(name)).toList();
        String check = mine.isEmpty() ? "<span class=\"none\">\u2014</span>"
            : mine.stream().allMatch(CheckResults.Row::passed) ? "<span class=\"pass\">PASS</span>"
            : "<span class=\"fail\">FAIL</span>";
        out.append("<tr><td>").append(first ? "<a href=\"" + pageName(f) + "\"><code>" + Html.escape(qualified)
            + "</code></a>" : "").append("</td><td><a href=\"").append(pageName(f)).append('#')
            .append(sectionId(m)).append("\"><code>").append(Html.escape(name)).append("</code></a></td><td>")
            .append(Html.escape(wrt.toString())).append("</td><td>").append(m.path("loops").size())
            .append("</td><td>").append(m.path("usesTape").asBoolean() ? Integer.toString(taped) : "no tape")
            .append(String.format(Locale.ROOT, "</td><td>%.1f ms</td><td>", m.path("compileMillis").asDouble()))
            .append(check).append("</td></tr>\n");
        first = false;
      }
    }
    out.append("</table></section>\n");
    if (checks.present()) {
      out.append("<section class=\"method\" id=\"checks\"><h2>Gradient checks</h2>\n");
      checkTable(out, checks.rows(), true);
      out.append("</section>\n");
    }
    out.append("</main>\n<footer>Written by adjoint-maven-plugin (goal <code>adjoint:report</code>) from the"
        + " inspection files of the Adjoint processor.</footer>\n</body>\n</html>\n");
    return head("Adjoint inspection report", "") + out;
  }

  /** The file name of a class's page. */
  static String pageName(JsonNode file) {
    return file.path("class").asText().replaceAll("[^A-Za-z0-9_.$-]", "_") + ".html";
  }
}
