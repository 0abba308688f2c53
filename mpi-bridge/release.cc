#include "mpi-bridge/release.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mpi-bridge/file_internal.h"
#include "mpi-bridge/win.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;

// Erases every user handle of `table` after fn(entry) released its host
// object; returns how many there were.
template <typename Entry, typename Fn>
int32_t ReleaseAll(HandleTable<Entry>& table, Fn fn) {
  std::vector<Handle> handles;
  table.ForEachUser([&](Handle h, Entry&) { handles.push_back(h); });
  for (Handle h : handles) {
    fn(*table.Find(h));
    table.Erase(h);
  }
  return static_cast<int32_t>(handles.size());
}

// Completes or cancels `r`; false if it stays active.
bool Settle(MpiTransport& mpi, RequestEntry& r) {
  int done = 0;
  if (mpi.Test(&r.host, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done &&
      mpi.Cancel(&r.host) == MPI_SUCCESS) {
    done = CompletesWithin(mpi, &r.host, kCancelGrace);
  }
  if (!done) return false;
  if (r.persistent && r.host != MPI_REQUEST_NULL) mpi.Request_free(&r.host);
  return true;
}

void Count(std::vector<std::string>& parts, int32_t n, const char* one,
           const char* many) {
  if (n > 0) parts.push_back(absl::StrCat(n, " ", n == 1 ? one : many));
}

}  // namespace

int32_t ReleaseWindowsAndFiles(Call& c) {
  Bridge& b = c.bridge();
  struct Open {
    uint64_t serial;
    bool window;
    Handle handle;
    MPI_Comm sync;
  };
  std::vector<Open> open;
  b.wins().ForEachUser([&](Handle h, std::shared_ptr<WinEntry>& w) {
    open.push_back({w->serial, true, h, w->sync});
  });
  b.files().ForEachUser([&](Handle h, FileEntry& f) {
    open.push_back({f.serial, false, h, f.sync});
  });
  std::sort(open.begin(), open.end(),
            [](const Open& x, const Open& y) { return x.serial < y.serial; });
  for (const Open& o : open) {
    if (o.sync != MPI_COMM_NULL) {
      if (int32_t rc = c.Host(c.mpi().Barrier(o.sync))) return rc;
    }
    if (int32_t rc =
            o.window ? FreeWindow(c, o.handle) : CloseFile(c, o.handle)) {
      return rc;
    }
    b.windows_and_files().FreedAtFinalize(o.window);
  }
  return abi::kSuccess;
}

bool Leftovers::empty() const { return Describe().empty(); }

std::string Leftovers::Describe() const {
  std::vector<std::string> freed, kept;
  Count(freed, requests, "request", "requests");
  Count(freed, communicators, "communicator", "communicators");
  Count(freed, groups, "group", "groups");
  Count(freed, datatypes, "datatype", "datatypes");
  Count(freed, ops, "op", "ops");
  Count(freed, infos, "info", "infos");
  Count(freed, windows + finalize_windows, "window", "windows");
  Count(freed, files + finalize_files, "file", "files");
  Count(kept, kept_requests, "active request", "active requests");
  Count(kept, kept_messages, "matched message", "matched messages");
  Count(kept, kept_windows, "window", "windows");
  Count(kept, kept_files, "file", "files");
  std::string text;
  if (!freed.empty())
    absl::StrAppend(&text, "released ", absl::StrJoin(freed, ", "));
  if (!kept.empty()) {
    absl::StrAppend(&text, text.empty() ? "" : "; ",
                    "left to the host MPI: ", absl::StrJoin(kept, ", "));
    if (kept_windows + kept_files > 0) {
      absl::StrAppend(&text,
                      " (windows and files shared with other ranks "
                      "are freed by MPI_Finalize; the guest did not "
                      "reach it)");
    }
  }
  return text;
}

Leftovers ReleaseLeftovers(Bridge& b) {
  MpiTransport& mpi = b.mpi();
  Leftovers left;
  left.finalize_windows = b.windows_and_files().windows_freed_at_finalize();
  left.finalize_files = b.windows_and_files().files_closed_at_finalize();
  // Requests first: they may use the objects below.
  left.requests = ReleaseAll(b.requests(), [&](RequestEntry& r) {
    if (!Settle(mpi, r)) ++left.kept_requests;
  });
  left.requests -= left.kept_requests;
  left.kept_messages = ReleaseAll(b.messages(), [](MessageEntry&) {});
  // Windows and files: those of one rank here, the others left.
  left.windows = ReleaseAll(b.wins(), [&](std::shared_ptr<WinEntry>& w) {
    if (w->sync != MPI_COMM_NULL || mpi.Win_free(&w->host) != MPI_SUCCESS) {
      ++left.kept_windows;
    }
  });
  left.windows -= left.kept_windows;
  left.files = ReleaseAll(b.files(), [&](FileEntry& f) {
    if (f.sync != MPI_COMM_NULL || mpi.File_close(&f.host) != MPI_SUCCESS) {
      ++left.kept_files;
    }
  });
  left.files -= left.kept_files;
  left.communicators =
      ReleaseAll(b.comms(), [&](CommEntry& e) { mpi.Comm_free(&e.host); });
  left.groups =
      ReleaseAll(b.groups(), [&](GroupEntry& e) { mpi.Group_free(&e.host); });
  // A user op's host op goes with its UserOp.
  left.ops = ReleaseAll(b.ops(), [](OpEntry&) {});
  // MPI_Type_create_f90_* types are the host's, never freed.
  left.datatypes = ReleaseAll(b.datatypes(), [&](DatatypeEntry& e) {
    if (!e.predefined) mpi.Type_free(&e.host);
  });
  left.infos = ReleaseAll(b.infos(), [&](InfoEntry& e) {
    if (e.host != MPI_INFO_NULL) mpi.Info_free(&e.host);
  });
  return left;
}

}  // namespace wasmhpc::mpi
