// MPI-IO: open/close/delete, explicit offsets, individual, shared and
// ordered file pointers, collective, split collective and nonblocking
// reads and writes, views with derived filetypes, sizes, hints, atomicity
// and file error handlers (datarep "native" only: wasmhpc refuses others,
// see tests/run). Runs with 2..5 ranks in a fresh working
// directory; prints deterministic lines per rank (error classes by name,
// their values differ between ABIs), and leaves io_a.dat and io_c.dat
// behind so the files' bytes can be compared too.
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;

static const char* ClassName(int rc) {
  int cls = rc;
  if (rc != MPI_SUCCESS) MPI_Error_class(rc, &cls);
  switch (cls) {
    case MPI_SUCCESS:
      return "SUCCESS";
    case MPI_ERR_ACCESS:
      return "ERR_ACCESS";
    case MPI_ERR_NO_SUCH_FILE:
      return "ERR_NO_SUCH_FILE";
    case MPI_ERR_READ_ONLY:
      return "ERR_READ_ONLY";
    case MPI_ERR_AMODE:
      return "ERR_AMODE";
    case MPI_ERR_FILE:
      return "ERR_FILE";
    case MPI_ERR_FILE_EXISTS:
      return "ERR_FILE_EXISTS";
    case MPI_ERR_TYPE:
      return "ERR_TYPE";
    case MPI_ERR_UNSUPPORTED_DATAREP:
      return "ERR_UNSUPPORTED_DATAREP";
    case MPI_ERR_IO:
      return "ERR_IO";
    case MPI_ERR_ARG:
      return "ERR_ARG";
    default:
      return "other";
  }
}

// Statuses start with this MPI_ERROR, which file I/O must leave alone (MPI
// standard, "Status": only multiple-completion calls write it).
#define KEPT_ERROR 4242

// The status's count; says so if the call wrote MPI_ERROR.
static int Count(MPI_Status* st, MPI_Datatype t) {
  int n = -1;
  CHECK(MPI_Get_count(st, t, &n));
  if (st->MPI_ERROR != KEPT_ERROR) printf("status MPI_ERROR overwritten\n");
  st->MPI_ERROR = KEPT_ERROR;
  return n;
}

static void PrintInts(const char* what, const int* v, int n) {
  printf("%s:", what);
  for (int i = 0; i < n; ++i) printf(" %d", v[i]);
  printf("\n");
}

// sync-barrier-sync: what one rank wrote is then visible to the others.
static void Settle(MPI_File fh) {
  CHECK(MPI_File_sync(fh));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(MPI_File_sync(fh));
}

static int handler_calls;
static void FileHandler(MPI_File* fh, int* code, ...) {
  (void)fh;
  ++handler_calls;
  printf("file handler: %s\n", ClassName(*code));
}

// Region r of the file holds 4 ints per rank.
static MPI_Offset Region(int r) { return (MPI_Offset)r * size * 16; }

static void ExplicitOffsets(MPI_File fh) {
  int out[4], in[4];
  MPI_Status st = {.MPI_ERROR = KEPT_ERROR};
  for (int i = 0; i < 4; ++i) out[i] = rank * 100 + i;
  CHECK(MPI_File_write_at(fh, Region(0) + rank * 16, out, 4, MPI_INT, &st));
  printf("write_at count %d\n", Count(&st, MPI_INT));
  Settle(fh);
  int peer = (rank + 1) % size;
  CHECK(MPI_File_read_at(fh, Region(0) + peer * 16, in, 4, MPI_INT, &st));
  printf("read_at count %d\n", Count(&st, MPI_INT));
  PrintInts("read_at peer", in, 4);

  for (int i = 0; i < 4; ++i) out[i] = rank * 1000 + i;
  CHECK(MPI_File_write_at_all(fh, Region(1) + rank * 16, out, 4, MPI_INT, &st));
  printf("write_at_all count %d\n", Count(&st, MPI_INT));
  Settle(fh);
  memset(in, 0, sizeof in);
  CHECK(MPI_File_read_at_all(fh, Region(1) + peer * 16, in, 4, MPI_INT, &st));
  PrintInts("read_at_all peer", in, 4);
}

static void IndividualPointer(MPI_File fh) {
  int out[2] = {rank + 7, rank + 8}, in[2] = {0, 0};
  MPI_Offset pos;
  MPI_Status st = {.MPI_ERROR = KEPT_ERROR};
  CHECK(MPI_File_seek(fh, Region(2) + rank * 16, MPI_SEEK_SET));
  CHECK(MPI_File_write(fh, out, 2, MPI_INT, &st));
  CHECK(MPI_File_get_position(fh, &pos));
  printf("position after write %lld\n", (long long)(pos - Region(2)));
  CHECK(MPI_File_seek(fh, -8, MPI_SEEK_CUR));
  CHECK(MPI_File_read(fh, in, 2, MPI_INT, &st));
  PrintInts("read back", in, 2);
  CHECK(MPI_File_seek(fh, Region(2) + rank * 16 + 8, MPI_SEEK_SET));
  CHECK(MPI_File_write_all(fh, out, 2, MPI_INT, &st));
  CHECK(MPI_File_seek(fh, Region(2) + rank * 16 + 8, MPI_SEEK_SET));
  CHECK(MPI_File_read_all(fh, in, 2, MPI_INT, &st));
  printf("read_all count %d\n", Count(&st, MPI_INT));
  PrintInts("read_all", in, 2);
  MPI_Offset end;
  Settle(fh);  // no rank writes while the others look at the size
  CHECK(MPI_File_seek(fh, 0, MPI_SEEK_END));
  CHECK(MPI_File_get_position(fh, &end));
  CHECK(MPI_File_get_size(fh, &pos));
  printf("seek end == size: %d\n", end == pos);
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
}

static void Nonblocking(MPI_File fh) {
  int out[3], in[3] = {0, 0, 0};
  MPI_Request req;
  MPI_Status st = {.MPI_ERROR = KEPT_ERROR};
  MPI_Offset base = Region(3) + rank * 16;
  for (int i = 0; i < 3; ++i) out[i] = 50 + rank + i;
  CHECK(MPI_File_iwrite_at(fh, base, out, 3, MPI_INT, &req));
  CHECK(MPI_Wait(&req, &st));
  printf("iwrite_at count %d\n", Count(&st, MPI_INT));
  CHECK(MPI_File_iread_at(fh, base, in, 3, MPI_INT, &req));
  CHECK(MPI_Wait(&req, &st));
  PrintInts("iread_at", in, 3);
  CHECK(MPI_File_seek(fh, base, MPI_SEEK_SET));
  out[0] = -rank;
  CHECK(MPI_File_iwrite(fh, out, 1, MPI_INT, &req));
  CHECK(MPI_Wait(&req, MPI_STATUS_IGNORE));
  CHECK(MPI_File_seek(fh, base, MPI_SEEK_SET));
  CHECK(MPI_File_iread(fh, in, 3, MPI_INT, &req));
  CHECK(MPI_Wait(&req, &st));
  PrintInts("iread", in, 3);

  MPI_Offset base4 = Region(4) + rank * 16;
  for (int i = 0; i < 3; ++i) out[i] = 60 + rank + i;
  CHECK(MPI_File_iwrite_at_all(fh, base4, out, 3, MPI_INT, &req));
  CHECK(MPI_Wait(&req, &st));
  CHECK(MPI_File_iread_at_all(fh, base4, in, 3, MPI_INT, &req));
  CHECK(MPI_Wait(&req, &st));
  PrintInts("iread_at_all", in, 3);
  CHECK(MPI_File_seek(fh, base4 + 12, MPI_SEEK_SET));
  out[0] = 70 + rank;
  CHECK(MPI_File_iwrite_all(fh, out, 1, MPI_INT, &req));
  CHECK(MPI_Wait(&req, MPI_STATUS_IGNORE));
  CHECK(MPI_File_seek(fh, base4, MPI_SEEK_SET));
  CHECK(MPI_File_iread_all(fh, in, 3, MPI_INT, &req));
  int flag = 0;
  while (!flag) CHECK(MPI_Test(&req, &flag, &st));
  printf("iread_all count %d\n", Count(&st, MPI_INT));
  PrintInts("iread_all", in, 3);
}

static void SplitCollectives(MPI_File fh) {
  int out[2] = {80 + rank, 90 + rank}, in[2] = {0, 0};
  MPI_Status st = {.MPI_ERROR = KEPT_ERROR};
  MPI_Offset base = Region(5) + rank * 16;
  CHECK(MPI_File_write_at_all_begin(fh, base, out, 2, MPI_INT));
  CHECK(MPI_File_write_at_all_end(fh, out, &st));
  printf("write_at_all_end count %d\n", Count(&st, MPI_INT));
  CHECK(MPI_File_read_at_all_begin(fh, base, in, 2, MPI_INT));
  CHECK(MPI_File_read_at_all_end(fh, in, &st));
  PrintInts("read_at_all_end", in, 2);
  CHECK(MPI_File_seek(fh, base + 8, MPI_SEEK_SET));
  CHECK(MPI_File_write_all_begin(fh, out, 2, MPI_INT));
  CHECK(MPI_File_write_all_end(fh, out, &st));
  CHECK(MPI_File_seek(fh, base + 8, MPI_SEEK_SET));
  in[0] = in[1] = 0;
  CHECK(MPI_File_read_all_begin(fh, in, 2, MPI_INT));
  CHECK(MPI_File_read_all_end(fh, in, &st));
  printf("read_all_end count %d\n", Count(&st, MPI_INT));
  PrintInts("read_all_end", in, 2);
}

// A view with a derived filetype: ints interleaved by rank.
static void Views(MPI_File fh) {
  MPI_Datatype tile;
  int sizes[1] = {size}, subsizes[1] = {1}, starts[1] = {rank};
  CHECK(MPI_Type_create_subarray(1, sizes, subsizes, starts, MPI_ORDER_C,
                                 MPI_INT, &tile));
  CHECK(MPI_Type_commit(&tile));
  MPI_Offset disp = Region(6);
  CHECK(MPI_File_set_view(fh, disp, MPI_INT, tile, "native", MPI_INFO_NULL));
  int out[3] = {rank, rank + 10, rank + 20}, in[3] = {0, 0, 0};
  MPI_Status st = {.MPI_ERROR = KEPT_ERROR};
  CHECK(MPI_File_write_all(fh, out, 3, MPI_INT, &st));
  printf("view write_all count %d\n", Count(&st, MPI_INT));
  MPI_Offset pos, byte;
  CHECK(MPI_File_get_position(fh, &pos));
  CHECK(MPI_File_get_byte_offset(fh, pos, &byte));
  printf("view position %lld byte offset %lld\n", (long long)pos,
         (long long)(byte - disp));
  CHECK(MPI_File_read_at_all(fh, 0, in, 3, MPI_INT, &st));
  PrintInts("view read_at_all", in, 3);

  MPI_Offset got_disp;
  MPI_Datatype etype, filetype;
  char rep[MPI_MAX_DATAREP_STRING];
  CHECK(MPI_File_get_view(fh, &got_disp, &etype, &filetype, rep));
  int ni, na, nd, combiner;
  CHECK(MPI_Type_get_envelope(filetype, &ni, &na, &nd, &combiner));
  printf("get_view disp %lld etype int %d filetype dup %d rep %s\n",
         (long long)(got_disp - disp), etype == MPI_INT,
         combiner == MPI_COMBINER_DUP, rep);
  int fsize;
  CHECK(MPI_Type_size(filetype, &fsize));
  printf("view filetype size %d\n", fsize);
  CHECK(MPI_Type_free(&filetype));
  MPI_Aint extent;
  CHECK(MPI_File_get_type_extent(fh, tile, &extent));
  printf("file type extent %ld\n", (long)extent);

  CHECK(MPI_File_set_view(fh, 0, MPI_BYTE, MPI_BYTE, "native", MPI_INFO_NULL));
  CHECK(MPI_Type_free(&tile));
}

static void SharedPointer(MPI_File fh) {
  // Ordered: rank order, deterministic.
  MPI_Offset base = Region(7);
  CHECK(MPI_File_seek_shared(fh, base, MPI_SEEK_SET));
  int out[2] = {200 + rank, 300 + rank}, in[2] = {0, 0};
  MPI_Status st = {.MPI_ERROR = KEPT_ERROR};
  CHECK(MPI_File_write_ordered(fh, out, 2, MPI_INT, &st));
  printf("write_ordered count %d\n", Count(&st, MPI_INT));
  MPI_Offset pos;
  CHECK(MPI_File_seek_shared(fh, base, MPI_SEEK_SET));
  CHECK(MPI_File_read_ordered(fh, in, 2, MPI_INT, &st));
  PrintInts("read_ordered", in, 2);

  CHECK(MPI_File_write_ordered_begin(fh, out, 1, MPI_INT));
  CHECK(MPI_File_write_ordered_end(fh, out, &st));
  CHECK(MPI_File_seek_shared(fh, base + size * 8, MPI_SEEK_SET));
  CHECK(MPI_File_read_ordered_begin(fh, in, 1, MPI_INT));
  CHECK(MPI_File_read_ordered_end(fh, in, &st));
  printf("read_ordered_end count %d value %d\n", Count(&st, MPI_INT), in[0]);

  // Shared, any order: the same value from every rank.
  MPI_Offset base8 = Region(8);
  CHECK(MPI_File_seek_shared(fh, base8, MPI_SEEK_SET));
  int seven = 7;
  CHECK(MPI_File_write_shared(fh, &seven, 1, MPI_INT, &st));
  MPI_Request req;
  CHECK(MPI_File_iwrite_shared(fh, &seven, 1, MPI_INT, &req));
  CHECK(MPI_Wait(&req, &st));
  Settle(fh);
  CHECK(MPI_File_get_position_shared(fh, &pos));
  printf("shared position after shared writes %lld\n",
         (long long)(pos - base8));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(MPI_File_seek_shared(fh, base8, MPI_SEEK_SET));
  int a = 0, b = 0;
  CHECK(MPI_File_read_shared(fh, &a, 1, MPI_INT, &st));
  CHECK(MPI_File_iread_shared(fh, &b, 1, MPI_INT, &req));
  CHECK(MPI_Wait(&req, &st));
  printf("read_shared %d %d count %d\n", a, b, Count(&st, MPI_INT));
}

static void Attributes(MPI_File fh) {
  int amode, flag;
  CHECK(MPI_File_get_amode(fh, &amode));
  printf("amode rdwr|create %d\n", amode == (MPI_MODE_RDWR | MPI_MODE_CREATE));
  MPI_Group group, world;
  int cmp;
  CHECK(MPI_File_get_group(fh, &group));
  CHECK(MPI_Comm_group(MPI_COMM_WORLD, &world));
  CHECK(MPI_Group_compare(group, world, &cmp));
  printf("group ident %d\n", cmp == MPI_IDENT);
  CHECK(MPI_Group_free(&group));
  CHECK(MPI_Group_free(&world));
  CHECK(MPI_File_set_atomicity(fh, 1));
  CHECK(MPI_File_get_atomicity(fh, &flag));
  printf("atomicity %d\n", flag);
  CHECK(MPI_File_set_atomicity(fh, 0));
  MPI_Info info;
  CHECK(MPI_File_get_info(fh, &info));
  CHECK(MPI_Info_free(&info));
  CHECK(MPI_Info_create(&info));
  CHECK(MPI_Info_set(info, "access_style", "read_mostly"));
  CHECK(MPI_File_set_info(fh, info));
  CHECK(MPI_Info_free(&info));
  printf("info ok\n");
}

static void Errors(void) {
  MPI_Errhandler eh;
  CHECK(MPI_File_get_errhandler(MPI_FILE_NULL, &eh));
  printf("default file errhandler is ERRORS_RETURN %d\n",
         eh == MPI_ERRORS_RETURN);
  MPI_File fh;
  int rc = MPI_File_open(MPI_COMM_WORLD, "io_missing.dat", MPI_MODE_RDONLY,
                         MPI_INFO_NULL, &fh);
  printf("open missing: %s\n", ClassName(rc));
  rc = MPI_File_open(MPI_COMM_WORLD, "io_a.dat",
                     MPI_MODE_RDONLY | MPI_MODE_CREATE, MPI_INFO_NULL, &fh);
  printf("open rdonly|create: %s\n", ClassName(rc));

  MPI_Errhandler mine;
  CHECK(MPI_File_create_errhandler(FileHandler, &mine));
  CHECK(MPI_File_open(MPI_COMM_WORLD, "io_a.dat", MPI_MODE_RDONLY,
                      MPI_INFO_NULL, &fh));
  CHECK(MPI_File_set_errhandler(fh, mine));
  int x = 1;
  rc = MPI_File_write_at(fh, 0, &x, 1, MPI_INT, MPI_STATUS_IGNORE);
  printf("write to rdonly file: %s\n", rc == MPI_SUCCESS ? "SUCCESS" : "error");
  CHECK(MPI_File_call_errhandler(fh, MPI_ERR_IO));
  CHECK(MPI_File_close(&fh));
  CHECK(MPI_Errhandler_free(&mine));
  printf("handler calls %d\n", handler_calls);
}

static void CreateDelete(void) {
  MPI_File fh;
  CHECK(MPI_File_open(MPI_COMM_WORLD, "io_b.dat",
                      MPI_MODE_WRONLY | MPI_MODE_CREATE | MPI_MODE_EXCL,
                      MPI_INFO_NULL, &fh));
  CHECK(MPI_File_preallocate(fh, 4096));
  MPI_Offset n;
  CHECK(MPI_File_get_size(fh, &n));
  printf("preallocated size %lld\n", (long long)n);
  CHECK(MPI_Barrier(MPI_COMM_WORLD));  // before any rank shrinks it
  CHECK(MPI_File_set_size(fh, 100));
  CHECK(MPI_File_get_size(fh, &n));
  printf("set size %lld\n", (long long)n);
  CHECK(MPI_File_close(&fh));
  printf("file handle null after close %d\n", fh == MPI_FILE_NULL);
  int rc = MPI_File_open(MPI_COMM_WORLD, "io_b.dat",
                         MPI_MODE_WRONLY | MPI_MODE_CREATE | MPI_MODE_EXCL,
                         MPI_INFO_NULL, &fh);
  printf("exclusive create of existing: %s\n",
         rc == MPI_SUCCESS ? "SUCCESS" : "error");
  if (rc == MPI_SUCCESS) CHECK(MPI_File_close(&fh));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  if (rank == 0) CHECK(MPI_File_delete("io_b.dat", MPI_INFO_NULL));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  rc = MPI_File_open(MPI_COMM_WORLD, "io_b.dat", MPI_MODE_RDONLY, MPI_INFO_NULL,
                     &fh);
  printf("open deleted: %s\n", ClassName(rc));

  CHECK(
      MPI_File_open(MPI_COMM_WORLD, "io_tmp.dat",
                    MPI_MODE_RDWR | MPI_MODE_CREATE | MPI_MODE_DELETE_ON_CLOSE,
                    MPI_INFO_NULL, &fh));
  CHECK(MPI_File_write_at(fh, rank * 4, &rank, 1, MPI_INT, MPI_STATUS_IGNORE));
  CHECK(MPI_File_close(&fh));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  rc = MPI_File_open(MPI_COMM_WORLD, "io_tmp.dat", MPI_MODE_RDONLY,
                     MPI_INFO_NULL, &fh);
  printf("open after delete on close: %s\n", ClassName(rc));
}

// io_c.dat: shorts interleaved by rank through a vector filetype.
static void StridedFile(void) {
  MPI_File fh;
  CHECK(MPI_File_open(MPI_COMM_WORLD, "io_c.dat",
                      MPI_MODE_RDWR | MPI_MODE_CREATE, MPI_INFO_NULL, &fh));
  MPI_Datatype strided;
  CHECK(MPI_Type_vector(4, 2, 2 * size, MPI_SHORT, &strided));
  CHECK(MPI_Type_commit(&strided));
  CHECK(MPI_File_set_view(fh, rank * 4, MPI_SHORT, strided, "native",
                          MPI_INFO_NULL));
  short v[8];
  for (int i = 0; i < 8; ++i) v[i] = (short)(rank * 16 + i);
  MPI_Status st = {.MPI_ERROR = KEPT_ERROR};
  CHECK(MPI_File_write_at_all(fh, 0, v, 8, MPI_SHORT, &st));
  printf("strided write count %d\n", Count(&st, MPI_SHORT));
  CHECK(MPI_Type_free(&strided));
  CHECK(MPI_File_close(&fh));
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_File fh;
  CHECK(MPI_File_open(MPI_COMM_WORLD, "io_a.dat",
                      MPI_MODE_RDWR | MPI_MODE_CREATE, MPI_INFO_NULL, &fh));
  CHECK(MPI_File_set_size(fh, 0));
  Attributes(fh);
  ExplicitOffsets(fh);
  IndividualPointer(fh);
  Nonblocking(fh);
  SplitCollectives(fh);
  Views(fh);
  SharedPointer(fh);
  Settle(fh);
  MPI_Offset n;
  CHECK(MPI_File_get_size(fh, &n));
  printf("final size %lld\n", (long long)n);
  CHECK(MPI_File_close(&fh));
  Errors();
  CreateDelete();
  StridedFile();
  printf("done\n");
  MPI_Finalize();
  return 0;
}
