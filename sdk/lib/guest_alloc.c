/* The guest allocator the host uses, linked into every wasmhpc module.
 *
 * The bridge needs guest memory for MPI_Alloc_mem, MPI_Win_allocate and the
 * arguments of guest callbacks (user ops, attribute copy/delete functions,
 * error handlers). It must not call an exported malloc: wasm-ld wraps every
 * function export of a command module in __wasm_call_ctors ...
 * __wasm_call_dtors, so each call would run all static constructors and
 * destructors again. Instead the compiler wrappers export this data symbol
 * (a global holding its address) and the host calls malloc and free through
 * the exported function table, at the indices stored here, which wasm-ld
 * does not wrap. Layout (ABI, read by mpi-bridge/guest_data.cc): two 32-bit
 * table indices, malloc then free. */
#include <stdlib.h>

struct WasmhpcAllocator {
  void* (*malloc_fn)(size_t);
  void (*free_fn)(void*);
};

__attribute__((used))
const struct WasmhpcAllocator wasmhpc_allocator = {malloc, free};
