// ServerTls: the head's TLS material from --tls-cert, --tls-key and
// --tls-client-ca, read and checked once at start. The gRPC server builds its
// credentials from the PEM text (HeadServer); the REST server can use the
// same files (their paths are kept too).
//
// Thread safety: LoadServerTls is thread safe; a ServerTls is a value.
#ifndef WASMHPC_SERVER_AUTH_TLS_CONFIG_H_
#define WASMHPC_SERVER_AUTH_TLS_CONFIG_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace wasmhpc::server {

// The files as given on the command line; "" when not given.
struct ServerTlsFiles {
  std::string cert_file;       // --tls-cert: the server's certificate chain
  std::string key_file;        // --tls-key: its private key
  std::string client_ca_file;  // --tls-client-ca: CAs of client certificates
};

struct ServerTls {
  // The paths, as given.
  ServerTlsFiles files;
  // The PEM text of the files (client_ca empty when not given).
  std::string cert_chain;
  std::string private_key;
  std::string client_ca;
  // True when clients may present a certificate, verified against client_ca.
  // Clients without one are still served (they use tokens).
  bool verify_client_certificates() const { return !client_ca.empty(); }
};

// nullopt when no file is given (the head speaks plaintext). Errors are
// InvalidArgument naming the flag and the file: --tls-cert without --tls-key
// (or the reverse), --tls-client-ca without both, a file that is missing,
// unreadable or holds no PEM certificate / unencrypted key, or a key that is
// not the certificate's.
absl::StatusOr<std::optional<ServerTls>> LoadServerTls(
    const ServerTlsFiles& files);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_AUTH_TLS_CONFIG_H_
