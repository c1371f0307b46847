# Unity builds of the module libraries: each library's .cc files are
# compiled in batches, one generated file per batch that #includes them.
# Most of this code's compile time is parsing the same headers (Asio, fmt,
# the Kafka protocol) again for every file; a batch parses them once. The
# release `spate` took about a third of the CPU time in batches of 16
# (docs/architecture.md, "Build").
#
# CMake's own UNITY_BUILD includes sources by absolute path, which makes a
# clone in another folder miss ccache; these batch files include them by a
# path relative to the batch file, so every clone shares the cache entries.
# Batches never mix directories, so adding a file reshuffles only its own
# directory's batches.
#
# A source that cannot share a translation unit (a name in an anonymous
# namespace that another file of its batch also defines) is listed in
# SPATE_UNITY_SKIP and compiled alone. Test executables batch too, in
# smaller batches (an edited test recompiles fewer neighbours); each test
# file keeps its private names in an anonymous namespace nested in one named
# after the file.

option(SPATE_UNITY_BUILD "Compile module libraries in batches (unity build)" ON)
set(SPATE_UNITY_BATCH 16 CACHE STRING "Sources per unity batch")
set(SPATE_UNITY_TEST_BATCH 8 CACHE STRING "Sources per unity batch of a test executable")

# Paths relative to src/; a path ending in '/' skips a whole directory.
# (The Kafka API handlers each define `handle`, inside a namespace named
# after their file, so they share batches.)
set(SPATE_UNITY_SKIP
  broker/config_keys_tls.cc
  broker/dynamic_configs.cc
  broker/fetch_session.cc
  broker/response_writer.cc
  broker/storage_service.cc
  http/connection.cc
  pgwire/authentication.cc
  pgwire/execute.cc
  pgwire/extended_query.cc
  pgwire/simple_query.cc
  pgwire/startup.cc
  model/legacy_message_set.cc
  security/credential_store.cc
  sql/agg/variance.cc
  sql/engine/engine.cc
  sql/engine/session_serving.cc
  sql/expr/functions_pg.cc
  sql/expr/functions_to_timestamp.cc
  sql/format/protobuf_encoder.cc
  sql/plan/bind_grouping.cc
  sql/plan/bind_select.cc
  sql/types/interval_text.cc
)

# spate_unity(<target> <source dir> [batch size]): replaces the target's .cc
# sources (but those in SPATE_UNITY_SKIP) with batch files under
# <build>/unity/<target>/.
function(spate_unity target srcdir)
  set(batch ${SPATE_UNITY_BATCH})
  if(ARGC GREATER 2)
    set(batch ${ARGV2})
  endif()
  if(NOT SPATE_UNITY_BUILD)
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  set(kept)
  set(dirs)
  foreach(s IN LISTS sources)
    cmake_path(ABSOLUTE_PATH s BASE_DIRECTORY ${srcdir} NORMALIZE OUTPUT_VARIABLE abs)
    cmake_path(RELATIVE_PATH abs BASE_DIRECTORY ${PROJECT_SOURCE_DIR}/src OUTPUT_VARIABLE rel)
    cmake_path(GET rel PARENT_PATH rel_dir)
    if(NOT abs MATCHES "\\.cc$" OR rel IN_LIST SPATE_UNITY_SKIP OR "${rel_dir}/" IN_LIST SPATE_UNITY_SKIP)
      list(APPEND kept ${abs})
      continue()
    endif()
    cmake_path(GET abs PARENT_PATH dir)
    string(MAKE_C_IDENTIFIER "${dir}" key)
    if(NOT key IN_LIST dirs)
      list(APPEND dirs ${key})
      set(in_${key})
    endif()
    list(APPEND in_${key} ${abs})
  endforeach()
  set(out_dir ${PROJECT_BINARY_DIR}/unity/${target})
  set(n 0)
  foreach(key IN LISTS dirs)
    set(count 0)
    set(content "")
    list(LENGTH in_${key} total)
    foreach(abs IN LISTS in_${key})
      cmake_path(RELATIVE_PATH abs BASE_DIRECTORY ${out_dir} OUTPUT_VARIABLE inc)
      string(APPEND content "#include \"${inc}\"\n")
      math(EXPR count "${count} + 1")
      math(EXPR total "${total} - 1")
      if(count EQUAL batch OR total EQUAL 0)
        file(CONFIGURE OUTPUT ${out_dir}/batch_${n}.cc CONTENT "${content}" @ONLY)
        list(APPEND kept ${out_dir}/batch_${n}.cc)
        math(EXPR n "${n} + 1")
        set(count 0)
        set(content "")
      endif()
    endforeach()
  endforeach()
  set_property(TARGET ${target} PROPERTY SOURCES ${kept})
endfunction()
