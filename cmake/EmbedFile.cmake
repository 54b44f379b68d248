# Script mode: turn IN into a C++ source defining ceslab_embedded_<SYMBOL>().
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace {\nconstexpr unsigned char kData[] = {${bytes} 0x00};\n}\nstd::string_view ceslab_embedded_${SYMBOL}() {\n  return std::string_view(reinterpret_cast<const char*>(kData), ${len});\n}\n")
