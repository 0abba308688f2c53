#include "server/auth/test_jwt.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <memory>

namespace wasmhpc::testing {
namespace {

std::string Pem(EVP_PKEY* key, bool is_private) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (is_private) {
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                             nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio.get(), key);
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size);
}

TestKeyPair PairOf(EVP_PKEY* key) {
  if (key == nullptr) return {};
  TestKeyPair pair{Pem(key, true), Pem(key, false)};
  EVP_PKEY_free(key);
  return pair;
}

}  // namespace

TestKeyPair MakeTestRsaKey(int bits) {
  return PairOf(EVP_RSA_gen(static_cast<unsigned int>(bits)));
}

TestKeyPair MakeTestEcKey(const char* curve) {
  return PairOf(EVP_EC_gen(curve));
}

std::string MintTestJwt(const std::string& alg, const std::string& key,
                        const std::string& claims) {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) return "";
  std::unique_ptr<jwt_t, decltype(&jwt_free)> owned(jwt, jwt_free);
  jwt_alg_t algorithm = jwt_str_alg(alg.c_str());
  bool none = algorithm == JWT_ALG_NONE;
  if (algorithm == JWT_ALG_INVAL ||
      jwt_add_grants_json(jwt, claims.c_str()) != 0 ||
      jwt_set_alg(
          jwt, algorithm,
          none ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
          none ? 0 : static_cast<int>(key.size())) != 0) {
    return "";
  }
  char* encoded = jwt_encode_str(jwt);
  if (encoded == nullptr) return "";
  std::string token = encoded;
  free(encoded);
  return token;
}

}  // namespace wasmhpc::testing
