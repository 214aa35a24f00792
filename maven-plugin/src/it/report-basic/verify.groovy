// build 1: `mvn verify adjoint:report` as a user runs it: adjoint:generate recorded the inspection
// files, adjoint:check checked the custom derivative, the report wrote the standalone pages with
// both; build 2: mvn site included the report
def log = new File(basedir, 'build.log').text
def inspect = new File(basedir, 'target/adjoint/inspect/com.example.report.Model.json')
assert inspect.isFile()
assert inspect.text.contains('"class":"com.example.report.Model"')

// the one-entry set-up: the plugin's generate goal made the gradients, the compile step did not
assert new File(basedir, 'target/generated-sources/adjoint/com/example/report/ModelGrad.java').isFile()
assert !new File(basedir, 'target/generated-sources/annotations/com/example/report/ModelGrad.java').exists()

// the real check of this build, before the report read it
assert log =~ /adjoint:check: Model\.logisticDerivative passed at 2 points/
def results = new File(basedir, 'target/adjoint/check/results.tsv').readLines()
assert results.size() == 2
def row = results[1].split('\t')
assert row[0] == 'com.example.report.Model' && row[1] == 'logisticDerivative' && row[6] == 'PASS'
assert log.indexOf('adjoint:check: Model.logisticDerivative passed') < log.indexOf('Adjoint inspection report: ')

def report = new File(basedir, 'target/adjoint/report')
def index = new File(report, 'index.html')
def page = new File(report, 'com.example.report.Model.html')
assert index.isFile() && page.isFile()
assert log =~ /Adjoint inspection report: .*index\.html \(1 class\)/
def idx = index.text
assert idx.contains('href="com.example.report.Model.html"')
['softplus', 'loss', 'decay', 'gate'].each { assert idx.contains("<code>${it}</code></a>") }
assert idx.contains('gradient checks: 1 passed, 0 failed')
// the check section: the row adjoint:check wrote, escaped as it is in the file
assert idx.contains('<h2>Gradient checks</h2>')
def checks = idx.substring(idx.indexOf('<h2>Gradient checks</h2>'))
assert checks.contains('<td><code>com.example.report.Model</code></td><td><code>logisticDerivative</code></td>')
assert checks.contains("<td><code>${row[2]}</code></td><td><code>${row[3]}</code></td><td><code>${row[4]}</code></td>")
assert checks.contains('<td class="pass">PASS</td>') && !checks.contains('FAIL')

def html = page.text
['softplus', 'loss', 'decay', 'gate'].each { assert html.contains("<h2>${it}<code>") }
assert html.contains('class="panel source-panel"') && html.contains('class="panel generated-panel"')
assert html.contains('<svg xmlns="http://www.w3.org/2000/svg" class="graph"')
assert html.contains('Running maximum/minimum of')
assert html.contains('Fused: each iteration')
assert html.contains('z &lt; 0 ?') && !html.contains('z < 0 ?')

// the site: a page in the project reports, linking the same pages copied under adjoint/
def site = new File(basedir, 'target/site')
def summary = new File(site, 'adjoint-report.html')
assert summary.isFile()
assert summary.text.contains('adjoint/index.html') && summary.text.contains('com.example.report.Model')
def siteIndex = new File(site, 'adjoint/index.html')
assert siteIndex.isFile() && siteIndex.text.contains('gradient checks: 1 passed, 0 failed')
assert new File(site, 'adjoint/com.example.report.Model.html').isFile()
return true
