/* GENERATED from sdk/abi/mpi_abi.txt by sdk/abi/gen_mpi_abi.py: edit the
 * table, not this file. Every MPI function, the import env.<name>.
 * Included by <mpi.h> only. */
#ifndef WASMHPC_MPI_H_INSIDE_
#error "include <mpi.h> instead of this file"
#endif
/* clang-format off */

/* ---- Point-to-point ---- */
WASMHPC_MPI_FN(int, MPI_Send,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Recv,
               (void *buf, int count, MPI_Datatype datatype, int source,
                int tag, MPI_Comm comm, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Get_count,
               (const MPI_Status *status, MPI_Datatype datatype, int *count));
WASMHPC_MPI_FN(int, MPI_Bsend,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Ssend,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Rsend,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Buffer_attach, (void *buffer, int size));
WASMHPC_MPI_FN(int, MPI_Buffer_detach, (void *buffer_addr, int *size));
WASMHPC_MPI_FN(int, MPI_Isend,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ibsend,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Issend,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Irsend,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Irecv,
               (void *buf, int count, MPI_Datatype datatype, int source,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Wait, (MPI_Request *request, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Test,
               (MPI_Request *request, int *flag, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Request_free, (MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Waitany,
               (int count, MPI_Request array_of_requests[], int *index,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Testany,
               (int count, MPI_Request array_of_requests[], int *index,
                int *flag, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Waitall,
               (int count, MPI_Request array_of_requests[],
                MPI_Status array_of_statuses[]));
WASMHPC_MPI_FN(int, MPI_Testall,
               (int count, MPI_Request array_of_requests[], int *flag,
                MPI_Status array_of_statuses[]));
WASMHPC_MPI_FN(int, MPI_Waitsome,
               (int incount, MPI_Request array_of_requests[], int *outcount,
                int array_of_indices[], MPI_Status array_of_statuses[]));
WASMHPC_MPI_FN(int, MPI_Testsome,
               (int incount, MPI_Request array_of_requests[], int *outcount,
                int array_of_indices[], MPI_Status array_of_statuses[]));
WASMHPC_MPI_FN(int, MPI_Request_get_status,
               (MPI_Request request, int *flag, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Iprobe,
               (int source, int tag, MPI_Comm comm, int *flag,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Probe,
               (int source, int tag, MPI_Comm comm, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Improbe,
               (int source, int tag, MPI_Comm comm, int *flag,
                MPI_Message *message, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Mprobe,
               (int source, int tag, MPI_Comm comm, MPI_Message *message,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Mrecv,
               (void *buf, int count, MPI_Datatype datatype,
                MPI_Message *message, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Imrecv,
               (void *buf, int count, MPI_Datatype datatype,
                MPI_Message *message, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Cancel, (MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Test_cancelled, (const MPI_Status *status, int *flag));
WASMHPC_MPI_FN(int, MPI_Send_init,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Bsend_init,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ssend_init,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Rsend_init,
               (const void *buf, int count, MPI_Datatype datatype, int dest,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Recv_init,
               (void *buf, int count, MPI_Datatype datatype, int source,
                int tag, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Start, (MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Startall, (int count, MPI_Request array_of_requests[]));
WASMHPC_MPI_FN(int, MPI_Sendrecv,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                int dest, int sendtag, void *recvbuf, int recvcount,
                MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm,
                MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Sendrecv_replace,
               (void *buf, int count, MPI_Datatype datatype, int dest,
                int sendtag, int source, int recvtag, MPI_Comm comm,
                MPI_Status *status));

/* ---- Datatypes and packing ---- */
WASMHPC_MPI_FN(int, MPI_Type_contiguous,
               (int count, MPI_Datatype oldtype, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_vector,
               (int count, int blocklength, int stride, MPI_Datatype oldtype,
                MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_hvector,
               (int count, int blocklength, MPI_Aint stride,
                MPI_Datatype oldtype, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_indexed,
               (int count, const int array_of_blocklengths[],
                const int array_of_displacements[], MPI_Datatype oldtype,
                MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_hindexed,
               (int count, const int array_of_blocklengths[],
                const MPI_Aint array_of_displacements[], MPI_Datatype oldtype,
                MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_indexed_block,
               (int count, int blocklength, const int array_of_displacements[],
                MPI_Datatype oldtype, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_hindexed_block,
               (int count, int blocklength,
                const MPI_Aint array_of_displacements[], MPI_Datatype oldtype,
                MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_struct,
               (int count, const int array_of_blocklengths[],
                const MPI_Aint array_of_displacements[],
                const MPI_Datatype array_of_types[], MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_subarray,
               (int ndims, const int array_of_sizes[],
                const int array_of_subsizes[], const int array_of_starts[],
                int order, MPI_Datatype oldtype, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_create_darray,
               (int size, int rank, int ndims, const int array_of_gsizes[],
                const int array_of_distribs[], const int array_of_dargs[],
                const int array_of_psizes[], int order, MPI_Datatype oldtype,
                MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Get_address, (const void *location, MPI_Aint *address));
WASMHPC_MPI_FN(MPI_Aint, MPI_Aint_add, (MPI_Aint base, MPI_Aint disp));
WASMHPC_MPI_FN(MPI_Aint, MPI_Aint_diff, (MPI_Aint addr1, MPI_Aint addr2));
WASMHPC_MPI_FN(int, MPI_Type_size, (MPI_Datatype datatype, int *size));
WASMHPC_MPI_FN(int, MPI_Type_size_x, (MPI_Datatype datatype, MPI_Count *size));
WASMHPC_MPI_FN(int, MPI_Type_get_extent,
               (MPI_Datatype datatype, MPI_Aint *lb, MPI_Aint *extent));
WASMHPC_MPI_FN(int, MPI_Type_get_extent_x,
               (MPI_Datatype datatype, MPI_Count *lb, MPI_Count *extent));
WASMHPC_MPI_FN(int, MPI_Type_create_resized,
               (MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent,
                MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Type_get_true_extent,
               (MPI_Datatype datatype, MPI_Aint *true_lb,
                MPI_Aint *true_extent));
WASMHPC_MPI_FN(int, MPI_Type_get_true_extent_x,
               (MPI_Datatype datatype, MPI_Count *true_lb,
                MPI_Count *true_extent));
WASMHPC_MPI_FN(int, MPI_Type_commit, (MPI_Datatype *datatype));
WASMHPC_MPI_FN(int, MPI_Type_free, (MPI_Datatype *datatype));
WASMHPC_MPI_FN(int, MPI_Type_dup,
               (MPI_Datatype oldtype, MPI_Datatype *newtype));
WASMHPC_MPI_FN(int, MPI_Get_elements,
               (const MPI_Status *status, MPI_Datatype datatype, int *count));
WASMHPC_MPI_FN(int, MPI_Get_elements_x,
               (const MPI_Status *status, MPI_Datatype datatype,
                MPI_Count *count));
WASMHPC_MPI_FN(int, MPI_Type_get_envelope,
               (MPI_Datatype datatype, int *num_integers, int *num_addresses,
                int *num_datatypes, int *combiner));
WASMHPC_MPI_FN(int, MPI_Type_get_contents,
               (MPI_Datatype datatype, int max_integers, int max_addresses,
                int max_datatypes, int array_of_integers[],
                MPI_Aint array_of_addresses[],
                MPI_Datatype array_of_datatypes[]));
WASMHPC_MPI_FN(int, MPI_Pack,
               (const void *inbuf, int incount, MPI_Datatype datatype,
                void *outbuf, int outsize, int *position, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Unpack,
               (const void *inbuf, int insize, int *position, void *outbuf,
                int outcount, MPI_Datatype datatype, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Pack_size,
               (int incount, MPI_Datatype datatype, MPI_Comm comm, int *size));
WASMHPC_MPI_FN(int, MPI_Pack_external,
               (const char datarep[], const void *inbuf, int incount,
                MPI_Datatype datatype, void *outbuf, MPI_Aint outsize,
                MPI_Aint *position));
WASMHPC_MPI_FN(int, MPI_Unpack_external,
               (const char datarep[], const void *inbuf, MPI_Aint insize,
                MPI_Aint *position, void *outbuf, int outcount,
                MPI_Datatype datatype));
WASMHPC_MPI_FN(int, MPI_Pack_external_size,
               (const char datarep[], int incount, MPI_Datatype datatype,
                MPI_Aint *size));

/* ---- Collectives, blocking ---- */
WASMHPC_MPI_FN(int, MPI_Barrier, (MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Bcast,
               (void *buffer, int count, MPI_Datatype datatype, int root,
                MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Gather,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
                MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Gatherv,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, const int recvcounts[], const int displs[],
                MPI_Datatype recvtype, int root, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Scatter,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
                MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Scatterv,
               (const void *sendbuf, const int sendcounts[], const int displs[],
                MPI_Datatype sendtype, void *recvbuf, int recvcount,
                MPI_Datatype recvtype, int root, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Allgather,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Allgatherv,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, const int recvcounts[], const int displs[],
                MPI_Datatype recvtype, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Alltoall,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Alltoallv,
               (const void *sendbuf, const int sendcounts[],
                const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
                const int recvcounts[], const int rdispls[],
                MPI_Datatype recvtype, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Alltoallw,
               (const void *sendbuf, const int sendcounts[],
                const int sdispls[], const MPI_Datatype sendtypes[],
                void *recvbuf, const int recvcounts[], const int rdispls[],
                const MPI_Datatype recvtypes[], MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Reduce,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Allreduce,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Reduce_local,
               (const void *inbuf, void *inoutbuf, int count,
                MPI_Datatype datatype, MPI_Op op));
WASMHPC_MPI_FN(int, MPI_Reduce_scatter_block,
               (const void *sendbuf, void *recvbuf, int recvcount,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Reduce_scatter,
               (const void *sendbuf, void *recvbuf, const int recvcounts[],
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Scan,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Exscan,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Op_create,
               (MPI_User_function *user_fn, int commute, MPI_Op *op));
WASMHPC_MPI_FN(int, MPI_Op_free, (MPI_Op *op));
WASMHPC_MPI_FN(int, MPI_Op_commutative, (MPI_Op op, int *commute));

/* ---- Collectives, nonblocking ---- */
WASMHPC_MPI_FN(int, MPI_Ibarrier, (MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ibcast,
               (void *buffer, int count, MPI_Datatype datatype, int root,
                MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Igather,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
                MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Igatherv,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, const int recvcounts[], const int displs[],
                MPI_Datatype recvtype, int root, MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Iscatter,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
                MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Iscatterv,
               (const void *sendbuf, const int sendcounts[], const int displs[],
                MPI_Datatype sendtype, void *recvbuf, int recvcount,
                MPI_Datatype recvtype, int root, MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Iallgather,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Iallgatherv,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, const int recvcounts[], const int displs[],
                MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ialltoall,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ialltoallv,
               (const void *sendbuf, const int sendcounts[],
                const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
                const int recvcounts[], const int rdispls[],
                MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ialltoallw,
               (const void *sendbuf, const int sendcounts[],
                const int sdispls[], const MPI_Datatype sendtypes[],
                void *recvbuf, const int recvcounts[], const int rdispls[],
                const MPI_Datatype recvtypes[], MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ireduce,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Iallreduce,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ireduce_scatter_block,
               (const void *sendbuf, void *recvbuf, int recvcount,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ireduce_scatter,
               (const void *sendbuf, void *recvbuf, const int recvcounts[],
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Iscan,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Iexscan,
               (const void *sendbuf, void *recvbuf, int count,
                MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                MPI_Request *request));

/* ---- Groups ---- */
WASMHPC_MPI_FN(int, MPI_Group_size, (MPI_Group group, int *size));
WASMHPC_MPI_FN(int, MPI_Group_rank, (MPI_Group group, int *rank));
WASMHPC_MPI_FN(int, MPI_Group_translate_ranks,
               (MPI_Group group1, int n, const int ranks1[], MPI_Group group2,
                int ranks2[]));
WASMHPC_MPI_FN(int, MPI_Group_compare,
               (MPI_Group group1, MPI_Group group2, int *result));
WASMHPC_MPI_FN(int, MPI_Comm_group, (MPI_Comm comm, MPI_Group *group));
WASMHPC_MPI_FN(int, MPI_Group_union,
               (MPI_Group group1, MPI_Group group2, MPI_Group *newgroup));
WASMHPC_MPI_FN(int, MPI_Group_intersection,
               (MPI_Group group1, MPI_Group group2, MPI_Group *newgroup));
WASMHPC_MPI_FN(int, MPI_Group_difference,
               (MPI_Group group1, MPI_Group group2, MPI_Group *newgroup));
WASMHPC_MPI_FN(int, MPI_Group_incl,
               (MPI_Group group, int n, const int ranks[],
                MPI_Group *newgroup));
WASMHPC_MPI_FN(int, MPI_Group_excl,
               (MPI_Group group, int n, const int ranks[],
                MPI_Group *newgroup));
WASMHPC_MPI_FN(int, MPI_Group_range_incl,
               (MPI_Group group, int n, int ranges[][3], MPI_Group *newgroup));
WASMHPC_MPI_FN(int, MPI_Group_range_excl,
               (MPI_Group group, int n, int ranges[][3], MPI_Group *newgroup));
WASMHPC_MPI_FN(int, MPI_Group_free, (MPI_Group *group));

/* ---- Communicators ---- */
WASMHPC_MPI_FN(int, MPI_Comm_size, (MPI_Comm comm, int *size));
WASMHPC_MPI_FN(int, MPI_Comm_rank, (MPI_Comm comm, int *rank));
WASMHPC_MPI_FN(int, MPI_Comm_compare,
               (MPI_Comm comm1, MPI_Comm comm2, int *result));
WASMHPC_MPI_FN(int, MPI_Comm_dup, (MPI_Comm comm, MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Comm_dup_with_info,
               (MPI_Comm comm, MPI_Info info, MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Comm_idup,
               (MPI_Comm comm, MPI_Comm *newcomm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Comm_create,
               (MPI_Comm comm, MPI_Group group, MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Comm_create_group,
               (MPI_Comm comm, MPI_Group group, int tag, MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Comm_split,
               (MPI_Comm comm, int color, int key, MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Comm_split_type,
               (MPI_Comm comm, int split_type, int key, MPI_Info info,
                MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Comm_free, (MPI_Comm *comm));
WASMHPC_MPI_FN(int, MPI_Comm_set_info, (MPI_Comm comm, MPI_Info info));
WASMHPC_MPI_FN(int, MPI_Comm_get_info, (MPI_Comm comm, MPI_Info *info_used));
WASMHPC_MPI_FN(int, MPI_Comm_test_inter, (MPI_Comm comm, int *flag));
WASMHPC_MPI_FN(int, MPI_Comm_remote_size, (MPI_Comm comm, int *size));
WASMHPC_MPI_FN(int, MPI_Comm_remote_group, (MPI_Comm comm, MPI_Group *group));
WASMHPC_MPI_FN(int, MPI_Intercomm_create,
               (MPI_Comm local_comm, int local_leader, MPI_Comm peer_comm,
                int remote_leader, int tag, MPI_Comm *newintercomm));
WASMHPC_MPI_FN(int, MPI_Intercomm_merge,
               (MPI_Comm intercomm, int high, MPI_Comm *newintracomm));
WASMHPC_MPI_FN(int, MPI_Comm_set_name, (MPI_Comm comm, const char *comm_name));
WASMHPC_MPI_FN(int, MPI_Comm_get_name,
               (MPI_Comm comm, char *comm_name, int *resultlen));

/* ---- Attribute caching ---- */
WASMHPC_MPI_FN(int, MPI_Comm_create_keyval,
               (MPI_Comm_copy_attr_function *comm_copy_attr_fn,
                MPI_Comm_delete_attr_function *comm_delete_attr_fn,
                int *comm_keyval, void *extra_state));
WASMHPC_MPI_FN(int, MPI_Comm_free_keyval, (int *comm_keyval));
WASMHPC_MPI_FN(int, MPI_Comm_set_attr,
               (MPI_Comm comm, int comm_keyval, void *attribute_val));
WASMHPC_MPI_FN(int, MPI_Comm_get_attr,
               (MPI_Comm comm, int comm_keyval, void *attribute_val,
                int *flag));
WASMHPC_MPI_FN(int, MPI_Comm_delete_attr, (MPI_Comm comm, int comm_keyval));
WASMHPC_MPI_FN(int, MPI_Type_create_keyval,
               (MPI_Type_copy_attr_function *type_copy_attr_fn,
                MPI_Type_delete_attr_function *type_delete_attr_fn,
                int *type_keyval, void *extra_state));
WASMHPC_MPI_FN(int, MPI_Type_free_keyval, (int *type_keyval));
WASMHPC_MPI_FN(int, MPI_Type_set_attr,
               (MPI_Datatype datatype, int type_keyval, void *attribute_val));
WASMHPC_MPI_FN(int, MPI_Type_get_attr,
               (MPI_Datatype datatype, int type_keyval, void *attribute_val,
                int *flag));
WASMHPC_MPI_FN(int, MPI_Type_delete_attr,
               (MPI_Datatype datatype, int type_keyval));
WASMHPC_MPI_FN(int, MPI_Type_set_name,
               (MPI_Datatype datatype, const char *type_name));
WASMHPC_MPI_FN(int, MPI_Type_get_name,
               (MPI_Datatype datatype, char *type_name, int *resultlen));
WASMHPC_MPI_FN(int, MPI_Win_create_keyval,
               (MPI_Win_copy_attr_function *win_copy_attr_fn,
                MPI_Win_delete_attr_function *win_delete_attr_fn,
                int *win_keyval, void *extra_state));
WASMHPC_MPI_FN(int, MPI_Win_free_keyval, (int *win_keyval));
WASMHPC_MPI_FN(int, MPI_Win_set_attr,
               (MPI_Win win, int win_keyval, void *attribute_val));
WASMHPC_MPI_FN(int, MPI_Win_get_attr,
               (MPI_Win win, int win_keyval, void *attribute_val, int *flag));
WASMHPC_MPI_FN(int, MPI_Win_delete_attr, (MPI_Win win, int win_keyval));
WASMHPC_MPI_FN(int, MPI_Win_set_name, (MPI_Win win, const char *win_name));
WASMHPC_MPI_FN(int, MPI_Win_get_name,
               (MPI_Win win, char *win_name, int *resultlen));
/* Deprecated since MPI-2.0, still part of MPI-3.1. */
WASMHPC_MPI_FN(int, MPI_Keyval_create,
               (MPI_Copy_function *copy_fn, MPI_Delete_function *delete_fn,
                int *keyval, void *extra_state));
WASMHPC_MPI_FN(int, MPI_Keyval_free, (int *keyval));
WASMHPC_MPI_FN(int, MPI_Attr_put,
               (MPI_Comm comm, int keyval, void *attribute_val));
WASMHPC_MPI_FN(int, MPI_Attr_get,
               (MPI_Comm comm, int keyval, void *attribute_val, int *flag));
WASMHPC_MPI_FN(int, MPI_Attr_delete, (MPI_Comm comm, int keyval));

/* ---- Process topologies ---- */
WASMHPC_MPI_FN(int, MPI_Cart_create,
               (MPI_Comm comm_old, int ndims, const int dims[],
                const int periods[], int reorder, MPI_Comm *comm_cart));
WASMHPC_MPI_FN(int, MPI_Dims_create, (int nnodes, int ndims, int dims[]));
WASMHPC_MPI_FN(int, MPI_Graph_create,
               (MPI_Comm comm_old, int nnodes, const int index[],
                const int edges[], int reorder, MPI_Comm *comm_graph));
WASMHPC_MPI_FN(int, MPI_Dist_graph_create_adjacent,
               (MPI_Comm comm_old, int indegree, const int sources[],
                const int sourceweights[], int outdegree,
                const int destinations[], const int destweights[],
                MPI_Info info, int reorder, MPI_Comm *comm_dist_graph));
WASMHPC_MPI_FN(int, MPI_Dist_graph_create,
               (MPI_Comm comm_old, int n, const int sources[],
                const int degrees[], const int destinations[],
                const int weights[], MPI_Info info, int reorder,
                MPI_Comm *comm_dist_graph));
WASMHPC_MPI_FN(int, MPI_Topo_test, (MPI_Comm comm, int *status));
WASMHPC_MPI_FN(int, MPI_Graphdims_get,
               (MPI_Comm comm, int *nnodes, int *nedges));
WASMHPC_MPI_FN(int, MPI_Graph_get,
               (MPI_Comm comm, int maxindex, int maxedges, int index[],
                int edges[]));
WASMHPC_MPI_FN(int, MPI_Cartdim_get, (MPI_Comm comm, int *ndims));
WASMHPC_MPI_FN(int, MPI_Cart_get,
               (MPI_Comm comm, int maxdims, int dims[], int periods[],
                int coords[]));
WASMHPC_MPI_FN(int, MPI_Cart_rank,
               (MPI_Comm comm, const int coords[], int *rank));
WASMHPC_MPI_FN(int, MPI_Cart_coords,
               (MPI_Comm comm, int rank, int maxdims, int coords[]));
WASMHPC_MPI_FN(int, MPI_Graph_neighbors_count,
               (MPI_Comm comm, int rank, int *nneighbors));
WASMHPC_MPI_FN(int, MPI_Graph_neighbors,
               (MPI_Comm comm, int rank, int maxneighbors, int neighbors[]));
WASMHPC_MPI_FN(int, MPI_Dist_graph_neighbors_count,
               (MPI_Comm comm, int *indegree, int *outdegree, int *weighted));
WASMHPC_MPI_FN(int, MPI_Dist_graph_neighbors,
               (MPI_Comm comm, int maxindegree, int sources[],
                int sourceweights[], int maxoutdegree, int destinations[],
                int destweights[]));
WASMHPC_MPI_FN(int, MPI_Cart_shift,
               (MPI_Comm comm, int direction, int disp, int *rank_source,
                int *rank_dest));
WASMHPC_MPI_FN(int, MPI_Cart_sub,
               (MPI_Comm comm, const int remain_dims[], MPI_Comm *newcomm));
WASMHPC_MPI_FN(int, MPI_Cart_map,
               (MPI_Comm comm, int ndims, const int dims[], const int periods[],
                int *newrank));
WASMHPC_MPI_FN(int, MPI_Graph_map,
               (MPI_Comm comm, int nnodes, const int index[], const int edges[],
                int *newrank));

/* ---- Neighborhood collectives ---- */
WASMHPC_MPI_FN(int, MPI_Neighbor_allgather,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Neighbor_allgatherv,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, const int recvcounts[], const int displs[],
                MPI_Datatype recvtype, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Neighbor_alltoall,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Neighbor_alltoallv,
               (const void *sendbuf, const int sendcounts[],
                const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
                const int recvcounts[], const int rdispls[],
                MPI_Datatype recvtype, MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Neighbor_alltoallw,
               (const void *sendbuf, const int sendcounts[],
                const MPI_Aint sdispls[], const MPI_Datatype sendtypes[],
                void *recvbuf, const int recvcounts[], const MPI_Aint rdispls[],
                const MPI_Datatype recvtypes[], MPI_Comm comm));
WASMHPC_MPI_FN(int, MPI_Ineighbor_allgather,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ineighbor_allgatherv,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, const int recvcounts[], const int displs[],
                MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ineighbor_alltoall,
               (const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                void *recvbuf, int recvcount, MPI_Datatype recvtype,
                MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ineighbor_alltoallv,
               (const void *sendbuf, const int sendcounts[],
                const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
                const int recvcounts[], const int rdispls[],
                MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Ineighbor_alltoallw,
               (const void *sendbuf, const int sendcounts[],
                const MPI_Aint sdispls[], const MPI_Datatype sendtypes[],
                void *recvbuf, const int recvcounts[], const MPI_Aint rdispls[],
                const MPI_Datatype recvtypes[], MPI_Comm comm,
                MPI_Request *request));

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
               (MPI_Comm_errhandler_function *comm_errhandler_fn,
                MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Comm_set_errhandler,
               (MPI_Comm comm, MPI_Errhandler errhandler));
WASMHPC_MPI_FN(int, MPI_Comm_get_errhandler,
               (MPI_Comm comm, MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Comm_call_errhandler, (MPI_Comm comm, int errorcode));
WASMHPC_MPI_FN(int, MPI_Win_create_errhandler,
               (MPI_Win_errhandler_function *win_errhandler_fn,
                MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Win_set_errhandler,
               (MPI_Win win, MPI_Errhandler errhandler));
WASMHPC_MPI_FN(int, MPI_Win_get_errhandler,
               (MPI_Win win, MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Win_call_errhandler, (MPI_Win win, int errorcode));
WASMHPC_MPI_FN(int, MPI_File_create_errhandler,
               (MPI_File_errhandler_function *file_errhandler_fn,
                MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_File_set_errhandler,
               (MPI_File file, MPI_Errhandler errhandler));
WASMHPC_MPI_FN(int, MPI_File_get_errhandler,
               (MPI_File file, MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_File_call_errhandler, (MPI_File fh, int errorcode));
WASMHPC_MPI_FN(int, MPI_Errhandler_free, (MPI_Errhandler *errhandler));
WASMHPC_MPI_FN(int, MPI_Error_string,
               (int errorcode, char *string, int *resultlen));
WASMHPC_MPI_FN(int, MPI_Error_class, (int errorcode, int *errorclass));
WASMHPC_MPI_FN(int, MPI_Add_error_class, (int *errorclass));
WASMHPC_MPI_FN(int, MPI_Add_error_code, (int errorclass, int *errorcode));
WASMHPC_MPI_FN(int, MPI_Add_error_string, (int errorcode, const char *string));

/* ---- Info objects ---- */
WASMHPC_MPI_FN(int, MPI_Info_create, (MPI_Info *info));
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
WASMHPC_MPI_FN(int, MPI_Info_free, (MPI_Info *info));

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
WASMHPC_MPI_FN(int, MPI_Comm_get_parent, (MPI_Comm *parent));
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
WASMHPC_MPI_FN(int, MPI_Comm_disconnect, (MPI_Comm *comm));
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
WASMHPC_MPI_FN(int, MPI_Win_free, (MPI_Win *win));
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
               (MPI_Grequest_query_function *query_fn,
                MPI_Grequest_free_function *free_fn,
                MPI_Grequest_cancel_function *cancel_fn, void *extra_state,
                MPI_Request *request));
WASMHPC_MPI_FN(int, MPI_Grequest_complete, (MPI_Request request));
WASMHPC_MPI_FN(int, MPI_Status_set_elements,
               (MPI_Status *status, MPI_Datatype datatype, int count));
WASMHPC_MPI_FN(int, MPI_Status_set_elements_x,
               (MPI_Status *status, MPI_Datatype datatype, MPI_Count count));
WASMHPC_MPI_FN(int, MPI_Status_set_cancelled, (MPI_Status *status, int flag));

/* ---- I/O ---- */
WASMHPC_MPI_FN(int, MPI_File_open,
               (MPI_Comm comm, const char *filename, int amode, MPI_Info info,
                MPI_File *fh));
WASMHPC_MPI_FN(int, MPI_File_close, (MPI_File *fh));
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
WASMHPC_MPI_FN(int, MPI_T_cvar_handle_free, (MPI_T_cvar_handle *handle));
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
WASMHPC_MPI_FN(int, MPI_T_pvar_session_create, (MPI_T_pvar_session *session));
WASMHPC_MPI_FN(int, MPI_T_pvar_session_free, (MPI_T_pvar_session *session));
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
WASMHPC_MPI_FN(int, MPI_Abi_get_info, (MPI_Info *info));
