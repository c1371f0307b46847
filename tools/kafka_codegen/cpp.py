"""C++ expressions and statements for fields: version conditions, literals,
defaults, types, and the reader/writer calls of each field kind."""

import re

from common import INTEGERS, PRIMITIVES, fatal, intersect


def vcond(rng, ctx, var="v"):
    """A C++ condition that `var` is in `rng`, given that it is in `ctx`."""
    r = intersect(rng, ctx)
    if r is None:
        return "false"
    lo, hi = r
    conds = []
    if lo > ctx[0]:
        conds.append(f"{var} >= {lo}")
    if hi < ctx[1]:
        conds.append(f"{var} <= {hi}")
    if len(conds) == 2 and lo == hi:
        return f"{var} == {lo}"
    return " && ".join(conds) if conds else "true"


def guard(cond, stmt):
    if cond == "true":
        return [stmt]
    if cond == "false":
        return []
    return [f"if ({cond}) {stmt}"]


def int_literal(value, kind):
    bits, signed = INTEGERS[kind]
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    if not lo <= value <= hi:
        fatal(f"default {value} out of range for {kind}")
    if signed and value == lo:
        return f"{value + 1} - 1"
    return str(value)


def parse_int(text):
    s = str(text).strip().lower()
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    if s.startswith("0x"):
        v = int(s, 16)
    elif len(s) > 1 and s.startswith("0"):
        v = int(s, 8)
    else:
        v = int(s)
    return -v if neg else v


def cpp_string_literal(s):
    out = []
    for ch in s:
        if ch in '\\"':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8"))
    return '"' + "".join(out) + '"'


def is_null_default(f):
    return f.default is not None and str(f.default).strip() == "null"


def scalar_default(f):
    """The C++ value of a scalar field's default (as an expression)."""
    d = f.default
    if f.kind == "bool":
        if d is None:
            return "false"
        if isinstance(d, bool):
            return "true" if d else "false"
        s = str(d).strip().lower()
        if s not in ("true", "false"):
            fatal(f"bad bool default {d!r}")
        return s
    if f.kind in INTEGERS:
        return int_literal(parse_int(d) if d is not None and str(d).strip() else 0, f.kind)
    if f.kind == "float64":
        return repr(float(d)) if d is not None and str(d).strip() else "0.0"
    fatal(f"{f.name}: not a scalar")


def elem_type(f):
    return f.struct.cname if f.elem == "struct" else PRIMITIVES[f.elem]


def cpp_type(f):
    if f.kind == "array":
        t = f"std::vector<{elem_type(f)}>"
    elif f.kind == "struct":
        t = f.struct.cname
    else:
        t = PRIMITIVES[f.kind]
    return f"std::optional<{t}>" if f.optional else t


def base_type(f):
    """cpp_type without the std::optional."""
    if f.kind == "array":
        return f"std::vector<{elem_type(f)}>"
    if f.kind == "struct":
        return f.struct.cname
    return PRIMITIVES[f.kind]


def member_init(f):
    """The default member initializer (including ' = ...'), or ''."""
    if f.kind in ("bool", "float64") or f.kind in INTEGERS:
        return " = " + scalar_default(f)
    if f.kind == "string":
        if is_null_default(f):
            if not f.optional:
                fatal(f"{f.name}: null default on a non-nullable string")
            return ""
        text = "" if f.default is None else str(f.default)
        if f.optional:
            return f" = std::string({cpp_string_literal(text)})" if text else " = std::string()"
        return f" = {cpp_string_literal(text)}" if text else ""
    if f.kind in ("bytes", "array", "struct"):
        if f.default is not None and not is_null_default(f) and str(f.default).strip():
            fatal(f"{f.name}: custom default not supported for {f.type}")
        if f.optional and not is_null_default(f):
            return f" = {base_type(f)}()"
        return ""
    return ""  # uuid, records


def non_default_cond(f, m):
    """A C++ condition that member expression `m` differs from the field's default."""
    if f.kind in ("bool", "float64") or f.kind in INTEGERS:
        d = scalar_default(f)
        if f.kind == "bool":
            return f"!{m}" if d == "true" else m
        return f"{m} != {d}"
    if f.kind == "records":
        return f"{m}.has_value()"
    if f.optional:
        if is_null_default(f):
            return f"{m}.has_value()"
        if f.kind == "struct":
            return f"(!{m} || *{m} != {base_type(f)}())"
        if f.kind == "string" and f.default:
            return f"(!{m} || *{m} != {cpp_string_literal(str(f.default))})"
        return f"(!{m} || !{m}->empty())"
    if f.kind == "string":
        return f"{m} != {cpp_string_literal(str(f.default))}" if f.default else f"!{m}.empty()"
    if f.kind in ("bytes", "array"):
        return f"!{m}.empty()"
    if f.kind == "uuid":
        return f"{m} != uuid()"
    if f.kind == "struct":
        return f"{m} != {base_type(f)}()"
    fatal(f"{f.name}: no default comparison for {f.type}")


def read_stmt(f, r, m, compact, nullable, tagged=False):
    k = f.kind
    if k in INTEGERS or k in ("bool", "float64", "uuid"):
        return f"{m} = {r}.read_{k}();"
    if k == "string":
        if f.optional:
            return f"{m} = {r}.read_nullable_string({compact}, {nullable});"
        return f"{m} = {r}.read_string({compact});"
    if k == "bytes":
        if f.optional:
            return f"{m} = {r}.read_nullable_bytes({compact}, {nullable});"
        return f"{m} = {r}.read_bytes({compact});"
    if k == "records":
        return f"{m} = {r}.read_records({compact}, {nullable});"
    if k == "array":
        if f.optional:
            return f"read_nullable_array({r}, {m}, v, {compact}, {nullable});"
        return f"read_array({r}, {m}, v, {compact});"
    if k == "struct":
        if f.optional and tagged:
            return f"read_tagged_nullable_struct({r}, {m}, v, {nullable});"
        if f.optional:
            return f"read_nullable_struct({r}, {m}, v, {nullable});"
        return f"{m}.read({r}, v);"
    fatal(f"cannot read {f.type}")


def write_stmt(f, w, m, compact, nullable, tagged=False):
    k = f.kind
    if k in INTEGERS or k in ("bool", "float64", "uuid"):
        return f"{w}.write_{k}({m});"
    if k == "string":
        if f.optional:
            return f"{w}.write_nullable_string({m}, {compact}, {nullable});"
        return f"{w}.write_string({m}, {compact});"
    if k == "bytes":
        if f.optional:
            return f"{w}.write_nullable_bytes({m}, {compact}, {nullable});"
        return f"{w}.write_bytes({m}, {compact});"
    if k == "records":
        return f"{w}.write_records({m}, {compact}, {nullable});"
    if k == "array":
        if f.optional:
            return f"write_nullable_array({w}, {m}, v, {compact}, {nullable});"
        return f"write_array({w}, {m}, v, {compact});"
    if k == "struct":
        if f.optional and tagged:
            return f"write_tagged_nullable_struct({w}, {m}, v, {nullable});"
        if f.optional:
            return f"write_nullable_struct({w}, {m}, v, {nullable});"
        return f"{m}.write({w}, v);"
    fatal(f"cannot write {f.type}")


def uses_var(lines, var):
    pat = re.compile(r"\b" + re.escape(var) + r"\b")
    return any(pat.search(line) for line in lines)
