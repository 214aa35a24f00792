// all three processors ran: AutoValue and MapStruct in the compile step, Adjoint in adjoint:generate
def annotations = new File(basedir, 'target/generated-sources/annotations/com/example/coexist')
def adjoint = new File(basedir, 'target/generated-sources/adjoint/com/example/coexist')
assert new File(annotations, 'AutoValue_Point.java').isFile()
assert new File(annotations, 'SampleMapperImpl.java').isFile()
assert new File(adjoint, 'PointGrad.java').isFile()
// Adjoint ran once: the compile step did not generate PointGrad a second time
assert !new File(annotations, 'PointGrad.java').exists()

// javac could not resolve AutoValue_Point while Adjoint ran alone; that did not stop Adjoint
def log = new File(basedir, 'build.log').text
assert log.contains('adjoint: javac reported 1 unresolved names or other errors while only Adjoint ran')

def report = new File(basedir, 'target/surefire-reports/TEST-com.example.coexist.CoexistenceTest.xml')
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 2 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0
return true
