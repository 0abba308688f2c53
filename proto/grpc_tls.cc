#include "proto/grpc_tls.h"

#include <fcntl.h>
#include <grpcpp/security/credentials.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc {
namespace {

// PEM files are small; anything larger is not one.
constexpr off_t kMaxPemBytes = 1 << 20;

absl::Status Problem(absl::string_view flag, const std::string& path,
                     absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": ", what));
}

absl::StatusOr<std::string> ReadSmallFile(absl::string_view flag,
                                          const std::string& path) {
  auto cannot = [&](int error) {
    return Problem(flag, path,
                   absl::StrCat("cannot read it (", std::strerror(error), ")"));
  };
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cannot(errno);
  struct stat info;
  if (fstat(fd, &info) != 0) {
    int error = errno;
    close(fd);
    return cannot(error);
  }
  if (!S_ISREG(info.st_mode)) {
    close(fd);
    return S_ISDIR(info.st_mode) ? cannot(EISDIR)
                                 : Problem(flag, path, "not a regular file");
  }
  if (info.st_size > kMaxPemBytes) {
    close(fd);
    return Problem(flag, path, "over 1 MiB: not a PEM file");
  }
  std::string text(info.st_size, '\0');
  size_t at = 0;
  while (at < text.size()) {
    ssize_t n = read(fd, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = n < 0 ? errno : EIO;
      close(fd);
      return cannot(error);
    }
    at += n;
  }
  close(fd);
  return text;
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(
      BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Refuses every passphrase prompt: an encrypted key is an error.
int NoPassphrase(char*, int, int, void*) { return 0; }

std::unique_ptr<X509, X509Free> FirstCertificate(const std::string& pem) {
  auto bio = MemoryBio(pem);
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  return cert;
}

std::unique_ptr<EVP_PKEY, KeyFree> PrivateKey(const std::string& pem) {
  auto bio = MemoryBio(pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  return key;
}

}  // namespace

absl::StatusOr<std::string> ReadPemCertificates(absl::string_view flag,
                                                const std::string& path) {
  absl::StatusOr<std::string> text = ReadSmallFile(flag, path);
  if (!text.ok()) return text.status();
  if (FirstCertificate(*text) == nullptr) {
    return Problem(flag, path, "no PEM certificate in it");
  }
  return text;
}

absl::StatusOr<std::string> ReadPemPrivateKey(absl::string_view flag,
                                              const std::string& path) {
  absl::StatusOr<std::string> text = ReadSmallFile(flag, path);
  if (!text.ok()) return text.status();
  if (PrivateKey(*text) == nullptr) {
    return Problem(flag, path, "no unencrypted PEM private key in it");
  }
  return text;
}

absl::Status CheckKeyMatchesCertificate(absl::string_view cert_flag,
                                        const std::string& cert_path,
                                        const std::string& cert_pem,
                                        absl::string_view key_flag,
                                        const std::string& key_path,
                                        const std::string& key_pem) {
  auto cert = FirstCertificate(cert_pem);
  auto key = PrivateKey(key_pem);
  bool match = cert != nullptr && key != nullptr &&
               X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (match) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(key_flag, " ", key_path,
                                                 " is not the private key of ",
                                                 cert_flag, " ", cert_path));
}

absl::StatusOr<ClientTls> LoadClientTls(const ClientTlsFiles& files) {
  ClientTls tls;
  tls.enabled = files.tls || !files.ca_file.empty() ||
                !files.cert_file.empty() || !files.key_file.empty();
  if (!files.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPemCertificates("--ca", files.ca_file);
    if (!ca.ok()) return ca.status();
    tls.root_certs = *std::move(ca);
  }
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(
        files.cert_file.empty()
            ? "--tls-key needs --tls-cert (the client certificate)"
            : "--tls-cert needs --tls-key (the certificate's private key)");
  }
  if (files.cert_file.empty()) return tls;
  absl::StatusOr<CertAndKey> pair =
      ReadCertAndKey(files.cert_file, files.key_file);
  if (!pair.ok()) return pair.status();
  tls.cert_chain = std::move(pair->cert_chain);
  tls.private_key = std::move(pair->private_key);
  return tls;
}

absl::StatusOr<CertAndKey> ReadCertAndKey(const std::string& cert_path,
                                          const std::string& key_path) {
  absl::StatusOr<std::string> cert =
      ReadPemCertificates("--tls-cert", cert_path);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemPrivateKey("--tls-key", key_path);
  if (!key.ok()) return key.status();
  if (absl::Status match = CheckKeyMatchesCertificate(
          "--tls-cert", cert_path, *cert, "--tls-key", key_path, *key);
      !match.ok()) {
    return match;
  }
  return CertAndKey{*std::move(cert), *std::move(key)};
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(
    const ClientTls& tls) {
  if (!tls.enabled) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls.root_certs;
  options.pem_cert_chain = tls.cert_chain;
  options.pem_private_key = tls.private_key;
  return grpc::SslCredentials(options);
}

}  // namespace wasmhpc
