# cmake -DINPUT=file -DOUTPUT=file.cc -DSYMBOL=name -P embed_text.cmake
# Writes a C++ file that defines `const char wasmhpc::server::SYMBOL[]` with
# the text of INPUT (a raw string: the text must not contain the delimiter).
file(READ "${INPUT}" text)
string(FIND "${text}" ")wasmhpc_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by embed_text.cmake; do not edit.\n"
  "namespace wasmhpc::server {\n"
  "extern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = R\"wasmhpc_embed(${text})wasmhpc_embed\";\n"
  "}  // namespace wasmhpc::server\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
