// C++ guest that throws as argv[1] says; a throw ends a Wasm guest with
// what a native program prints for an uncaught exception (the type and,
// for a std::exception, what()). "none" runs a try block that throws
// nothing and exits 0.
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace app {
// A user exception in a namespace, std::exception a non-first base.
struct Tagged {
  virtual ~Tagged() = default;
  int tag = 7;
};
struct Error : Tagged, std::exception {
  const char* what() const noexcept override { return "app failed"; }
};
}  // namespace app

[[noreturn]] void Rethrow() { throw; }

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "none";
  std::vector<int> values(3, 1);
  try {
    if (!std::strcmp(mode, "std")) {
      throw std::runtime_error("rank data is bad: " + std::to_string(argc));
    }
    if (!std::strcmp(mode, "int")) throw 42;
    if (!std::strcmp(mode, "text")) throw "plain text";
    if (!std::strcmp(mode, "custom")) throw app::Error();
    if (!std::strcmp(mode, "at")) values.at(static_cast<size_t>(argc) + 5) = 0;
  } catch (const std::exception& e) {
    std::printf("caught %s\n", e.what());  // natively; never in Wasm
    return 1;
  }
  if (!std::strcmp(mode, "rethrow")) Rethrow();
  std::printf("no exception: sum %d\n", values[0] + values[1] + values[2]);
  return 0;
}
