// The OpenAPI 3.0 document of the head's REST API: server/rest/openapi.json,
// embedded into the binary at build time (see CMakeLists.txt) and served at
// GET /v1/openapi.json.
#ifndef WASMHPC_SERVER_REST_OPENAPI_H_
#define WASMHPC_SERVER_REST_OPENAPI_H_

namespace wasmhpc::server {

extern const char kOpenApiJson[];

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_OPENAPI_H_
