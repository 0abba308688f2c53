// Test-only certificates made at test time with OpenSSL: a CA and leaf
// certificates it signs (for 127.0.0.1 and localhost), all PEM, so TLS tests
// need no files in the tree and no openssl command.
//
// Thread safety: thread safe.
#ifndef WASMHPC_PROTO_TEST_CERTS_H_
#define WASMHPC_PROTO_TEST_CERTS_H_

#include <string>

namespace wasmhpc::testing {

// A certificate and its private key (P-256), PEM.
struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA certificate named `name`, valid for a day.
TestCert MakeTestCa(const std::string& name);

// A certificate named `name` for DNS:localhost and IP:127.0.0.1, usable by
// servers and clients, signed by `ca`, valid for a day.
TestCert MakeTestLeaf(const TestCert& ca, const std::string& name);

// Writes `text` to `path` (replacing it); false on failure.
bool WriteTestFile(const std::string& path, const std::string& text);

}  // namespace wasmhpc::testing

#endif  // WASMHPC_PROTO_TEST_CERTS_H_
