// build 1: compile + adjoint:report wrote the standalone pages; build 2: mvn site included the report
def log = new File(basedir, 'build.log').text
def inspect = new File(basedir, 'target/adjoint/inspect/com.example.report.Model.json')
assert inspect.isFile()
assert inspect.text.contains('"class":"com.example.report.Model"')

def report = new File(basedir, 'target/adjoint/report')
def index = new File(report, 'index.html')
def page = new File(report, 'com.example.report.Model.html')
assert index.isFile() && page.isFile()
assert log =~ /Adjoint inspection report: .*index\.html \(1 class\)/
assert index.text.contains('href="com.example.report.Model.html"')
assert index.text.contains('gradient checks: 1 passed, 0 failed')
def html = page.text
['softplus', 'loss', 'decay'].each { assert html.contains("<h2>${it}<code>") }
assert html.contains('class="panel source-panel"') && html.contains('class="panel generated-panel"')
assert html.contains('<svg xmlns="http://www.w3.org/2000/svg" class="graph"')
assert html.contains('Running maximum/minimum of')
assert html.contains('Fused: each iteration')
assert html.contains('z &lt; 0 ?') && !html.contains('z < 0 ?')
assert html.contains('0.6224593312018546')

// the site: a page in the project reports, linking the same pages copied under adjoint/
def site = new File(basedir, 'target/site')
def summary = new File(site, 'adjoint-report.html')
assert summary.isFile()
assert summary.text.contains('adjoint/index.html') && summary.text.contains('com.example.report.Model')
assert new File(site, 'adjoint/index.html').isFile()
assert new File(site, 'adjoint/com.example.report.Model.html').isFile()
return true
