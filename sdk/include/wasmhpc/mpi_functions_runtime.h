/* MPI-3.1 runtime functions: environment, errors, info, process creation,
 * one-sided communication, external interfaces, I/O, the tool interface,
 * plus the standard ABI's handle conversions and ABI queries. Each is a Wasm
 * import env.<name>. Included by <mpi.h> only. */
#ifndef WASMHPC_MPI_H_INSIDE_
#error "include <mpi.h> instead of this file"
#endif

/* ---- Environment ---- */
WASMHPC_MPI_FN(int, MPI_Init, (int *argc, char ***argv));
WASMHPC_MPI_FN(int, MPI_Init_thread,
               (int *argc, char ***argv, int required, int *provided));
WASMHPC_MPI_FN(int, MPI_Finalize, (void));
WASMHPC_MPI_FN(int, MPI_Initialized, (int *flag));
WASMHPC_MPI_FN(int, MPI_Finalized, (int *flag));
WASMHPC_MPI_FN(int, MPI_Abort, (MPI_Comm comm, int errorcode));
WASMHPC_MPI_FN(int, MPI_Query_thread, (int *provided));
WASMHPC_MPI_FN(int, MPI_Is_thread_main, (int *flag));
WASMHPC_MPI_FN(int, MPI_Get_version, (int *version, int *subversion));
WASMHPC_MPI_FN(int, MPI_Get_library_version, (char *version, int *resultlen));
WASMHPC_MPI_FN(int, MPI_Get_processor_name, (char *name, int *resultlen));
WASMHPC_MPI_FN(double, MPI_Wtime, (void));
WASMHPC_MPI_FN(double, MPI_Wtick, (void));
WASMHPC_MPI_FN(int, MPI_Alloc_mem,
               (MPI_Aint size, MPI_Info info, void *baseptr));
WASMHPC_MPI_FN(int, MPI_Free_mem, (void *base));
WASMHPC_MPI_FN(int, MPI_Pcontrol, (const int level, ...));

/* ---- Error handling ---- */
WASMHPC_MPI_FN(int, MPI_Comm_create_errhandler,
               (MPI_Comm_errhandler_function * comm_errhandler_fn,
                MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Comm_set_errhandler,
               (MPI_Comm comm, MPI_Errhandler errhandler));
WASMHPC_MPI_FN(int, MPI_Comm_get_errhandler,
               (MPI_Comm comm, MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Comm_call_errhandler, (MPI_Comm comm, int errorcode));
WASMHPC_MPI_FN(int, MPI_Win_create_errhandler,
               (MPI_Win_errhandler_function * win_errhandler_fn,
                MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Win_set_errhandler,
               (MPI_Win win, MPI_Errhandler errhandler));
WASMHPC_MPI_FN(int, MPI_Win_get_errhandler,
               (MPI_Win win, MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Win_call_errhandler, (MPI_Win win, int errorcode));
WASMHPC_MPI_FN(int, MPI_File_create_errhandler,
               (MPI_File_errhandler_function * file_errhandler_fn,
                MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_File_set_errhandler,
               (MPI_File file, MPI_Errhandler errhandler));
WASMHPC_MPI_FN(int, MPI_File_get_errhandler,
               (MPI_File file, MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_File_call_errhandler, (MPI_File fh, int errorcode));
WASMHPC_MPI_FN(int, MPI_Errhandler_free, (MPI_Errhandler * errhandler));
WASMHPC_MPI_FN(int, MPI_Error_string,
               (int errorcode, char *string, int *resultlen));
WASMHPC_MPI_FN(int, MPI_Error_class, (int errorcode, int *errorclass));
WASMHPC_MPI_FN(int, MPI_Add_error_class, (int *errorclass));
WASMHPC_MPI_FN(int, MPI_Add_error_code, (int errorclass, int *errorcode));
WASMHPC_MPI_FN(int, MPI_Add_error_string, (int errorcode, const char *string));

/* ---- Info objects ---- */
WASMHPC_MPI_FN(int, MPI_Info_create, (MPI_Info * info));
WASMHPC_MPI_FN(int, MPI_Info_set,
               (MPI_Info info, const char *key, const char *value));
WASMHPC_MPI_FN(int, MPI_Info_delete, (MPI_Info info, const char *key));
WASMHPC_MPI_FN(int, MPI_Info_get,
               (MPI_Info info, const char *key, int valuelen, char *value,
                int *flag));
WASMHPC_MPI_FN(int, MPI_Info_get_valuelen,
               (MPI_Info info, const char *key, int *valuelen, int *flag));
WASMHPC_MPI_FN(int, MPI_Info_get_nkeys, (MPI_Info info, int *nkeys));
WASMHPC_MPI_FN(int, MPI_Info_get_nthkey, (MPI_Info info, int n, char *key));
WASMHPC_MPI_FN(int, MPI_Info_dup, (MPI_Info info, MPI_Info *newinfo));
WASMHPC_MPI_FN(int, MPI_Info_free, (MPI_Info * info));

/* ---- Process creation and management ---- */
WASMHPC_MPI_FN(int, MPI_Comm_spawn,
               (const char *command, char *argv[], int maxprocs, MPI_Info info,
                int root, MPI_Comm comm, MPI_Comm *intercomm,
                int array_of_errcodes[]));
WASMHPC_MPI_FN(int, MPI_Comm_spawn_multiple,
               (int count, char *array_of_commands[], char **array_of_argv[],
                const int array_of_maxprocs[], const MPI_Info array_of_info[],
                int root, MPI_Comm comm, MPI_Comm *intercomm,
                int array_of_errcodes[]));
WASMHPC_MPI_FN(int, MPI_Comm_get_parent, (MPI_Comm * parent));
WASMHPC_MPI_FN(int, MPI_Open_port, (MPI_Info info, char *port_name));
WASMHPC_MPI_FN(int, MPI_Close_port, (const char *port_name));
WASMHPC_MPI_FN(int, MPI_Comm_accept,
               (const char *port_name, MPI_Info info, int root, MPI_Comm comm,
                MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Comm_connect,
               (const char *port_name, MPI_Info info, int root, MPI_Comm comm,
                MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Publish_name,
               (const char *service_name, MPI_Info info,
                const char *port_name));
WASMHPC_MPI_FN(int, MPI_Unpublish_name,
               (const char *service_name, MPI_Info info,
                const char *port_name));
WASMHPC_MPI_FN(int, MPI_Lookup_name,
               (const char *service_name, MPI_Info info, char *port_name));
WASMHPC_MPI_FN(int, MPI_Comm_disconnect, (MPI_Comm * comm));
WASMHPC_MPI_FN(int, MPI_Comm_join, (int fd, MPI_Comm *intercomm));

/* ---- One-sided communication ---- */
WASMHPC_MPI_FN(int, MPI_Win_create,
               (void *base, MPI_Aint size, int disp_unit, MPI_Info info,
                MPI_Comm comm, MPI_Win *win));
WASMHPC_MPI_FN(int, MPI_Win_allocate,
               (MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
                void *baseptr, MPI_Win *win));
WASMHPC_MPI_FN(int, MPI_Win_allocate_shared,
               (MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
                void *baseptr, MPI_Win *win));
WASMHPC_MPI_FN(int, MPI_Win_shared_query,
               (MPI_Win win, int rank, MPI_Aint *size, int *disp_unit,
                void *baseptr));
WASMHPC_MPI_FN(int, MPI_Win_create_dynamic,
               (MPI_Info info, MPI_Comm comm, MPI_Win *win));
WASMHPC_MPI_FN(int, MPI_Win_attach, (MPI_Win win, void *base, MPI_Aint size));
WASMHPC_MPI_FN(int, MPI_Win_detach, (MPI_Win win, const void *base));
WASMHPC_MPI_FN(int, MPI_Win_free, (MPI_Win * win));
WASMHPC_MPI_FN(int, MPI_Win_get_group, (MPI_Win win, MPI_Group *group));
WASMHPC_MPI_FN(int, MPI_Win_set_info, (MPI_Win win, MPI_Info info));
WASMHPC_MPI_FN(int, MPI_Win_get_info, (MPI_Win win, MPI_Info *info_used));
WASMHPC_MPI_FN(int, MPI_Put,
               (const void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Get,
               (void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Accumulate,
               (const void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Op op, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Get_accumulate,
               (const void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, void *result_addr,
                int result_count, MPI_Datatype result_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Op op, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Fetch_and_op,
               (const void *origin_addr, void *result_addr,
                MPI_Datatype datatype, int target_rank, MPI_Aint target_disp,
                MPI_Op op, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Compare_and_swap,
               (const void *origin_addr, const void *compare_addr,
                void *result_addr, MPI_Datatype datatype, int target_rank,
                MPI_Aint target_disp, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Rput,
               (const void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Win win,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Rget,
               (void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Win win,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Raccumulate,
               (const void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Op op, MPI_Win win,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Rget_accumulate,
               (const void *origin_addr, int origin_count,
                MPI_Datatype origin_datatype, void *result_addr,
                int result_count, MPI_Datatype result_datatype, int target_rank,
                MPI_Aint target_disp, int target_count,
                MPI_Datatype target_datatype, MPI_Op op, MPI_Win win,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Win_fence, (int assert, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_start, (MPI_Group group, int assert, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_complete, (MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_post, (MPI_Group group, int assert, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_wait, (MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_test, (MPI_Win win, int *flag));
WASMHPC_MPI_FN(int, MPI_Win_lock,
               (int lock_type, int rank, int assert, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_lock_all, (int assert, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_unlock, (int rank, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_unlock_all, (MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_flush, (int rank, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_flush_all, (MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_flush_local, (int rank, MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_flush_local_all, (MPI_Win win));
WASMHPC_MPI_FN(int, MPI_Win_sync, (MPI_Win win));

/* ---- External interfaces: generalized requests, status setters ---- */
WASMHPC_MPI_FN(int, MPI_Grequest_start,
               (MPI_Grequest_query_function * query_fn,
                MPI_Grequest_free_function *free_fn,
                MPI_Grequest_cancel_function *cancel_fn, void *extra_state,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Grequest_complete, (MPI_Request request));
WASMHPC_MPI_FN(int, MPI_Status_set_elements,
               (MPI_Status * status, MPI_Datatype datatype, int count));
WASMHPC_MPI_FN(int, MPI_Status_set_elements_x,
               (MPI_Status * status, MPI_Datatype datatype, MPI_Count count));
WASMHPC_MPI_FN(int, MPI_Status_set_cancelled, (MPI_Status * status, int flag));

/* ---- I/O ---- */
WASMHPC_MPI_FN(int, MPI_File_open,
               (MPI_Comm comm, const char *filename, int amode, MPI_Info info,
                MPI_File *fh));
WASMHPC_MPI_FN(int, MPI_File_close, (MPI_File * fh));
WASMHPC_MPI_FN(int, MPI_File_delete, (const char *filename, MPI_Info info));
WASMHPC_MPI_FN(int, MPI_File_set_size, (MPI_File fh, MPI_Offset size));
WASMHPC_MPI_FN(int, MPI_File_preallocate, (MPI_File fh, MPI_Offset size));
WASMHPC_MPI_FN(int, MPI_File_get_size, (MPI_File fh, MPI_Offset *size));
WASMHPC_MPI_FN(int, MPI_File_get_group, (MPI_File fh, MPI_Group *group));
WASMHPC_MPI_FN(int, MPI_File_get_amode, (MPI_File fh, int *amode));
WASMHPC_MPI_FN(int, MPI_File_set_info, (MPI_File fh, MPI_Info info));
WASMHPC_MPI_FN(int, MPI_File_get_info, (MPI_File fh, MPI_Info *info_used));
WASMHPC_MPI_FN(int, MPI_File_set_view,
               (MPI_File fh, MPI_Offset disp, MPI_Datatype etype,
                MPI_Datatype filetype, const char *datarep, MPI_Info info));
WASMHPC_MPI_FN(int, MPI_File_get_view,
               (MPI_File fh, MPI_Offset *disp, MPI_Datatype *etype,
                MPI_Datatype *filetype, char *datarep));
WASMHPC_MPI_FN(int, MPI_File_read_at,
               (MPI_File fh, MPI_Offset offset, void *buf, int count,
                MPI_Datatype datatype, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_read_at_all,
               (MPI_File fh, MPI_Offset offset, void *buf, int count,
                MPI_Datatype datatype, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_at,
               (MPI_File fh, MPI_Offset offset, const void *buf, int count,
                MPI_Datatype datatype, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_at_all,
               (MPI_File fh, MPI_Offset offset, const void *buf, int count,
                MPI_Datatype datatype, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_iread_at,
               (MPI_File fh, MPI_Offset offset, void *buf, int count,
                MPI_Datatype datatype, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_iread_at_all,
               (MPI_File fh, MPI_Offset offset, void *buf, int count,
                MPI_Datatype datatype, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_iwrite_at,
               (MPI_File fh, MPI_Offset offset, const void *buf, int count,
                MPI_Datatype datatype, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_iwrite_at_all,
               (MPI_File fh, MPI_Offset offset, const void *buf, int count,
                MPI_Datatype datatype, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_read,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_read_all,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write,
               (MPI_File fh, const void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_all,
               (MPI_File fh, const void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_iread,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_iread_all,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_iwrite,
               (MPI_File fh, const void *buf, int count, MPI_Datatype datatype,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_iwrite_all,
               (MPI_File fh, const void *buf, int count, MPI_Datatype datatype,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_seek,
               (MPI_File fh, MPI_Offset offset, int whence));
WASMHPC_MPI_FN(int, MPI_File_get_position, (MPI_File fh, MPI_Offset *offset));
WASMHPC_MPI_FN(int, MPI_File_get_byte_offset,
               (MPI_File fh, MPI_Offset offset, MPI_Offset *disp));
WASMHPC_MPI_FN(int, MPI_File_read_shared,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_shared,
               (MPI_File fh, const void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_iread_shared,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_iwrite_shared,
               (MPI_File fh, const void *buf, int count, MPI_Datatype datatype,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_File_read_ordered,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_ordered,
               (MPI_File fh, const void *buf, int count, MPI_Datatype datatype,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_seek_shared,
               (MPI_File fh, MPI_Offset offset, int whence));
WASMHPC_MPI_FN(int, MPI_File_get_position_shared,
               (MPI_File fh, MPI_Offset *offset));
WASMHPC_MPI_FN(int, MPI_File_read_at_all_begin,
               (MPI_File fh, MPI_Offset offset, void *buf, int count,
                MPI_Datatype datatype));
WASMHPC_MPI_FN(int, MPI_File_read_at_all_end,
               (MPI_File fh, void *buf, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_at_all_begin,
               (MPI_File fh, MPI_Offset offset, const void *buf, int count,
                MPI_Datatype datatype));
WASMHPC_MPI_FN(int, MPI_File_write_at_all_end,
               (MPI_File fh, const void *buf, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_read_all_begin,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype));
WASMHPC_MPI_FN(int, MPI_File_read_all_end,
               (MPI_File fh, void *buf, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_all_begin,
               (MPI_File fh, const void *buf, int count,
                MPI_Datatype datatype));
WASMHPC_MPI_FN(int, MPI_File_write_all_end,
               (MPI_File fh, const void *buf, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_read_ordered_begin,
               (MPI_File fh, void *buf, int count, MPI_Datatype datatype));
WASMHPC_MPI_FN(int, MPI_File_read_ordered_end,
               (MPI_File fh, void *buf, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_write_ordered_begin,
               (MPI_File fh, const void *buf, int count,
                MPI_Datatype datatype));
WASMHPC_MPI_FN(int, MPI_File_write_ordered_end,
               (MPI_File fh, const void *buf, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_File_get_type_extent,
               (MPI_File fh, MPI_Datatype datatype, MPI_Aint *extent));
WASMHPC_MPI_FN(int, MPI_Register_datarep,
               (const char *datarep,
                MPI_Datarep_conversion_function *read_conversion_fn,
                MPI_Datarep_conversion_function *write_conversion_fn,
                MPI_Datarep_extent_function *dtype_file_extent_fn,
                void *extra_state));
WASMHPC_MPI_FN(int, MPI_File_set_atomicity, (MPI_File fh, int flag));
WASMHPC_MPI_FN(int, MPI_File_get_atomicity, (MPI_File fh, int *flag));
WASMHPC_MPI_FN(int, MPI_File_sync, (MPI_File fh));

/* ---- Fortran type matching (callable from C) ---- */
WASMHPC_MPI_FN(int, MPI_Type_create_f90_real,
               (int p, int r, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_f90_complex,
               (int p, int r, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_f90_integer,
               (int r, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_match_size,
               (int typeclass, int size, MPI_Datatype *datatype));

/* ---- Tool information interface ---- */
WASMHPC_MPI_FN(int, MPI_T_init_thread, (int required, int *provided));
WASMHPC_MPI_FN(int, MPI_T_finalize, (void));
WASMHPC_MPI_FN(int, MPI_T_enum_get_info,
               (MPI_T_enum enumtype, int *num, char *name, int *name_len));
WASMHPC_MPI_FN(int, MPI_T_enum_get_item,
               (MPI_T_enum enumtype, int index, int *value, char *name,
                int *name_len));
WASMHPC_MPI_FN(int, MPI_T_cvar_get_num, (int *num_cvar));
WASMHPC_MPI_FN(int, MPI_T_cvar_get_info,
               (int cvar_index, char *name, int *name_len, int *verbosity,
                MPI_Datatype *datatype, MPI_T_enum *enumtype, char *desc,
                int *desc_len, int *bind, int *scope));
WASMHPC_MPI_FN(int, MPI_T_cvar_get_index, (const char *name, int *cvar_index));
WASMHPC_MPI_FN(int, MPI_T_cvar_handle_alloc,
               (int cvar_index, void *obj_handle, MPI_T_cvar_handle *handle,
                int *count));
WASMHPC_MPI_FN(int, MPI_T_cvar_handle_free, (MPI_T_cvar_handle * handle));
WASMHPC_MPI_FN(int, MPI_T_cvar_read, (MPI_T_cvar_handle handle, void *buf));
WASMHPC_MPI_FN(int, MPI_T_cvar_write,
               (MPI_T_cvar_handle handle, const void *buf));
WASMHPC_MPI_FN(int, MPI_T_pvar_get_num, (int *num_pvar));
WASMHPC_MPI_FN(int, MPI_T_pvar_get_info,
               (int pvar_index, char *name, int *name_len, int *verbosity,
                int *var_class, MPI_Datatype *datatype, MPI_T_enum *enumtype,
                char *desc, int *desc_len, int *bind, int *readonly,
                int *continuous, int *atomic));
WASMHPC_MPI_FN(int, MPI_T_pvar_get_index,
               (const char *name, int var_class, int *pvar_index));
WASMHPC_MPI_FN(int, MPI_T_pvar_session_create, (MPI_T_pvar_session * session));
WASMHPC_MPI_FN(int, MPI_T_pvar_session_free, (MPI_T_pvar_session * session));
WASMHPC_MPI_FN(int, MPI_T_pvar_handle_alloc,
               (MPI_T_pvar_session session, int pvar_index, void *obj_handle,
                MPI_T_pvar_handle *handle, int *count));
WASMHPC_MPI_FN(int, MPI_T_pvar_handle_free,
               (MPI_T_pvar_session session, MPI_T_pvar_handle *handle));
WASMHPC_MPI_FN(int, MPI_T_pvar_start,
               (MPI_T_pvar_session session, MPI_T_pvar_handle handle));
WASMHPC_MPI_FN(int, MPI_T_pvar_stop,
               (MPI_T_pvar_session session, MPI_T_pvar_handle handle));
WASMHPC_MPI_FN(int, MPI_T_pvar_read,
               (MPI_T_pvar_session session, MPI_T_pvar_handle handle,
                void *buf));
WASMHPC_MPI_FN(int, MPI_T_pvar_write,
               (MPI_T_pvar_session session, MPI_T_pvar_handle handle,
                const void *buf));
WASMHPC_MPI_FN(int, MPI_T_pvar_reset,
               (MPI_T_pvar_session session, MPI_T_pvar_handle handle));
WASMHPC_MPI_FN(int, MPI_T_pvar_readreset,
               (MPI_T_pvar_session session, MPI_T_pvar_handle handle,
                void *buf));
WASMHPC_MPI_FN(int, MPI_T_category_get_num, (int *num_cat));
WASMHPC_MPI_FN(int, MPI_T_category_get_info,
               (int cat_index, char *name, int *name_len, char *desc,
                int *desc_len, int *num_cvars, int *num_pvars,
                int *num_categories));
WASMHPC_MPI_FN(int, MPI_T_category_get_index,
               (const char *name, int *cat_index));
WASMHPC_MPI_FN(int, MPI_T_category_get_cvars,
               (int cat_index, int len, int indices[]));
WASMHPC_MPI_FN(int, MPI_T_category_get_pvars,
               (int cat_index, int len, int indices[]));
WASMHPC_MPI_FN(int, MPI_T_category_get_categories,
               (int cat_index, int len, int indices[]));
WASMHPC_MPI_FN(int, MPI_T_category_changed, (int *stamp));

/* ---- Standard ABI: handle <-> int (identity for predefined handles) ---- */
WASMHPC_MPI_FN(int, MPI_Comm_toint, (MPI_Comm comm));
WASMHPC_MPI_FN(MPI_Comm, MPI_Comm_fromint, (int comm));
WASMHPC_MPI_FN(int, MPI_Errhandler_toint, (MPI_Errhandler errhandler));
WASMHPC_MPI_FN(MPI_Errhandler, MPI_Errhandler_fromint, (int errhandler));
WASMHPC_MPI_FN(int, MPI_File_toint, (MPI_File file));
WASMHPC_MPI_FN(MPI_File, MPI_File_fromint, (int file));
WASMHPC_MPI_FN(int, MPI_Group_toint, (MPI_Group group));
WASMHPC_MPI_FN(MPI_Group, MPI_Group_fromint, (int group));
WASMHPC_MPI_FN(int, MPI_Info_toint, (MPI_Info info));
WASMHPC_MPI_FN(MPI_Info, MPI_Info_fromint, (int info));
WASMHPC_MPI_FN(int, MPI_Message_toint, (MPI_Message message));
WASMHPC_MPI_FN(MPI_Message, MPI_Message_fromint, (int message));
WASMHPC_MPI_FN(int, MPI_Op_toint, (MPI_Op op));
WASMHPC_MPI_FN(MPI_Op, MPI_Op_fromint, (int op));
WASMHPC_MPI_FN(int, MPI_Request_toint, (MPI_Request request));
WASMHPC_MPI_FN(MPI_Request, MPI_Request_fromint, (int request));
WASMHPC_MPI_FN(int, MPI_Session_toint, (MPI_Session session));
WASMHPC_MPI_FN(MPI_Session, MPI_Session_fromint, (int session));
WASMHPC_MPI_FN(int, MPI_Type_toint, (MPI_Datatype datatype));
WASMHPC_MPI_FN(MPI_Datatype, MPI_Type_fromint, (int datatype));
WASMHPC_MPI_FN(int, MPI_Win_toint, (MPI_Win win));
WASMHPC_MPI_FN(MPI_Win, MPI_Win_fromint, (int win));

/* ---- Standard ABI queries ---- */
WASMHPC_MPI_FN(int, MPI_Abi_get_version, (int *abi_major, int *abi_minor));
WASMHPC_MPI_FN(int, MPI_Abi_get_info, (MPI_Info * info));
