// Test-only JWTs made at test time: key pairs made with OpenSSL and tokens
// signed by Debian's libjwt, so JWT tests need no key files in the tree and
// no openssl command.
//
// Thread safety: thread safe.
#ifndef WASMHPC_SERVER_AUTH_TEST_JWT_H_
#define WASMHPC_SERVER_AUTH_TEST_JWT_H_

#include <string>

namespace wasmhpc::testing {

// A key pair, PEM: the private key (PKCS#8) and the public key
// ("-----BEGIN PUBLIC KEY-----").
struct TestKeyPair {
  std::string private_pem;
  std::string public_pem;
};

// A new RSA key pair of `bits` bits.
TestKeyPair MakeTestRsaKey(int bits = 2048);

// A new EC key pair on `curve` ("P-256", "P-384").
TestKeyPair MakeTestEcKey(const char* curve = "P-256");

// A compact JWT of `claims` (a JSON object) signed with `alg` ("HS256",
// "HS512", "RS256", "ES256", ... or "none") and `key` (the secret or the
// private key PEM; ignored for "none"). "" when libjwt refuses.
std::string MintTestJwt(const std::string& alg, const std::string& key,
                        const std::string& claims);

}  // namespace wasmhpc::testing

#endif  // WASMHPC_SERVER_AUTH_TEST_JWT_H_
