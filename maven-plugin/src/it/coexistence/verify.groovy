// all three processors ran: AutoValue and MapStruct in the compile step, Adjoint in adjoint:generate
def annotations = new File(basedir, 'target/generated-sources/annotations/com/example/coexist')
def adjoint = new File(basedir, 'target/generated-sources/adjoint/com/example/coexist')
assert new File(annotations, 'AutoValue_Point.java').isFile()
assert new File(annotations, 'SampleMapperImpl.java').isFile()
assert new File(adjoint, 'PointGrad.java').isFile()
// Adjoint ran once: the compile step did not generate PointGrad a second time
assert !new File(annotations, 'PointGrad.java').exists()

def report = new File(basedir, 'target/surefire-reports/TEST-com.example.coexist.CoexistenceTest.xml')
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 2 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0
return true
