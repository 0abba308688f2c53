#!/usr/bin/env python3
"""Generates the guest MPI ABI's code from its table (sdk/abi/mpi_abi.txt).

Usage: gen_mpi_abi.py TABLE sdk DIR       DIR/mpi_constants.h, mpi_functions.h
       gen_mpi_abi.py TABLE bridge FILE   the bridge's constants and tables
       gen_mpi_abi.py TABLE check-c FILE  a guest printing every constant
       gen_mpi_abi.py TABLE imports FILE  every function name, one a line
                                          (wasm-ld --allow-undefined-file)
The table's grammar is described at its top. The SDK headers and the SDK's
import list (sdk/lib/mpi_imports.txt) are committed
(the SDK is used from the source tree, with no build step); the other
outputs go to the build tree. A file is written only when its text changes,
so a table edit recompiles only what it changes.
"""
import os
import re
import sys

# One table line: kind, the fields after it, and its flags.
CONST_KINDS = ("enum", "define", "cast", "alias")
FN_FLAGS = ("fast", "unsupported")


class Entry:
    def __init__(self, kind, **fields):
        self.kind = kind
        self.__dict__.update(fields)


def logical_lines(path):
    """Yields (line number, text), joining continuation lines."""
    pending = None
    for number, raw in enumerate(open(path), 1):
        line = raw.rstrip("\n")
        if line.startswith((" ", "\t")) and line.strip():
            if pending is None:
                sys.exit("%s:%d: continuation of nothing" % (path, number))
            pending = (pending[0], pending[1] + " " + line.strip())
            continue
        if pending:
            yield pending
        pending = (number, line) if line.strip() else None
    if pending:
        yield pending


def parse_fn(rest):
    words = rest.split()
    flags = []
    while words and words[0] in FN_FLAGS:
        flags.append(words.pop(0))
    m = re.match(r"(.+?)\s*\b(MPI_\w+)\((.*)\)$", " ".join(words))
    if not m:
        raise ValueError("bad fn line")
    ret, name, params = m.groups()
    return Entry("fn", ret=ret, name=name, params=params, flags=flags)


def parse_line(text):
    if text.startswith("## "):
        return Entry("section", text=text[3:].strip())
    if text.startswith("#:"):
        return Entry("note", text=text[2:].strip())
    if text.startswith("#"):
        return None
    kind, _, rest = text.partition(" ")
    words = rest.split()
    if kind == "fn":
        return parse_fn(rest)
    if kind in ("enum", "define") and len(words) == 2:
        return Entry(kind, name=words[0], value=words[1], flags=[])
    if kind == "cast" and len(words) == 3:
        return Entry(kind, ctype=words[0], name=words[1], value=words[2],
                     flags=[])
    if kind == "range" and len(words) == 3:
        return Entry(kind, ctype=words[0], first=words[1], last=words[2])
    if kind == "alias" and len(words) in (2, 3):
        return Entry(kind, name=words[0], target=words[1], flags=words[2:])
    raise ValueError("unknown line")


def parse(path):
    entries, names = [], set()
    for number, text in logical_lines(path):
        try:
            entry = parse_line(text.strip())
        except ValueError as e:
            sys.exit("%s:%d: %s: %s" % (path, number, e, text))
        if entry is None:
            continue
        name = getattr(entry, "name", None)
        if name in names:
            sys.exit("%s:%d: %s listed twice" % (path, number, name))
        if name:
            names.add(name)
        if entry.kind == "alias" and entry.target not in names:
            sys.exit("%s:%d: alias of unknown %s" % (path, number,
                                                     entry.target))
        entries.append(entry)
    check_ranges(path, entries)
    return entries


def check_ranges(path, entries):
    """Every predefined handle lies in its kind's range."""
    ranges = {e.ctype: (int(e.first, 0), int(e.last, 0))
              for e in entries if e.kind == "range"}
    for e in entries:
        if e.kind == "cast" and e.ctype in ranges:
            first, last = ranges[e.ctype]
            if not first <= int(e.value, 0) <= last:
                sys.exit("%s: %s is outside the %s range" %
                         (path, e.name, e.ctype))


def constants(entries):
    return [e for e in entries if e.kind in CONST_KINDS]


def functions(entries):
    return [e for e in entries if e.kind == "fn"]


def value_of(entry, by_name):
    """The constant's integer value (aliases resolved)."""
    while entry.kind == "alias":
        entry = by_name[entry.target]
    return int(entry.value, 0)


# ---- The SDK headers (C, included by <mpi.h>). ----

HEADER_START = """\
/* GENERATED from sdk/abi/mpi_abi.txt by sdk/abi/gen_mpi_abi.py: edit the
 * table, not this file. %s
 * Included by <mpi.h> only. */
#ifndef WASMHPC_MPI_H_INSIDE_
#error "include <mpi.h> instead of this file"
#endif
/* clang-format off */
"""


def c_type(ctype):
    base = ctype.rstrip("*")
    stars = ctype[len(base):]
    return base + (" " + stars if stars else "")


def c_comment(texts, indent=""):
    body = ("\n" + indent + " * ").join(texts)
    return indent + "/* " + body + " */"


def sdk_constants(entries):
    out = [(HEADER_START % "The guest MPI ABI's constants.").rstrip()]
    in_enum, notes, enum_items = False, [], []

    def close_enum():
        nonlocal in_enum
        if in_enum:
            # No comma after the last enumerator (C89 style).
            for i in range(len(enum_items) - 1, -1, -1):
                if not enum_items[i].lstrip().startswith("/*"):
                    enum_items[i] = enum_items[i].rstrip(",")
                    break
            out.extend(enum_items)
            out.append("};")
            enum_items.clear()
            in_enum = False

    for e in entries:
        if e.kind in ("fn", "range"):
            continue
        if e.kind == "note":
            notes.append(e.text)
            continue
        if e.kind == "section":
            close_enum()
            out.append("\n/* ---- %s ---- */" % e.text)
            continue
        if e.kind == "enum":
            if not in_enum:
                out.append("enum {")
                in_enum = True
            if notes:
                if enum_items:
                    enum_items.append("")
                enum_items.append(c_comment(notes, "  "))
                notes = []
            enum_items.append("  %s = %s," % (e.name, e.value))
            continue
        close_enum()
        if notes:
            out.append(c_comment(notes))
            notes = []
        if e.kind == "define":
            out.append("#define %s %s" % (e.name, e.value))
        elif e.kind == "cast":
            out.append("#define %s ((%s)%s)" % (e.name, c_type(e.ctype),
                                                e.value))
        elif e.kind == "alias":
            out.append("#define %s %s" % (e.name, e.target))
    close_enum()
    return "\n".join(out) + "\n"


def wrap_params(head, params, indent):
    """head + "(" + params + "));", wrapped at 80 columns like clang-format."""
    parts = [p.strip() for p in params.split(",")]
    one = "%s(%s));" % (head, ", ".join(parts))
    if len(one) <= 80:
        return [one]
    lines, cur = [], head.rstrip() + "\n" + indent + "("
    first = True
    for i, p in enumerate(parts):
        piece = p + (", " if i < len(parts) - 1 else "));")
        width = len(cur.split("\n")[-1]) + len(piece.rstrip())
        if width > 80 and not first:
            lines.append(cur.rstrip())
            cur = indent + " "
        cur += piece
        first = False
    lines.append(cur)
    return "\n".join(lines).split("\n")


def sdk_functions(entries):
    out = [(HEADER_START % "Every MPI function, the import env.<name>.")
           .rstrip()]
    notes = []
    for e in entries:
        if e.kind == "section":
            out.append("\n/* ---- %s ---- */" % e.text)
        elif e.kind == "note":
            notes.append(e.text)
        elif e.kind == "fn":
            if notes:
                out.append(c_comment(notes))
                notes = []
            head = "WASMHPC_MPI_FN(%s, %s, " % (e.ret, e.name)
            out.extend(wrap_params(head, e.params, " " * 15))
    return "\n".join(out) + "\n"


def split_sections(entries):
    """(constant entries, function entries), each with its sections."""
    first_fn = next(i for i, e in enumerate(entries) if e.kind == "fn")
    start = max(i for i in range(first_fn) if entries[i].kind == "section")
    return entries[:start], entries[start:]


# ---- The bridge header (C++, included by mpi-bridge/abi.h). ----

def cxx_name(name):
    """MPI_FOO_BAR -> kFooBar; MPI_2INT -> k2Int."""
    parts = name[len("MPI_"):].lower().split("_")
    return "k" + "".join(re.sub(r"[a-z]", lambda m: m.group(0).upper(), p, 1)
                         for p in parts)


def cxx_type(entry):
    if entry.kind in ("enum", "define"):
        return "int32_t"
    if entry.ctype.endswith("*"):
        return "Ptr"
    if entry.ctype == "MPI_Offset":
        return "int64_t"
    return "Handle"


# Wasm value types of C types on wasm32: i32, i64 or f64.
def wasm_type(param):
    param = param.strip()
    if param in ("void", ""):
        return ""
    if param == "..." or "*" in param or "[" in param:
        return "i"  # pointers; a variadic list is a pointer too
    words = re.sub(r"\bconst\b", "", param).split()
    ctype = " ".join(words[:-1]) if len(words) > 1 else words[0]
    if ctype in ("MPI_Offset", "MPI_Count", "int64_t", "long long"):
        return "I"
    if ctype == "double":
        return "F"
    if ctype == "float":
        return "f"
    return "i"


def bridge_header(entries):
    by_name = {e.name: e for e in constants(entries)}
    out = ["// GENERATED from sdk/abi/mpi_abi.txt by sdk/abi/gen_mpi_abi.py:",
           "// edit the table, not this file. Included by mpi-bridge/abi.h.",
           "#ifndef WASMHPC_MPI_BRIDGE_ABI_TABLE_H_",
           "#define WASMHPC_MPI_BRIDGE_ABI_TABLE_H_", "",
           "#include <cstdint>", "#include <string_view>", "",
           "namespace wasmhpc::mpi::abi {"]
    for e in split_sections(entries)[0]:
        if e.kind == "section":
            out.append("\n// ---- %s ----" % e.text)
        elif e.kind == "range":
            kind = e.ctype[len("MPI_"):]
            out.append("inline constexpr Handle kFirst%s = %s, kLast%s = %s;" %
                       (kind, e.first, kind, e.last))
        elif e.kind == "alias":
            out.append("inline constexpr auto %s = %s;" %
                       (cxx_name(e.name), cxx_name(e.target)))
        elif e.kind in ("enum", "define", "cast"):
            out.append("inline constexpr %s %s = %s;" %
                       (cxx_type(e), cxx_name(e.name), e.value))
    out += ["", "// Predefined datatypes by name (MPI_Type_get_name).",
            "struct DatatypeName {", "  Handle handle;",
            "  std::string_view name;", "};",
            "inline constexpr DatatypeName kDatatypeNames[] = {"]
    names = {}
    for e in constants(entries):
        if (e.kind == "cast" and e.ctype == "MPI_Datatype" and
                not e.name.endswith("_NULL")):
            names.setdefault(value_of(e, by_name), e.name)
        elif e.kind == "alias" and "type_name" in e.flags:
            names[value_of(e, by_name)] = e.name
    out += ['    {0x%x, "%s"},' % (v, n) for v, n in sorted(names.items())]
    out += ["};", "", "// Every function a guest may import from env: its",
            "// Wasm signature (i = i32, I = i64, F = f64) and table flags.",
            "struct Function {", "  std::string_view name;",
            "  std::string_view params;", "  std::string_view results;",
            "  bool fast;", "  bool supported;", "};",
            "inline constexpr Function kFunctions[] = {"]
    for f in functions(entries):
        params = "".join(wasm_type(p) for p in f.params.split(","))
        out.append('    {"%s", "%s", "%s", %s, %s},' % (
            f.name, params, wasm_type(f.ret + " r"),
            str("fast" in f.flags).lower(),
            str("unsupported" not in f.flags).lower()))
    out += ["};", "", "// The fast calls (see mpi-bridge/call.h), sorted.",
            "inline constexpr std::string_view kFastCalls[] = {"]
    out += ['    "%s",' % n for n in
            sorted(f.name for f in functions(entries) if "fast" in f.flags)]
    out += ["};", "", "}  // namespace wasmhpc::mpi::abi", "",
            "#endif  // WASMHPC_MPI_BRIDGE_ABI_TABLE_H_"]
    return "\n".join(out) + "\n"


# ---- The guest that prints every constant (tests/sdk). ----

def check_c(entries):
    out = ["/* GENERATED by sdk/abi/gen_mpi_abi.py: prints every constant of",
           " * sdk/abi/mpi_abi.txt as <mpi.h> defines it, \"NAME VALUE\". */",
           "#include <mpi.h>", "#include <stdint.h>", "#include <stdio.h>",
           "", "#define SHOW(name, value) printf(\"%s %lld\\n\", name, "
           "(long long)(value))", "", "int main(void) {"]
    for e in constants(entries):
        expr = e.name
        if e.kind == "cast" and e.ctype != "MPI_Offset":
            expr = "(intptr_t)%s" % e.name
        out.append('  SHOW("%s", %s);' % (e.name, expr))
    out += ["  return 0;", "}"]
    return "\n".join(out) + "\n"


def import_list(entries):
    """wasm-ld's --allow-undefined-file: every function, supported or not
    (the bridge names the unsupported ones a module imports)."""
    out = ["# GENERATED from sdk/abi/mpi_abi.txt by sdk/abi/gen_mpi_abi.py.",
           "# The MPI functions wasmhpc-cc lets stay undefined, as imports",
           "# env.<name>, when a program declares them without <mpi.h>."]
    return "\n".join(out + [f.name for f in functions(entries)]) + "\n"


def expected_values(entries):
    """{name: value} of every constant in the table."""
    by_name = {e.name: e for e in constants(entries)}
    return {n: value_of(e, by_name) for n, e in by_name.items()}


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_if_changed(path, text):
    try:
        if open(path).read() == text:
            return
    except FileNotFoundError:
        pass
    write(path, text)


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    table, what, out = argv[1:]
    entries = parse(table)
    if what == "sdk":
        consts, fns = split_sections(entries)
        write_if_changed(os.path.join(out, "mpi_constants.h"),
                         sdk_constants(consts))
        write_if_changed(os.path.join(out, "mpi_functions.h"),
                         sdk_functions(fns))
    elif what == "bridge":
        write_if_changed(out, bridge_header(entries))
    elif what == "check-c":
        write_if_changed(out, check_c(entries))
    elif what == "imports":
        write_if_changed(out, import_list(entries))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
