// MPI-IO bad input, one mode per test (tests/run/CMakeLists.txt). Files
// report errors by returning them (MPI_ERRORS_RETURN is the files'
// default); the *_fatal modes make them fatal to show the trap message.
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static const char* Name(int rc) {
  switch (rc) {
    case MPI_SUCCESS:
      return "MPI_SUCCESS";
    case MPI_ERR_ACCESS:
      return "MPI_ERR_ACCESS";
    case MPI_ERR_READ_ONLY:
      return "MPI_ERR_READ_ONLY";
    case MPI_ERR_NO_SUCH_FILE:
      return "MPI_ERR_NO_SUCH_FILE";
    case MPI_ERR_TYPE:
      return "MPI_ERR_TYPE";
    case MPI_ERR_AMODE:
      return "MPI_ERR_AMODE";
    default:
      return "another error";
  }
}

static int Open(const char* path, int amode, MPI_File* fh) {
  int rc = MPI_File_open(MPI_COMM_WORLD, path, amode, MPI_INFO_NULL, fh);
  printf("open %s: %s\n", path, Name(rc));
  return rc;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);  // lines before a trap must show
  MPI_Init(&argc, &argv);
  const char* mode = argc > 1 ? argv[1] : "";
  const char* path = argc > 2 ? argv[2] : "../outside";
  MPI_File fh;
  if (strstr(mode, "_fatal")) {
    MPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_ARE_FATAL);
  }
  if (strncmp(mode, "open", 4) == 0) {
    // A path outside the preopens: refused before the host sees it.
    Open(path, MPI_MODE_RDONLY, &fh);
    Open(path, MPI_MODE_RDWR | MPI_MODE_CREATE, &fh);
    MPI_File_delete(path, MPI_INFO_NULL);
  } else if (strcmp(mode, "read_only") == 0) {
    Open("new.dat", MPI_MODE_WRONLY | MPI_MODE_CREATE, &fh);
    if (Open("existing.dat", MPI_MODE_RDONLY, &fh) == MPI_SUCCESS) {
      MPI_File_close(&fh);
      printf("read-only open of an existing file: fine\n");
    }
    printf("delete: %s\n",
           Name(MPI_File_delete("existing.dat", MPI_INFO_NULL)));
  } else if (strcmp(mode, "uncommitted") == 0) {
    MPI_Datatype pair;
    MPI_Type_contiguous(2, MPI_INT, &pair);
    Open("view.dat", MPI_MODE_RDWR | MPI_MODE_CREATE, &fh);
    int rc = MPI_File_set_view(fh, 0, MPI_INT, pair, "native", MPI_INFO_NULL);
    printf("set_view with an uncommitted filetype: %s\n", Name(rc));
    MPI_File_set_errhandler(fh, MPI_ERRORS_ARE_FATAL);
    MPI_File_set_view(fh, 0, MPI_INT, pair, "native", MPI_INFO_NULL);
  }
  printf("still running\n");
  MPI_Finalize();
  return 0;
}
