// Preview1: setup, fd lookup, args, environment, clocks, randomness, process
// and socket calls.
#include "wasi/preview1.h"

#include <fcntl.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "wasi/file_stat.h"
#include "wasi/preopen_dir.h"

namespace wasmhpc::wasi {
namespace {

constexpr uint64_t kStdinRights =
    abi::kRightFdRead | abi::kRightFdFdstatSetFlags | abi::kRightFdFilestatGet |
    abi::kRightPollFdReadwrite;
constexpr uint64_t kStdoutRights =
    abi::kRightFdWrite | abi::kRightFdDatasync | abi::kRightFdSync |
    abi::kRightFdFdstatSetFlags | abi::kRightFdFilestatGet |
    abi::kRightPollFdReadwrite;

uint32_t TotalSize(const std::vector<std::string>& strings) {
  uint64_t total = 0;
  for (const std::string& s : strings) total += s.size() + 1;
  return static_cast<uint32_t>(total);
}

}  // namespace

Preview1::Preview1(WasiOptions options) : options_(std::move(options)) {}

absl::Status Preview1::Init() {
  auto in = std::make_unique<FdEntry>();
  in->is_stdio = true;
  in->rights_base = kStdinRights;
  if (options_.stdin_fd >= 0) {
    in->host_fd = options_.stdin_fd;
    in->filetype = FiletypeOfHostFd(options_.stdin_fd);
  } else {
    in->kind = FdEntry::Kind::kNoInput;
  }
  fds_.Insert(std::move(in));
  for (int stream : {1, 2}) {
    auto out = std::make_unique<FdEntry>();
    out->is_stdio = true;
    out->rights_base = kStdoutRights;
    if (options_.output) {
      out->kind = FdEntry::Kind::kOutput;
      out->output_stream = stream;
    } else {
      out->host_fd = stream;
      out->filetype = FiletypeOfHostFd(stream);
    }
    fds_.Insert(std::move(out));
  }
  for (const Preopen& preopen : options_.preopens) {
    if (absl::Status s = OpenPreopen(preopen); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Preview1::OpenPreopen(const Preopen& preopen) {
  absl::StatusOr<UniqueFd> dir = OpenPreopenDir(preopen, O_RDONLY);
  if (!dir.ok()) return dir.status();
  auto entry = std::make_unique<FdEntry>();
  entry->host_fd = dir->release();
  entry->owns_host_fd = true;
  entry->filetype = abi::Filetype::kDirectory;
  entry->preopen_name = preopen.guest_path;
  entry->read_only = preopen.read_only;
  entry->rights_base = abi::kDirRights;
  entry->rights_inheriting = abi::kDirRights | abi::kFileRights;
  if (preopen.read_only) {
    // Keep the open-for-write rights inheritable: an open asking for them
    // then reaches path_open and fails with EROFS, as on a read-only mount,
    // instead of the guest's libc silently dropping them.
    entry->rights_base &= ~abi::kMutatingRights;
    entry->rights_inheriting &=
        ~(abi::kMutatingRights & ~abi::kOpenForWriteRights);
  }
  fds_.Insert(std::move(entry));
  return absl::OkStatus();
}

Errno Preview1::Lookup(uint32_t fd, uint64_t rights, FdEntry** out) const {
  FdEntry* entry = fds_.Get(fd);
  if (entry == nullptr) return Errno::kBadf;
  uint64_t missing = rights & ~entry->rights_base;
  if (missing != 0) {
    if (entry->read_only && (missing & abi::kMutatingRights)) {
      return Errno::kRofs;
    }
    if (missing & (abi::kRightFdRead | abi::kRightFdWrite)) {
      return Errno::kBadf;
    }
    return Errno::kNotcapable;
  }
  *out = entry;
  return Errno::kSuccess;
}

Errno Preview1::StoreStrings(GuestView& guest,
                             const std::vector<std::string>& strings,
                             uint32_t ptrs, uint32_t buf) {
  absl::Span<uint8_t> ptr_bytes, buf_bytes;
  WASI_TRY(guest.Bytes(ptrs, uint64_t{4} * strings.size(), &ptr_bytes));
  WASI_TRY(guest.Bytes(buf, TotalSize(strings), &buf_bytes));
  uint32_t offset = 0;
  for (size_t i = 0; i < strings.size(); ++i) {
    uint32_t address = buf + offset;
    std::memcpy(ptr_bytes.data() + 4 * i, &address, 4);
    std::memcpy(buf_bytes.data() + offset, strings[i].c_str(),
                strings[i].size() + 1);
    offset += static_cast<uint32_t>(strings[i].size() + 1);
  }
  return Errno::kSuccess;
}

Errno Preview1::StoreSizes(GuestView& guest,
                           const std::vector<std::string>& strings,
                           uint32_t count_ptr, uint32_t size_ptr) {
  WASI_TRY(guest.Check(size_ptr, 4));
  WASI_TRY(guest.Store<uint32_t>(count_ptr, strings.size()));
  return guest.Store<uint32_t>(size_ptr, TotalSize(strings));
}

Errno Preview1::ArgsGet(Ctx& ctx, uint32_t argv, uint32_t argv_buf) {
  GuestView guest(ctx.memory());
  return StoreStrings(guest, options_.args, argv, argv_buf);
}

Errno Preview1::ArgsSizesGet(Ctx& ctx, uint32_t argc_ptr,
                             uint32_t buf_size_ptr) {
  GuestView guest(ctx.memory());
  return StoreSizes(guest, options_.args, argc_ptr, buf_size_ptr);
}

Errno Preview1::EnvironGet(Ctx& ctx, uint32_t environ, uint32_t environ_buf) {
  GuestView guest(ctx.memory());
  return StoreStrings(guest, options_.env, environ, environ_buf);
}

Errno Preview1::EnvironSizesGet(Ctx& ctx, uint32_t count_ptr,
                                uint32_t buf_size_ptr) {
  GuestView guest(ctx.memory());
  return StoreSizes(guest, options_.env, count_ptr, buf_size_ptr);
}

Errno Preview1::ClockResGet(Ctx& ctx, uint32_t id, uint32_t res_ptr) {
  absl::StatusOr<uint64_t> res = options_.clock->Resolution(id);
  if (!res.ok()) return Errno::kInval;
  return GuestView(ctx.memory()).Store<uint64_t>(res_ptr, *res);
}

Errno Preview1::ClockTimeGet(Ctx& ctx, uint32_t id, uint64_t /*precision*/,
                             uint32_t time_ptr) {
  absl::StatusOr<uint64_t> now = options_.clock->Now(id);
  if (!now.ok()) return Errno::kInval;
  return GuestView(ctx.memory()).Store<uint64_t>(time_ptr, *now);
}

Errno Preview1::RandomGet(Ctx& ctx, uint32_t buf, uint32_t buf_len) {
  absl::Span<uint8_t> bytes;
  WASI_TRY(GuestView(ctx.memory()).Bytes(buf, buf_len, &bytes));
  return options_.random(bytes).ok() ? Errno::kSuccess : Errno::kIo;
}

void Preview1::ProcExit(Ctx& ctx, uint32_t code) {
  ctx.RequestExit(static_cast<int32_t>(code));
}

Errno Preview1::ProcRaise(Ctx& /*ctx*/, uint32_t /*sig*/) {
  return Errno::kNosys;
}

Errno Preview1::SchedYield(Ctx& /*ctx*/) {
  sched_yield();
  return Errno::kSuccess;
}

Errno Preview1::SocketCall(uint32_t fd) const {
  FdEntry* entry = fds_.Get(fd);
  if (entry == nullptr) return Errno::kBadf;
  if (entry->filetype == abi::Filetype::kSocketStream ||
      entry->filetype == abi::Filetype::kSocketDgram) {
    return Errno::kNotsup;
  }
  return Errno::kNotsock;
}

Errno Preview1::SockAccept(Ctx& /*ctx*/, uint32_t fd, uint32_t /*flags*/,
                           uint32_t /*fd_ptr*/) {
  return SocketCall(fd);
}

Errno Preview1::SockRecv(Ctx& /*ctx*/, uint32_t fd, uint32_t /*ri_data*/,
                         uint32_t /*ri_data_len*/, uint32_t /*ri_flags*/,
                         uint32_t /*ro_datalen_ptr*/,
                         uint32_t /*ro_flags_ptr*/) {
  return SocketCall(fd);
}

Errno Preview1::SockSend(Ctx& /*ctx*/, uint32_t fd, uint32_t /*si_data*/,
                         uint32_t /*si_data_len*/, uint32_t /*si_flags*/,
                         uint32_t /*so_datalen_ptr*/) {
  return SocketCall(fd);
}

Errno Preview1::SockShutdown(Ctx& /*ctx*/, uint32_t fd, uint32_t /*how*/) {
  return SocketCall(fd);
}

}  // namespace wasmhpc::wasi
