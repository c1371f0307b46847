# Writes the CTest tests of one GoogleTest binary, one per test suite
# (`--gtest_filter=<suite>.*`), labelled with its module. Run after the
# binary is built (spate_module_tests() in CMakeLists.txt):
#   cmake -D BINARY=<test binary> -D LABEL=<module> -D WORKDIR=<dir>
#         -D OUT=<file to write> -P gtest_suites.cmake
#
# Why suites, not tests (gtest_discover_tests): a test binary that links a
# large module starts in most of a second under the sanitizers (sql_tests:
# about 0.7 s of CPU before its first test), which, paid once per test,
# was about half of the unit tests' time. A suite's tests share one process,
# as they do when the binary runs alone; ctest still runs suites in
# parallel, and --output-on-failure shows which test of a suite failed.

foreach(var BINARY LABEL WORKDIR OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "gtest_suites.cmake: ${var} is not set")
  endif()
endforeach()

execute_process(
  COMMAND "${BINARY}" --gtest_list_tests
  WORKING_DIRECTORY "${WORKDIR}"
  OUTPUT_VARIABLE listing
  ERROR_VARIABLE errors
  RESULT_VARIABLE rc
  TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BINARY} --gtest_list_tests failed (${rc}): ${errors}")
endif()

# Suite lines start in column 0 and end with '.', before an optional
# "  # TypeParam = ..." comment; test lines are indented.
string(REPLACE ";" "," listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(content "")
set(count 0)
foreach(line IN LISTS lines)
  if(line MATCHES "^([A-Za-z0-9_/]+)\\.(  #.*)?$")
    set(suite "${CMAKE_MATCH_1}")
    string(APPEND content
      "add_test([=[${suite}]=] [=[${BINARY}]=] [=[--gtest_filter=${suite}.*]=])\n"
      "set_tests_properties([=[${suite}]=] PROPERTIES LABELS [=[${LABEL}]=] "
      "WORKING_DIRECTORY [=[${WORKDIR}]=])\n")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "${BINARY} lists no test suite")
endif()
file(WRITE "${OUT}" "${content}")
