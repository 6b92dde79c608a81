# Installs mece to a temporary prefix and builds a consumer against it, or builds one
# that adds mece as a subdirectory; then runs the consumer. Release, so warnings only
# the optimizer finds are errors too.
# cmake -DMODE=install|subdirectory -DSOURCE=... -DWORK=... -DGENERATOR=... -P run.cmake
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGV}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK}")
if(MODE STREQUAL "install")
  run(${CMAKE_COMMAND} -S "${SOURCE}" -B "${WORK}/mece" -G "${GENERATOR}" -DMECE_BUILD_TESTS=OFF -DMECE_BUILD_EXAMPLES=OFF)
  run(${CMAKE_COMMAND} --install "${WORK}/mece" --prefix "${WORK}/prefix")
  run(${CMAKE_COMMAND} -S "${SOURCE}/tests/package/consumer" -B "${WORK}/consumer" -G "${GENERATOR}"
      "-DCMAKE_PREFIX_PATH=${WORK}/prefix" -DCMAKE_BUILD_TYPE=Release)
else()
  run(${CMAKE_COMMAND} -S "${SOURCE}/tests/package/subdirectory" -B "${WORK}/consumer" -G "${GENERATOR}"
      "-DMECE_SOURCE_DIR=${SOURCE}" -DCMAKE_BUILD_TYPE=Release)
endif()
run(${CMAKE_COMMAND} --build "${WORK}/consumer")
run("${WORK}/consumer/consumer")
