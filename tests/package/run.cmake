# Installs mece to a temporary prefix and builds a consumer against it, or builds one
# that adds mece as a subdirectory, or builds the headers and examples with the strictest
# warnings (`strict`, with COMPILER); then runs the consumer. The strict build with g++ is
# Release, so that warnings only GCC's optimizer finds are errors too (clang's warnings
# all come from its front end: it builds unoptimised, as the packaging checks do, which
# test where files go and what links, not the code the optimizer makes).
# cmake -DMODE=install|subdirectory|strict -DSOURCE=... -DWORK=... -DGENERATOR=... [-DCOMPILER=...] -P run.cmake
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGV}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK}")
if(MODE STREQUAL "install")
  # Lean: only Eigen and nlohmann-json may be looked for; finding doctest, Google
  # Benchmark or CLI11 is an error here, so the test fails if the install needs them.
  run(${CMAKE_COMMAND} -S "${SOURCE}" -B "${WORK}/mece" -G "${GENERATOR}" -DMECE_BUILD_TESTS=OFF -DMECE_BUILD_EXAMPLES=OFF
      -DMECE_BUILD_BENCHMARKS=OFF -DMECE_BUILD_PYTHON=OFF -DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON
      -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON)
  run(${CMAKE_COMMAND} --install "${WORK}/mece" --prefix "${WORK}/prefix")
  foreach(file include/mece/mece.hpp include/mece/run.hpp share/cmake/mece/meceConfig.cmake share/doc/mece/LICENSE)
    if(NOT EXISTS "${WORK}/prefix/${file}")
      message(FATAL_ERROR "the install has no ${file}")
    endif()
  endforeach()
  file(GLOB_RECURSE binaries "${WORK}/prefix/bin/*")
  if(binaries)
    message(FATAL_ERROR "a lean install holds programs: ${binaries}")
  endif()
  run(${CMAKE_COMMAND} -S "${SOURCE}/tests/package/consumer" -B "${WORK}/consumer" -G "${GENERATOR}"
      "-DCMAKE_PREFIX_PATH=${WORK}/prefix" -DCMAKE_BUILD_TYPE=)
elseif(MODE STREQUAL "strict")
  set(build_type Release)
  if(COMPILER MATCHES "clang")
    set(build_type "")
  endif()
  run(${CMAKE_COMMAND} -S "${SOURCE}/tests/package/strict" -B "${WORK}/consumer" -G "${GENERATOR}"
      "-DMECE_SOURCE_DIR=${SOURCE}" "-DCMAKE_CXX_COMPILER=${COMPILER}" "-DCMAKE_BUILD_TYPE=${build_type}")
  run(${CMAKE_COMMAND} --build "${WORK}/consumer")
  run("${WORK}/consumer/strict-consumer")
  return()
else()
  run(${CMAKE_COMMAND} -S "${SOURCE}/tests/package/subdirectory" -B "${WORK}/consumer" -G "${GENERATOR}"
      "-DMECE_SOURCE_DIR=${SOURCE}" -DCMAKE_BUILD_TYPE=)
endif()
run(${CMAKE_COMMAND} --build "${WORK}/consumer")
run("${WORK}/consumer/consumer")
run("${WORK}/consumer/consumer-precompiled")
