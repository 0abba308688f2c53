// SharedBytes: an immutable byte string shared by reference.
//
// What CacheStore reads return: a view into a buffer kept alive by a
// shared owner, so a module or compiled code blob read from the store is not
// copied again when the payload is cut out of its stored envelope, and copies
// of a SharedBytes are cheap (one reference count).
//
// Thread safety: the bytes never change; a SharedBytes may be read from any
// number of threads. Copying/assigning one object from two threads at once
// needs external synchronization, like std::shared_ptr.
// Lifetime: the bytes stay valid while any copy lives, also after the store
// that returned them is destroyed.
#ifndef WASMHPC_CACHE_STORE_SHARED_BYTES_H_
#define WASMHPC_CACHE_STORE_SHARED_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace wasmhpc {

class SharedBytes {
 public:
  // Empty: size() == 0.
  SharedBytes() = default;

  // Takes ownership of `bytes`.
  explicit SharedBytes(std::string bytes)
      : SharedBytes(std::make_shared<const std::string>(std::move(bytes))) {}

  // Shares `owner` and views all of it. REQUIRES: owner != nullptr.
  explicit SharedBytes(std::shared_ptr<const std::string> owner)
      : data_(owner->data()), size_(owner->size()), owner_(std::move(owner)) {}

  // Shares `owner` and views `[offset, offset + size)` of it.
  // REQUIRES: owner != nullptr, offset + size <= owner->size().
  SharedBytes(std::shared_ptr<const std::string> owner, size_t offset,
              size_t size)
      : data_(owner->data() + offset), size_(size), owner_(std::move(owner)) {}

  // Views `bytes`, which `owner` (of any type) keeps alive and unchanged,
  // e.g. a value pinned in a store's buffer. REQUIRES: owner != nullptr.
  SharedBytes(std::shared_ptr<const void> owner, absl::string_view bytes)
      : data_(bytes.data()), size_(bytes.size()), owner_(std::move(owner)) {}

  // The same owner, viewing `[offset, offset + size)` of these bytes.
  // REQUIRES: offset + size <= this->size().
  SharedBytes Slice(size_t offset, size_t size) const {
    SharedBytes part = *this;
    part.data_ += offset;
    part.size_ = size;
    return part;
  }

  const uint8_t* data() const {
    return reinterpret_cast<const uint8_t*>(data_);
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  absl::Span<const uint8_t> span() const { return {data(), size_}; }
  absl::string_view view() const { return {data_, size_}; }
  // Copies the bytes out.
  std::string ToString() const { return std::string(data_, size_); }

 private:
  const char* data_ = "";
  size_t size_ = 0;
  std::shared_ptr<const void> owner_;
};

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_SHARED_BYTES_H_
