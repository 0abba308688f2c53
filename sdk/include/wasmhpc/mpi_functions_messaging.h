/* MPI-3.1 messaging functions: point-to-point, datatypes, collectives,
 * groups, communicators, attributes and topologies. Each is a Wasm import
 * env.<name>. Included by <mpi.h> only. */
#ifndef WASMHPC_MPI_H_INSIDE_
#error "include <mpi.h> instead of this file"
#endif

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
WASMHPC_MPI_FN(int, MPI_Wait, (MPI_Request * request, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Test,
               (MPI_Request * request, int *flag, MPI_Status *status));
WASMHPC_MPI_FN(int, MPI_Request_free, (MPI_Request * request));
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
WASMHPC_MPI_FN(int, MPI_Cancel, (MPI_Request * request));
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
WASMHPC_MPI_FN(int, MPI_Start, (MPI_Request * request));
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
WASMHPC_MPI_FN(int, MPI_Type_commit, (MPI_Datatype * datatype));
WASMHPC_MPI_FN(int, MPI_Type_free, (MPI_Datatype * datatype));
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
               (MPI_User_function * user_fn, int commute, MPI_Op *op));
WASMHPC_MPI_FN(int, MPI_Op_free, (MPI_Op * op));
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
WASMHPC_MPI_FN(int, MPI_Group_free, (MPI_Group * group));

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
WASMHPC_MPI_FN(int, MPI_Comm_free, (MPI_Comm * comm));
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
               (MPI_Comm_copy_attr_function * comm_copy_attr_fn,
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
               (MPI_Type_copy_attr_function * type_copy_attr_fn,
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
               (MPI_Win_copy_attr_function * win_copy_attr_fn,
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
               (MPI_Copy_function * copy_fn, MPI_Delete_function *delete_fn,
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
