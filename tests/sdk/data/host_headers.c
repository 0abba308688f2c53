/* Many standard and POSIX headers, C and C++: sdk_test.sh's
 * no_host_headers checks that none resolves outside the SDK and clang. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#ifdef __cplusplus
#include <algorithm>
#include <string>
#include <vector>
#endif
