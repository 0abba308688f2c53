/* A small library of the autoconf test package (archived with $AR). */
#ifndef STATS_H_
#define STATS_H_

/* Sum of i*i for i in [first, first + count). */
long long stats_sum_squares(int first, int count);

#endif
