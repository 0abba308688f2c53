#include "mpi-bridge/guest_data.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace wasmhpc::mpi {

std::optional<std::string> ReadCString(Call& c, abi::Ptr p, size_t limit,
                                       const char* what) {
  uint64_t memory = c.host().memory().size();
  uint64_t available = p < memory ? memory - p : 0;
  uint64_t span = std::min<uint64_t>(available, uint64_t{limit} + 1);
  const char* text = static_cast<const char*>(c.Bytes(p, span, what));
  if (text == nullptr) return std::nullopt;
  const void* nul = std::memchr(text, '\0', span);
  if (nul != nullptr) return std::string(text, static_cast<const char*>(nul));
  if (span == uint64_t{limit} + 1) return std::string(text, span);
  c.Fail(abi::kErrBuffer,
         absl::StrFormat("%s at 0x%x is not NUL-terminated within linear "
                         "memory of %d bytes",
                         what, p, memory));
  return std::nullopt;
}

int32_t WriteCString(Call& c, abi::Ptr p, int32_t capacity,
                     absl::string_view text, abi::Ptr len, const char* what) {
  int32_t n = std::clamp<int32_t>(static_cast<int32_t>(text.size()), 0,
                                  std::max(capacity - 1, 0));
  char* out = c.Ref<char>(p, what, n + 1);
  if (out == nullptr) return c.error();
  if (len != 0 && !c.Write<int32_t>(len, n, "resultlen")) return c.error();
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
  return abi::kSuccess;
}

namespace {

const engine::FuncType kMallocType{{engine::ValType::kI32},
                                   {engine::ValType::kI32}};
const engine::FuncType kFreeType{{engine::ValType::kI32}, {}};

struct AllocatorIndices {
  uint32_t malloc_index;
  uint32_t free_index;
};

// `code`: NotFound if the module has no allocator record at all,
// FailedPrecondition if it has one that does not work.
absl::Status NoAllocator(absl::StatusCode code, absl::string_view why) {
  return absl::Status(
      code, absl::StrFormat("the module %s: it was not linked by the current "
                            "wasmhpc SDK; rebuild it with sdk/bin/wasmhpc-cc "
                            "or wasmhpc-c++",
                            why));
}

// The table indices of the guest's malloc and free (see kGuestAllocator).
absl::StatusOr<AllocatorIndices> FindAllocator(engine::HostContext& host) {
  absl::StatusOr<uint64_t> at = host.ExportedGlobal(kGuestAllocator);
  if (absl::IsNotFound(at.status())) {
    return NoAllocator(absl::StatusCode::kNotFound,
                       absl::StrCat("exports no ", kGuestAllocator));
  }
  if (!at.ok()) {
    return NoAllocator(absl::StatusCode::kFailedPrecondition,
                       at.status().message());
  }
  absl::StatusOr<absl::Span<uint8_t>> bytes =
      host.memory().Span(*at, sizeof(AllocatorIndices), kGuestAllocator);
  if (!bytes.ok()) {
    return NoAllocator(absl::StatusCode::kFailedPrecondition,
                       bytes.status().message());
  }
  AllocatorIndices indices;
  std::memcpy(&indices, bytes->data(), sizeof(indices));
  return indices;
}

// A failed call through the table: a trap stays a trap (Aborted); a wrong
// index or type means the module's allocator record is not the SDK's.
absl::Status CallFailed(const absl::Status& s) {
  if (s.code() == absl::StatusCode::kAborted) return s;
  return NoAllocator(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("has a broken ", kGuestAllocator, " (", s.message(), ")"));
}

}  // namespace

absl::StatusOr<abi::Ptr> GuestMalloc(engine::HostContext& host,
                                     uint32_t bytes) {
  absl::StatusOr<AllocatorIndices> fns = FindAllocator(host);
  if (!fns.ok()) return fns.status();
  absl::StatusOr<uint64_t> p =
      host.CallIndirect(fns->malloc_index, kMallocType, {bytes});
  if (!p.ok()) return CallFailed(p.status());
  if (*p == 0) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("guest malloc(%d) returned NULL", bytes));
  }
  return static_cast<abi::Ptr>(*p);
}

absl::Status GuestFree(engine::HostContext& host, abi::Ptr p) {
  absl::StatusOr<AllocatorIndices> fns = FindAllocator(host);
  if (!fns.ok()) return fns.status();
  absl::StatusOr<uint64_t> done =
      host.CallIndirect(fns->free_index, kFreeType, {p});
  return done.ok() ? absl::OkStatus() : CallFailed(done.status());
}

}  // namespace wasmhpc::mpi
