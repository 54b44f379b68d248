# Installs the build into PREFIX and checks that the installed ceslab lists
# the scenarios installed beside it and runs one of them from there.
# Run by ctest (scenarios.installed): cmake -DBUILD=... -DPREFIX=... -P this file.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
set(ceslab "${PREFIX}/bin/ceslab")
execute_process(COMMAND "${ceslab}" run --list RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err WORKING_DIRECTORY "${PREFIX}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installed ceslab run --list exited ${rc}: ${err}")
endif()
if(NOT err MATCHES "bundled scenarios: ${PREFIX}/share/ceslab/scenarios")
  message(FATAL_ERROR "the installed ceslab did not read the installed scenarios: ${err}")
endif()
if(NOT out MATCHES "causes/ca_subject_email_required")
  message(FATAL_ERROR "the installed scenarios are not listed: ${out}")
endif()
execute_process(COMMAND "${ceslab}" run causes/ca_subject_email_required --jobs 1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "1 passed, 0 failed")
  message(FATAL_ERROR "the installed ceslab could not run an installed scenario (${rc}): ${out}${err}")
endif()
file(REMOVE_RECURSE "${PREFIX}")
