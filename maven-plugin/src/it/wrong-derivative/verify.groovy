// adjoint:check failed the build, naming each wrong derivative, its point and the values
def log = new File(basedir, 'build.log').text
assert log.contains('adjoint:check: 2 of 3 derivatives disagree with finite differences')
assert log.contains('Model.softplusDerivative (derivative of softplus) is wrong at (1.5): expected [0.8175744761')
assert log =~ /actual \[0\.18242552380\d*\], relative error [0-9.e-]+ > tolerance 1\.0e-06/
assert log =~ /Model\.productDerivative \(derivative of product\) is wrong at \(-?[0-9.]+, -?[0-9.]+\): expected/
assert log.contains('adjoint:check: Model.cubeDerivative passed at 3 points')

def results = new File(basedir, 'target/adjoint/check/results.tsv').readLines()
assert results[0] == 'class\tmethod\tpoint\texpected\tactual\tmaxRelError\tstatus'
def rows = results.drop(1).collect { it.split('\t') }.collectEntries { [(it[1]): it] }
assert rows.keySet() == ['cubeDerivative', 'productDerivative', 'softplusDerivative'] as Set
assert rows.softplusDerivative[0] == 'com.example.wrong.Model'
assert rows.softplusDerivative[2] == '1.5' && rows.softplusDerivative[6] == 'FAIL'
assert rows.productDerivative[6] == 'FAIL' && rows.cubeDerivative[6] == 'PASS'
assert rows.productDerivative[3].split(',').size() == 2
return true
