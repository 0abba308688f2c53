// Grows linear memory by argv[1] pages and prints what memory.grow returned
// (-1 when the host refuses, e.g. past --max-memory).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int pages = argc > 1 ? atoi(argv[1]) : 1;
  long before = (long)__builtin_wasm_memory_size(0);
  long got = (long)__builtin_wasm_memory_grow(0, pages);
  printf("grow %d pages: %s\n", pages, got == -1 ? "refused (-1)" : "ok");
  printf("size grew: %s\n",
         (long)__builtin_wasm_memory_size(0) == before + (got == -1 ? 0 : pages)
             ? "as expected"
             : "WRONG");
  return got == -1 ? 3 : 0;
}
