# ceslab_embed(TARGET target FILE path SYMBOL name)
# Compiles a data file into `target` as
#   extern "C++" std::string_view ceslab_embedded_<name>();
# so data (code table, catalog, default world) travels with the binary and
# needs no install path. The file is read at build time; editing it re-runs
# the generation.
function(ceslab_embed)
  cmake_parse_arguments(ARG "" "TARGET;FILE;SYMBOL" "" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${ARG_SYMBOL}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${ARG_FILE} -DOUT=${out} -DSYMBOL=${ARG_SYMBOL}
            -P "${CESLAB_CMAKE_DIR}/EmbedFile.cmake"
    DEPENDS "${ARG_FILE}" "${CESLAB_CMAKE_DIR}/EmbedFile.cmake"
    COMMENT "Embedding ${ARG_FILE}"
    VERBATIM)
  target_sources(${ARG_TARGET} PRIVATE "${out}")
endfunction()
