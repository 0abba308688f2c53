#include "wasi/guest_view.h"

namespace wasmhpc::wasi {

Errno GuestView::Path(uint32_t ptr, uint32_t len, std::string* out) const {
  if (len > kMaxPathBytes) return Errno::kNametoolong;
  absl::Span<uint8_t> bytes;
  WASI_TRY(Bytes(ptr, len, &bytes));
  if (std::memchr(bytes.data(), '\0', bytes.size()) != nullptr) {
    return Errno::kInval;
  }
  out->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return Errno::kSuccess;
}

Errno GuestView::Iovecs(uint32_t iovs, uint32_t count,
                        std::vector<iovec>* out) const {
  if (count > kMaxIovecs) return Errno::kInval;
  absl::Span<uint8_t> array;
  WASI_TRY(Bytes(iovs, uint64_t{count} * abi::kIovecSize, &array));
  out->clear();
  out->reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* raw = array.data() + i * abi::kIovecSize;
    uint32_t buf, buf_len;
    std::memcpy(&buf, raw, 4);
    std::memcpy(&buf_len, raw + 4, 4);
    absl::Span<uint8_t> bytes;
    WASI_TRY(Bytes(buf, buf_len, &bytes));
    out->push_back(iovec{bytes.data(), bytes.size()});
  }
  return Errno::kSuccess;
}

}  // namespace wasmhpc::wasi
