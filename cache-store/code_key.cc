#include "cache-store/code_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc {
namespace {

constexpr size_t kMinKeyBytes = 32;
constexpr absl::string_view kContext("wasmhpc-code-v1\0", 16);

absl::Status FileError(const std::string& path) {
  std::string message = absl::StrCat(path, ": ", std::strerror(errno));
  return errno == EACCES ? absl::PermissionDeniedError(message)
                         : absl::NotFoundError(message);
}

}  // namespace

absl::StatusOr<CodeKey> CodeKey::FromFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return FileError(path);
  if (st.st_mode & S_IROTH) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": the code key is readable by every user; chmod 600 it"));
  }
  std::ifstream in(path);
  if (!in) return FileError(path);
  std::string line;
  std::getline(in, line);
  line = std::string(absl::StripAsciiWhitespace(line));
  bool hex = line.size() % 2 == 0 && !line.empty();
  for (char c : line) hex = hex && absl::ascii_isxdigit(c);
  if (!hex || line.size() < 2 * kMinKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": a code key is ", 2 * kMinKeyBytes,
        " or more hex digits on the first line (make one with: openssl rand "
        "-hex 32)"));
  }
  return CodeKey(absl::HexStringToBytes(line));
}

absl::StatusOr<CodeKey> CodeKey::LoadOrCreate(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    unsigned char bytes[kMinKeyBytes];
    bool made = RAND_bytes(bytes, sizeof bytes) == 1;
    std::string text =
        absl::StrCat(absl::BytesToHexString(absl::string_view(
                         reinterpret_cast<char*>(bytes), sizeof bytes)),
                     "\n");
    bool written = made &&
                   write(fd, text.data(), text.size()) ==
                       static_cast<ssize_t>(text.size()) &&
                   fsync(fd) == 0;
    close(fd);
    if (!written) {
      unlink(path.c_str());
      return absl::InternalError(
          absl::StrCat(path, ": cannot write a new code key"));
    }
  } else if (errno != EEXIST) {
    return FileError(path);
  }
  return FromFile(path);
}

CodeKey CodeKey::FromBytes(std::string bytes) {
  return CodeKey(std::move(bytes));
}

std::string CodeKey::Sign(absl::string_view digest,
                          absl::string_view fingerprint,
                          absl::string_view code) const {
  unsigned char code_hash[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(code.data()), code.size(),
         code_hash);
  std::string message = absl::StrCat(
      kContext, digest, absl::string_view("\0", 1), fingerprint,
      absl::string_view("\0", 1),
      absl::string_view(reinterpret_cast<char*>(code_hash), sizeof code_hash));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

bool CodeKey::Verify(absl::string_view digest, absl::string_view fingerprint,
                     absl::string_view code,
                     absl::string_view signature) const {
  std::string expected = Sign(digest, fingerprint, code);
  return signature.size() == expected.size() &&
         CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

}  // namespace wasmhpc
