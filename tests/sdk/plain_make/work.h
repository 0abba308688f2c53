/* The part of the tiny project that lives in its own file. */
#ifndef WORK_H_
#define WORK_H_

/* Returns the sum of the ranks of MPI_COMM_WORLD, reduced on all ranks. */
int SumOfRanks(void);

#endif  // WORK_H_
