// What a C++ throw does in a wasmhpc guest; linked into every module that
// wasmhpc-c++ links.
//
// Debian's wasm32 libc++abi (14, and 19 as well) is built without exception
// support: it has no __cxa_throw, no personality routine and no unwinder, so
// no catch clause can run. wasmhpc-c++ still compiles with -fexceptions, so
// code that throws compiles unmodified: LLVM's WebAssembly backend then lowers
// every try to plain calls (the handlers are dropped), and a throw ends the
// program here as an uncaught exception ends a native one, naming the type
// and, for a std::exception, what(); abort() then traps. --gc-sections
// keeps this file out of modules that never throw, but libc++'s headers
// throw from most containers: about 8 KB in a typical C++ module.
#include <cxxabi.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <typeinfo>

namespace __cxxabiv1 {
// The interface of libc++abi's private __shim_type_info (its
// private_typeinfo.h), the base of every std::type_info the compiler
// emits: can_catch is what a catch clause asks.
class __shim_type_info : public std::type_info {
 public:
  ~__shim_type_info() override;
  virtual void noop1() const;
  virtual void noop2() const;
  virtual bool can_catch(const __shim_type_info* thrown_type,
                         void*& adjusted) const = 0;
};
}  // namespace __cxxabiv1

namespace {

// A type's name, built up in a fixed buffer (no allocation).
struct Name {
  char text[256] = {};
  size_t len = 0;
  void Add(const char* s, size_t n) {
    n = std::min(n, sizeof text - 1 - len);
    std::memcpy(text + len, s, n);
    len += n;
    text[len] = '\0';
  }
  void Add(const char* s) { Add(s, std::strlen(s)); }
};

const char* BuiltinType(char code) {
  static constexpr struct {
    char code;
    const char* name;
  } kBuiltins[] = {{'v', "void"},
                   {'b', "bool"},
                   {'c', "char"},
                   {'a', "signed char"},
                   {'h', "unsigned char"},
                   {'s', "short"},
                   {'t', "unsigned short"},
                   {'i', "int"},
                   {'j', "unsigned int"},
                   {'l', "long"},
                   {'m', "unsigned long"},
                   {'x', "long long"},
                   {'y', "unsigned long long"},
                   {'f', "float"},
                   {'d', "double"},
                   {'e', "long double"}};
  for (const auto& b : kBuiltins) {
    if (b.code == code) return b.name;
  }
  return nullptr;
}

// <class> ::= [N] [St] (<length> <identifier>)+ [E], no templates. Debian's
// __cxa_demangle would add 180 KB to every C++ module (libc++'s headers
// throw), so the names exceptions mostly have are demangled here.
bool ClassName(const char*& m, Name& out) {
  bool nested = *m == 'N';
  if (nested) ++m;
  bool first = true;
  if (m[0] == 'S' && m[1] == 't') {
    out.Add("std");
    m += 2;
    first = false;
  }
  do {
    char* end = nullptr;
    unsigned long n = std::strtoul(m, &end, 10);
    if (end == m || n == 0 || strnlen(end, n) < n) return false;
    if (!first) out.Add("::");
    out.Add(end, n);
    m = end + n;
    first = false;
  } while (nested && *m != 'E' && *m != '\0');
  if (nested && *m++ != 'E') return false;
  return true;
}

// <type> ::= <builtin> | P <type> | K <type> | <class>, as GCC prints it.
bool TypeName(const char*& m, Name& out) {
  if (*m == 'P' || *m == 'K') {
    const char* suffix = *m++ == 'P' ? "*" : " const";
    if (!TypeName(m, out)) return false;
    out.Add(suffix);
    return true;
  }
  if (const char* builtin = BuiltinType(*m)) {
    out.Add(builtin);
    ++m;
    return true;
  }
  return ClassName(m, out);
}

// Prints what a native program prints for an uncaught exception of type
// `type` (none: terminate without one), after a line saying why, and traps.
[[noreturn]] void Terminate(const char* type, const char* what) {
  std::fputs(
      "wasmhpc: C++ exceptions cannot be caught in a Wasm guest (see the "
      "SDK's README): the program ends at its first throw\n",
      stderr);
  if (type == nullptr) {
    std::fputs("terminate called without an active exception\n", stderr);
  } else {
    std::fprintf(stderr,
                 "terminate called after throwing an instance of '%s'\n", type);
  }
  if (what != nullptr) std::fprintf(stderr, "  what():  %s\n", what);
  std::abort();
}

}  // namespace

extern "C" {

void* __cxa_allocate_exception(size_t thrown_size) throw() {
  // Aligned for any type, as native.
  constexpr size_t kAlign = 16;
  void* p = aligned_alloc(kAlign, (thrown_size + kAlign - 1) / kAlign * kAlign);
  if (p == nullptr) Terminate("std::bad_alloc", "no memory for an exception");
  return p;
}

void __cxa_free_exception(void* thrown_exception) throw() {
  std::free(thrown_exception);
}

void __cxa_throw(void* thrown_exception, std::type_info* tinfo,
                 void (*)(void*)) {
  using __cxxabiv1::__shim_type_info;
  Name name;
  const char* mangled = tinfo->name();
  if (!TypeName(mangled, name) || *mangled != '\0') {
    name.len = 0;
    name.Add(tinfo->name());
    name.Add(" (mangled; c++filt -t demangles it)");
  }
  // What `catch (const std::exception& e)` would do.
  void* adjusted = thrown_exception;
  const auto* exception_type =
      static_cast<const __shim_type_info*>(&typeid(std::exception));
  bool is_exception = exception_type->can_catch(
      static_cast<const __shim_type_info*>(tinfo), adjusted);
  Terminate(name.text, is_exception
                           ? static_cast<std::exception*>(adjusted)->what()
                           : nullptr);
}

void __cxa_rethrow() {
  // No exception is ever being handled: a throw never reaches a catch.
  Terminate(nullptr, nullptr);
}

}  // extern "C"
