#!/usr/bin/env python3
"""Lists the imports, exports and table elements of a WebAssembly module.

Usage: wasm_sections.py MODULE.wasm
Prints one line per entry:
  import <module>.<name> <kind>
  export <name> <kind>
  elem <table index> <function name or index>
Only the standard library is used, so tests need no extra package.
"""
import sys

KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


class Reader:
    """Cursor over a byte string with LEB128 decoding."""

    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uleb(self):
        return self.leb(signed=False)

    def leb(self, signed):
        """A LEB128 number; `signed`: two's complement (sleb)."""
        result, shift = 0, 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        if signed and b & 0x40:
            result -= 1 << shift
        return result

    def name(self):
        n = self.uleb()
        s = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s

    def skip_limits(self):
        flags = self.byte()
        self.uleb()
        if flags & 1:
            self.uleb()

    def i32_const_expr(self):
        """Reads `i32.const N; end` (what wasm-ld emits for offsets)."""
        if self.byte() != 0x41:
            raise ValueError("unsupported constant expression")
        result = self.leb(signed=True)
        if self.byte() != 0x0B:
            raise ValueError("unterminated constant expression")
        return result


def read_imports(r):
    out = []
    for _ in range(r.uleb()):
        module, name, kind = r.name(), r.name(), r.byte()
        if kind == 0:
            r.uleb()
        elif kind == 1:
            r.byte()
            r.skip_limits()
        elif kind == 2:
            r.skip_limits()
        elif kind == 3:
            r.byte()
            r.byte()
        else:
            r.uleb()
        out.append("%s.%s %s" % (module, name, KINDS.get(kind, kind)))
    return out


def read_exports(r):
    out = []
    for _ in range(r.uleb()):
        name, kind = r.name(), r.byte()
        r.uleb()
        out.append("%s %s" % (name, KINDS.get(kind, kind)))
    return out


def read_elems(r):
    """Active element segments of table 0 (flags 0), as (table index, func)."""
    out = []
    for _ in range(r.uleb()):
        flags = r.uleb()
        if flags != 0:
            raise ValueError("unsupported element segment flags %d" % flags)
        base = r.i32_const_expr()
        for i in range(r.uleb()):
            out.append((base + i, r.uleb()))
    return out


def function_names(data, pos, end):
    """Function index -> name from the 'name' custom section, if present."""
    r = Reader(data, pos)
    names = {}
    while r.pos < end:
        sub, size = r.byte(), r.uleb()
        stop = r.pos + size
        if sub == 1:
            for _ in range(r.uleb()):
                idx = r.uleb()
                names[idx] = r.name()
        r.pos = stop
    return names


def inspect(path):
    """Returns (imports, exports, elems) of the module at `path`:
    imports as "module.name kind", exports as "name kind", elems as
    (table index, function name or index)."""
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        raise ValueError("%s: not a WebAssembly module" % path)
    r = Reader(data, 8)
    imports, exports, elems, names = [], [], [], {}
    while r.pos < len(data):
        sid, size = r.byte(), r.uleb()
        end = r.pos + size
        if sid == 2:
            imports = read_imports(r)
        elif sid == 7:
            exports = read_exports(r)
        elif sid == 9:
            elems = read_elems(r)
        elif sid == 0:
            start = r.pos
            if r.name() == "name":
                names = function_names(data, r.pos, end)
            r.pos = start
        r.pos = end
    return imports, exports, [(i, names.get(f, f)) for i, f in elems]


def main(path):
    imports, exports, elems = inspect(path)
    lines = ["import " + i for i in imports] + ["export " + e for e in exports]
    lines += ["elem %d %s" % (i, f) for i, f in elems]
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
