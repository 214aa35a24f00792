def log = new File(basedir, 'build.log').text
assert log.contains('adjoint: maven-compiler-plugin lists adjoint-processor in annotationProcessorPaths, so the compile step would run Adjoint a second time.')
assert !new File(basedir, 'target/generated-sources/adjoint/com/example/twice/ModelGrad.java').exists()
return true
