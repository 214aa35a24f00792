def report = new File(basedir, 'app/target/surefire-reports/TEST-com.example.stripped.app.FitTest.xml')
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 1 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0
return true
