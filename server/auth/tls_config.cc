#include "server/auth/tls_config.h"

#include "absl/status/status.h"
#include "proto/grpc_tls.h"

namespace wasmhpc::server {

absl::StatusOr<std::optional<ServerTls>> LoadServerTls(
    const ServerTlsFiles& files) {
  if (files.cert_file.empty() && files.key_file.empty()) {
    if (files.client_ca_file.empty()) return std::nullopt;
    return absl::InvalidArgumentError(
        "--tls-client-ca needs --tls-cert and --tls-key (client certificates "
        "are checked only over TLS)");
  }
  if (files.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert needs --tls-key (the certificate's private key, PEM)");
  }
  if (files.cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-key needs --tls-cert (the server's certificate chain, PEM)");
  }
  ServerTls tls;
  tls.files = files;
  absl::StatusOr<CertAndKey> pair =
      ReadCertAndKey(files.cert_file, files.key_file);
  if (!pair.ok()) return pair.status();
  tls.cert_chain = std::move(pair->cert_chain);
  tls.private_key = std::move(pair->private_key);
  if (!files.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca =
        ReadPemCertificates("--tls-client-ca", files.client_ca_file);
    if (!ca.ok()) return ca.status();
    tls.client_ca = *std::move(ca);
  }
  return tls;
}

}  // namespace wasmhpc::server
