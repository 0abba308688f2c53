/* A small library of the configure_project package (archived with $AR). */
#ifndef SUM_H_
#define SUM_H_
long long sum_range(int first, int count);
#endif
