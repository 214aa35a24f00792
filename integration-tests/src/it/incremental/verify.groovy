// After the five builds of invoker.properties: the end state is the one the edits lead to, and
// every rebuild really recompiled (an edit the compiler plugin did not notice would prove nothing).
def log = new File(basedir, 'build.log').text
def gen = new File(basedir, 'target/generated-sources/annotations/com/example/inc')
def classes = new File(basedir, 'target/classes/com/example/inc')

// the edits happened and were compiled: the changed body, the renamed method, the fixed caller
def shapes = new File(gen, 'ShapesGrad.java').text
assert shapes.contains('Math.exp(-r)') : 'ShapesGrad.java still has the old body of area'
assert shapes.contains('circumference(double r)') && !shapes.contains('perimeter')
assert new File(gen, 'EnergyGrad.java').text.contains('ShapesGrad.circumference(r)')

// nothing is left of the removed method, the un-annotated class and the deleted class
def leftOver = (gen.list() + classes.list()).findAll {
  it.startsWith('LegacyGrad') || it.startsWith('Gone') || it.contains('Perimeter')
}
assert leftOver.isEmpty() : "stale files: $leftOver"
assert new File(classes, 'Legacy.class').isFile()

// build 4 failed for the intended reason, and the rebuild after it recovered
assert log.contains('[AdjointUnsupported] try/catch is not supported')
def recompiled = (log =~ /Recompiling the module because of (changed source code|added or removed source files)/).size()
assert recompiled == 5 : "$recompiled of the 5 builds compiled the main sources after an edit"

def report = new File(basedir, 'target/surefire-reports/TEST-com.example.inc.GeneratedClassesTest.xml')
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 4 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0
return true
