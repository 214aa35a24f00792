// Four builds without `clean` (invoker.properties): the first generates, the second finds
// nothing changed and touches nothing, the third fails on an unsupported construct, the fourth
// follows an edit and a deleted class.
def log = new File(basedir, 'build.log').text
def gen = new File(basedir, 'target/generated-sources/adjoint/com/example/oneentry')
def classes = new File(basedir, 'target/classes/com/example/oneentry')

assert (log =~ /adjoint: processed 2 source files in \d+ ms: 2 generated files written, 0 unchanged, 0 stale deleted/).size() == 1
// build 2: nothing regenerated, so the compiler plugin had nothing to recompile either
assert (log =~ /adjoint: generated sources up to date \(2 source files unchanged\), nothing regenerated/).size() == 1
assert (log =~ /Nothing to compile - all classes are up to date/).size() >= 1
// build 3: the processor's error, at its file and line, failed the build
assert log =~ /\[ERROR\] \S+\/com\/example\/oneentry\/Model\.java:\[\d+,\d+\] \[AdjointUnsupported\] try\/catch is not supported in @Differentiable method Model\.rosenbrock/
assert log.contains('adjoint: the processor reported 1 error:')
// build 4: the edited class regenerated, the deleted one's gradient deleted
assert (log =~ /adjoint: processed 1 source files in \d+ ms: 1 generated files written, 0 unchanged, 1 stale deleted/).size() == 1
assert log.contains('adjoint: deleted stale com/example/oneentry/GoneGrad.java')
assert new File(gen, 'ModelGrad.java').text.contains('10 * b * b')
assert !new File(gen, 'GoneGrad.java').exists()
assert !new File(classes, 'GoneGrad.class').exists() && !new File(classes, 'Gone.class').exists()
assert new File(classes, 'ModelGrad.class').isFile()

// the compile step did not run Adjoint a second time
assert !new File(basedir, 'target/generated-sources/annotations/com/example/oneentry/ModelGrad.java').exists()

// adjoint:check passed the custom derivative at its three @CheckAt points, in every build
assert (log =~ /adjoint:check: Model\.softplusDerivative passed at 3 points/).size() == 3 // builds 1, 2, 4
def results = new File(basedir, 'target/adjoint/check/results.tsv').readLines()
assert results.size() == 2
def row = results[1].split('\t')
assert row[0] == 'com.example.oneentry.Model' && row[1] == 'softplusDerivative' && row[6] == 'PASS'

def report = new File(basedir, 'target/surefire-reports/TEST-com.example.oneentry.ModelTest.xml')
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 2 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0
return true
