/* Table slot filler linked first into every wasmhpc guest module.
 *
 * The MPI ABI uses function-pointer sentinels 0 (MPI_NULL_COPY_FN) and
 * 1 (MPI_DUP_FN), so no real guest callback may sit at table index 1.
 * wasm-ld 14 has no --table-base and hands out indices from 1 in link order;
 * the compiler wrappers link this object ahead of all user code, so this
 * never-called function takes index 1 and user functions start at 2. */

static void wasmhpc_table_pad(void) {}

/* Taking the address gives the function its table slot; `used` keeps the
 * reference alive through --gc-sections (for an external symbol only: a
 * static one is dropped). Relocatable links (-r) do not get this object. */
typedef void (*WasmhpcPadFn)(void);
__attribute__((used, visibility("hidden")))
const WasmhpcPadFn wasmhpc_table_pad_ref = wasmhpc_table_pad;
