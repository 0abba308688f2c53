#include "server/store_admin.h"

#include "absl/strings/str_cat.h"
#include "cache-store/rocksdb_admin.h"

namespace wasmhpc::server {
namespace {

std::string Describe(const StoreCounts& counts) {
  std::string text = absl::StrCat(counts.modules, " modules, ", counts.code,
                                  " compiled code entries, ", counts.records,
                                  " job and module records, ", counts.logs,
                                  " job logs (", counts.log_chunks, " chunks)");
  if (!counts.known) {
    if (counts.modules + counts.code + counts.records + counts.log_chunks ==
        0) {
      return absl::StrCat("unknown (", counts.error, ")");
    }
    absl::StrAppend(&text, " read before an error (", counts.error, ")");
  }
  return text;
}

}  // namespace

int RepairDataDir(const std::string& data_dir, std::ostream& out,
                  std::ostream& err) {
  absl::StatusOr<RepairReport> report = RepairRocksDbStore(data_dir);
  if (!report.ok()) {
    err << "wasmhpc-head: --repair " << data_dir << ": "
        << report.status().message() << "\n";
    return 1;
  }
  out << "wasmhpc-head: repaired " << data_dir << "\n"
      << "  before: " << Describe(report->before) << "\n"
      << "  after:  " << Describe(report->after) << "\n"
      << "  large values re-stored from blob files: " << report->blobs_restored
      << "\n";
  if (report->lost_files.empty()) {
    out << "  nothing set aside under " << data_dir << "/lost\n";
  } else {
    out << "  set aside by RocksDB (may hold lost data; delete when "
           "satisfied):\n";
    for (const std::string& file : report->lost_files) {
      out << "    " << data_dir << "/" << file << "\n";
    }
  }
  return 0;
}

int BackupDataDir(const std::string& data_dir, const std::string& dest,
                  std::ostream& out, std::ostream& err) {
  if (absl::Status s = BackupRocksDbStore(data_dir, dest); !s.ok()) {
    err << "wasmhpc-head: --backup " << dest << ": " << s.message() << "\n";
    return 1;
  }
  out << "wasmhpc-head: backed up " << data_dir << " to " << dest << ": "
      << Describe(CountRocksDbStore(dest)) << "\n"
      << "  restore: stop the head, move " << data_dir << " aside, copy "
      << dest << " to " << data_dir << "\n";
  return 0;
}

std::string DataDirError(const std::string& data_dir,
                         const absl::Status& status) {
  std::string message(status.message());
  if (absl::IsDataLoss(status)) {
    absl::StrAppend(&message, "\nThe store is damaged. Back it up (cp -a ",
                    data_dir,
                    " somewhere), then salvage what is left with: "
                    "wasmhpc-head --repair --data-dir ",
                    data_dir);
  }
  return message;
}

}  // namespace wasmhpc::server
