// Builds 2 and 3 compiled one file each (the touched caller, then the changed callee), and the
// callee's generated source has its new body.
def log = new File(basedir, 'build.log').text
def compiled = (log =~ /Compiling (\d+) source files? with javac .* to target\/classes/).collect { it[1] as int }
assert compiled == [2, 1, 1] : "main sources compiled per build: $compiled"
def shapes = new File(basedir, 'target/generated-sources/annotations/com/example/cso/ShapesGrad.java').text
assert shapes.contains('Math.exp(-r)') : 'ShapesGrad.java still has the old body of area'
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.cso.EnergyTest.xml')
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 2 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0
return true
