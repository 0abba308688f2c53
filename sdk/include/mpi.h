/* mpi.h for wasmhpc guests: the MPI-3.1 C API with MPI 5.0 standard ABI
 * (ABI 1.0) values, for programs compiled to wasm32-wasi.
 *
 * Every MPI function is a WebAssembly import from module "env" with the
 * function's own name (env.MPI_Send, ...); the wasmhpc worker implements them
 * on the host MPI. Handles are pointers to incomplete structs; predefined
 * handles are small integers (< 0x1000) cast to the handle type. Values below
 * follow the standard ABI so that any ABI-1.0 mpi.h yields the same imports.
 *
 * Differences from a host mpi.h: no MPI_Fint and no c2f/f2c conversions
 * (use MPI_<Handle>_toint / MPI_<Handle>_fromint), no PMPI_ entry points,
 * and the platform types are wasm32's (MPI_Aint, long and size_t are 32-bit).
 *
 * This file holds the types. The values and the function declarations come
 * from the ABI table sdk/abi/mpi_abi.txt, generated into
 * wasmhpc/mpi_constants.h and wasmhpc/mpi_functions.h.
 */
#ifndef WASMHPC_MPI_H_
#define WASMHPC_MPI_H_

#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* Marks wasmhpc's mpi.h, for ports that need to tell it apart. */
#define WASMHPC_MPI_H 1

/* ---- Integer types ---- */
typedef intptr_t MPI_Aint; /* 4 bytes on wasm32 */
typedef int64_t MPI_Offset;
typedef int64_t MPI_Count;

/* 32 bytes; the element count and cancelled flag live in MPI_internal. */
typedef struct {
  int MPI_SOURCE;
  int MPI_TAG;
  int MPI_ERROR;
  int MPI_internal[5];
} MPI_Status;

/* ---- Handles: pointers to incomplete structs, 32 bits on wasm32 ---- */
typedef struct MPI_ABI_Op *MPI_Op;
typedef struct MPI_ABI_Comm *MPI_Comm;
typedef struct MPI_ABI_Group *MPI_Group;
typedef struct MPI_ABI_Win *MPI_Win;
typedef struct MPI_ABI_File *MPI_File;
typedef struct MPI_ABI_Session *MPI_Session;
typedef struct MPI_ABI_Message *MPI_Message;
typedef struct MPI_ABI_Info *MPI_Info;
typedef struct MPI_ABI_Errhandler *MPI_Errhandler;
typedef struct MPI_ABI_Request *MPI_Request;
typedef struct MPI_ABI_Datatype *MPI_Datatype;
typedef struct MPI_T_enum_t *MPI_T_enum;
typedef struct MPI_T_cvar_handle_t *MPI_T_cvar_handle;
typedef struct MPI_T_pvar_handle_t *MPI_T_pvar_handle;
typedef struct MPI_T_pvar_session_t *MPI_T_pvar_session;

/* ---- Callback types (guest functions, called through the table) ---- */
typedef void(MPI_User_function)(void *invec, void *inoutvec, int *len,
                                MPI_Datatype *datatype);

typedef int(MPI_Comm_copy_attr_function)(MPI_Comm oldcomm, int comm_keyval,
                                         void *extra_state,
                                         void *attribute_val_in,
                                         void *attribute_val_out, int *flag);
typedef int(MPI_Comm_delete_attr_function)(MPI_Comm comm, int comm_keyval,
                                           void *attribute_val,
                                           void *extra_state);
typedef int(MPI_Type_copy_attr_function)(MPI_Datatype oldtype, int type_keyval,
                                         void *extra_state,
                                         void *attribute_val_in,
                                         void *attribute_val_out, int *flag);
typedef int(MPI_Type_delete_attr_function)(MPI_Datatype datatype,
                                           int type_keyval, void *attribute_val,
                                           void *extra_state);
typedef int(MPI_Win_copy_attr_function)(MPI_Win oldwin, int win_keyval,
                                        void *extra_state,
                                        void *attribute_val_in,
                                        void *attribute_val_out, int *flag);
typedef int(MPI_Win_delete_attr_function)(MPI_Win win, int win_keyval,
                                          void *attribute_val,
                                          void *extra_state);
/* Deprecated MPI-1 attribute callbacks. */
typedef int(MPI_Copy_function)(MPI_Comm oldcomm, int keyval, void *extra_state,
                               void *attribute_val_in, void *attribute_val_out,
                               int *flag);
typedef int(MPI_Delete_function)(MPI_Comm comm, int keyval, void *attribute_val,
                                 void *extra_state);

typedef void(MPI_Comm_errhandler_function)(MPI_Comm *comm, int *error_code,
                                           ...);
typedef void(MPI_Win_errhandler_function)(MPI_Win *win, int *error_code, ...);
typedef void(MPI_File_errhandler_function)(MPI_File *file, int *error_code,
                                           ...);
typedef void(MPI_Session_errhandler_function)(MPI_Session *session,
                                              int *error_code, ...);
typedef MPI_Comm_errhandler_function MPI_Comm_errhandler_fn;
typedef MPI_Win_errhandler_function MPI_Win_errhandler_fn;
typedef MPI_File_errhandler_function MPI_File_errhandler_fn;
typedef MPI_Session_errhandler_function MPI_Session_errhandler_fn;

typedef int(MPI_Grequest_query_function)(void *extra_state, MPI_Status *status);
typedef int(MPI_Grequest_free_function)(void *extra_state);
typedef int(MPI_Grequest_cancel_function)(void *extra_state, int complete);

typedef int(MPI_Datarep_extent_function)(MPI_Datatype datatype,
                                         MPI_Aint *file_extent,
                                         void *extra_state);
typedef int(MPI_Datarep_conversion_function)(void *userbuf,
                                             MPI_Datatype datatype, int count,
                                             void *filebuf, MPI_Offset position,
                                             void *extra_state);

/* ---- Constants: predefined handles, integer constants, sentinels ---- */
#define WASMHPC_MPI_H_INSIDE_
#include "wasmhpc/mpi_constants.h"
#undef WASMHPC_MPI_H_INSIDE_

/* ---- Function declarations ----
 * WASMHPC_MPI_FN(ret, name, params) declares `ret name params` as the Wasm
 * import env.<name>. Outside wasm (a native syntax check) it is a plain
 * declaration. */
#if defined(__wasm__)
#define WASMHPC_MPI_FN(ret, name, params) \
  __attribute__((import_module("env"), import_name(#name))) ret name params
#else
#define WASMHPC_MPI_FN(ret, name, params) ret name params
#endif

#define WASMHPC_MPI_H_INSIDE_
#include "wasmhpc/mpi_functions.h"
#undef WASMHPC_MPI_H_INSIDE_
#undef WASMHPC_MPI_FN

#if defined(__cplusplus)
}
#endif

#endif /* WASMHPC_MPI_H_ */
