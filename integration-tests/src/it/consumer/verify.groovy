// After `mvn verify` of the consumer: it compiled against the jar that ../library installed into
// the private repository, only the consumer's own gradients were generated here (the library's
// came compiled in its jar), and its tests really ran.
import java.util.jar.JarFile

def jar = new File(localRepositoryPath, 'com/example/it/adjoint-it-library/1.0/adjoint-it-library-1.0.jar')
def entries = new JarFile(jar).withCloseable { j -> j.entries().collect { it.name } }
assert entries.containsAll(['com/example/lib/LossesGrad.class', 'com/example/lib/Losses_InnerGrad.class'])
assert !entries.any { it.startsWith('dev/adjoint/') } : 'the library jar must not contain Adjoint itself'

def generated = new File(basedir, 'target/generated-sources/annotations')
assert new File(generated, 'com/example/app/ModelGrad.java').isFile()
def regenerated = []
generated.eachFileRecurse { if (it.name.endsWith('.java') && !it.path.contains('/com/example/app/')) regenerated << it }
assert regenerated.isEmpty() : "library gradients regenerated in the consumer: $regenerated"

def report = new File(basedir, 'target/surefire-reports/TEST-com.example.app.ModelTest.xml')
assert report.isFile() : 'no test report: did the consumer tests run?'
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 4 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0 && suite.@skipped.toInteger() == 0
return true
