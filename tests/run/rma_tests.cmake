# Bad one-sided (RMA) calls (guests/mpi_rma_bad.c), each a test, on one
# process: the windows are ones Open MPI 4.1's default components cannot
# make, so these also check wasmhpc-run's own osc choice
# (mpi-bridge/ompi_transport.h).
set(rma_bad ${guest_out}/mpi_rma_bad.wasm)
run_test(mpi_rma_put_past_window 134
  "MPI_Put: target bytes" "12, 20) (displacement 3 x unit 4) exceed the 16-byte window of rank 0"
  -- ${run} ${rma_bad} put_range)
run_test(mpi_rma_get_below_window 134
  "MPI_Get: target bytes" "-4, 0) (displacement -1 x unit 4) exceed the 16-byte window of rank 0"
  -- ${run} ${rma_bad} get_range)
run_test(mpi_rma_disp_unit_overflow 134
  "MPI_Put: target bytes" "4294967296, 4294967300) (displacement 4 x unit 1073741824)"
  -- ${run} ${rma_bad} disp_unit_overflow)
run_test(mpi_rma_window_past_memory 134 "MPI_Win_create: window"
  "exceeds linear memory of" -- ${run} ${rma_bad} past_memory)
run_test(mpi_rma_win_of_wrong_kind 134
  "MPI_Win_fence: invalid window 0x101 (it is a communicator handle)"
  -- ${run} ${rma_bad} wrong_kind)
run_test(mpi_rma_errors_return 0 "error classes: 48 48 56 6" "window intact: 1"
  -- ${run} ${rma_bad} return)
run_test(mpi_rma_window_over_freed_memory 0
  "survived a window over freed memory" -- ${run} ${rma_bad} freed_memory)
