// TLS for the gRPC channels of the head, the pool and the CLI: PEM files
// read and checked once (errors name the flag and the file), and the
// channel credentials a client builds from them.
//
//   absl::StatusOr<ClientTls> tls = LoadClientTls({.ca_file = "ca.pem"});
//   auto channel = grpc::CreateChannel(target, ChannelCredentials(*tls));
//
// Thread safety: the functions are thread safe; they read only their files.
#ifndef WASMHPC_PROTO_GRPC_TLS_H_
#define WASMHPC_PROTO_GRPC_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grpc {
class ChannelCredentials;
}

namespace wasmhpc {

// The text of a PEM file holding one or more certificates (a certificate
// chain, or CA certificates). `flag` names the option that gave `path`.
// InvalidArgument "FLAG PATH: cannot read it (REASON)" or "FLAG PATH: no PEM
// certificate in it".
absl::StatusOr<std::string> ReadPemCertificates(absl::string_view flag,
                                                const std::string& path);

// The text of a PEM file holding an unencrypted private key (never prompts
// for a passphrase). InvalidArgument "FLAG PATH: cannot read it (REASON)" or
// "FLAG PATH: no unencrypted PEM private key in it".
absl::StatusOr<std::string> ReadPemPrivateKey(absl::string_view flag,
                                              const std::string& path);

// OK when `key_pem` is the private key of the first certificate of
// `cert_pem`; else InvalidArgument naming both flags and files.
absl::Status CheckKeyMatchesCertificate(absl::string_view cert_flag,
                                        const std::string& cert_path,
                                        const std::string& cert_pem,
                                        absl::string_view key_flag,
                                        const std::string& key_path,
                                        const std::string& key_pem);

// A certificate chain and its private key, as PEM text.
struct CertAndKey {
  std::string cert_chain;
  std::string private_key;
};

// Reads --tls-cert `cert_path` and --tls-key `key_path` and checks that the
// key is the certificate's (the three functions above, in that order).
absl::StatusOr<CertAndKey> ReadCertAndKey(const std::string& cert_path,
                                          const std::string& key_path);

// A client's TLS choice, as given on its command line.
struct ClientTlsFiles {
  // --tls: TLS, trusting the system's root certificates. Default: false.
  bool tls = false;
  // --ca FILE: TLS, trusting the CA certificates in FILE (implies tls).
  // Default: "" (the system roots).
  std::string ca_file;
  // --tls-cert FILE and --tls-key FILE: a client certificate and its key,
  // both or neither (imply tls). Default: "" (none).
  std::string cert_file;
  std::string key_file;
};

// A client's TLS material, read. Default: plaintext.
struct ClientTls {
  // False: plaintext (insecure) channel credentials.
  bool enabled = false;
  // PEM. Empty root_certs: gRPC's default roots (the system's).
  std::string root_certs;
  std::string cert_chain;
  std::string private_key;
};

// Reads the files of `files`. InvalidArgument naming the flag and the file
// that is missing, unreadable or not PEM; when only one of cert_file and
// key_file is given; or when the key does not match the certificate.
absl::StatusOr<ClientTls> LoadClientTls(const ClientTlsFiles& files);

// Channel credentials for `tls`: SSL credentials when enabled, else
// insecure ones.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(
    const ClientTls& tls);

}  // namespace wasmhpc

#endif  // WASMHPC_PROTO_GRPC_TLS_H_
