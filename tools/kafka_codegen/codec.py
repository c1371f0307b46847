"""Emits one message's header and source: struct declarations and the
read/write/decode/encode definitions."""

from api_table import api_enum_name
from common import BANNER, fatal, intersect, parse_versions
from cpp import (cpp_type, guard, member_init, non_default_cond, read_stmt, uses_var, vcond,
                 write_stmt)


class Codec:
    """Emits one struct's read/write bodies."""

    def __init__(self, msg, s):
        self.msg = msg
        self.s = s
        self.ctx = s.ctx
        self.flex = vcond(msg.flexible, self.ctx) if msg.flexible else "false"

    def flex_ctx(self):
        """The struct's versions that are flexible (where tagged fields exist)."""
        return intersect(self.ctx, self.msg.flexible)

    def flex_expr(self):
        return "flex" if self.flex not in ("true", "false") else self.flex

    def compact_expr(self, f):
        if f.flex_override is not None:
            return vcond(parse_versions(f.flex_override), self.ctx)
        return self.flex_expr()

    def nullable_expr(self, f, rng):
        if f.nullable is None:
            return "false"
        field_ctx = intersect(rng, self.ctx)
        return vcond(f.nullable, field_ctx) if field_ctx else "false"

    def tagged_fields(self):
        out = []
        for f in self.s.fields:
            tv = f.tagged_versions()
            if tv is not None and intersect(tv, self.ctx) is not None:
                if self.msg.flexible is None or intersect(tv, self.msg.flexible) != tv:
                    fatal(f"{self.msg.name}.{f.name}: tagged outside flexible versions")
                out.append(f)
        tags = [f.tag for f in out]
        if len(set(tags)) != len(tags):
            fatal(f"{self.msg.name}: duplicate tags in {self.s.name}")
        return sorted(out, key=lambda f: f.tag)

    def prologue(self, body):
        if self.flex not in ("true", "false") and uses_var(body, "flex"):
            return [f"const bool flex = {self.flex};"]
        return []

    def read_body(self):
        body = []
        for f in self.s.fields:
            rng = f.regular_versions()
            cond = vcond(rng, self.ctx) if rng else "false"
            if cond == "false":
                continue
            stmt = read_stmt(f, "r", f.cname, self.compact_expr(f), self.nullable_expr(f, rng))
            body += guard(cond, stmt)
        if self.flex != "false":
            tagged = self.tagged_fields()
            if not tagged:
                body += guard(self.flex_expr(), "r.skip_tagged_fields();")
            else:
                inner = ["read_tagged_fields(r, [&](uint32_t tag, reader& t) {", "switch (tag) {"]
                for f in tagged:
                    tv = f.tagged_versions()
                    cond = vcond(tv, self.flex_ctx())
                    stmt = read_stmt(f, "t", f.cname, "true", self.nullable_expr(f, tv), True)
                    inner.append(f"case {f.tag}:")
                    inner += guard(cond, stmt)
                    inner.append("break;")
                inner += ["default:", "break;", "}", "});"]
                if self.flex_expr() == "true":
                    body += inner
                else:
                    body += [f"if ({self.flex_expr()}) {{"] + inner + ["}"]
        return self.prologue(body) + body

    def write_body(self):
        body = []
        for f in self.s.fields:
            rng = f.regular_versions()
            cond = vcond(rng, self.ctx) if rng else "false"
            if cond == "false":
                continue
            stmt = write_stmt(f, "w", f.cname, self.compact_expr(f), self.nullable_expr(f, rng))
            body += guard(cond, stmt)
        if self.flex != "false":
            tagged = self.tagged_fields()
            if not tagged:
                body += guard(self.flex_expr(), "w.write_uvarint(0);")
            else:
                inner = []
                names = []
                for f in tagged:
                    tv = f.tagged_versions()
                    cond = vcond(tv, self.flex_ctx())
                    nd = non_default_cond(f, f.cname)
                    full = nd if cond == "true" else f"{cond} && {nd}"
                    name = f"has_{f.tag}"
                    names.append(name)
                    inner.append(f"const bool {name} = {full};")
                inner.append(f"w.write_uvarint(static_cast<uint32_t>({' + '.join(names)}));")
                for f, name in zip(tagged, names):
                    tv = f.tagged_versions()
                    stmt = write_stmt(f, "w", f.cname, "true", self.nullable_expr(f, tv), True)
                    inner += [
                        f"if ({name}) {{",
                        f"const size_t m = w.begin_tagged({f.tag});",
                        stmt,
                        "w.end_tagged(m);",
                        "}",
                    ]
                if self.flex_expr() == "true":
                    body += inner
                else:
                    body += [f"if ({self.flex_expr()}) {{"] + inner + ["}"]
        return self.prologue(body) + body


def qualified(msg, s):
    return msg.cname if s.top else f"{msg.cname}::{s.cname}"


def emit_function(sig_fmt, body, params):
    """A function definition; parameters unused by the body lose their names."""
    names = {p: (p if uses_var(body, p) else "") for p in params}
    sig = sig_fmt.format(**{p: (" " + n if n else "") for p, n in names.items()})
    if not body:
        return [sig + " {}", ""]
    return [sig + " {"] + body + ["}", ""]


def struct_decl(msg, s, indent_types=True):
    lines = [f"struct {s.cname} {{"]
    if s.top:
        if msg.api_key is not None:
            lines.append(
                "static constexpr ::spate::kafka::protocol::api_key k_api_key = "
                f"::spate::kafka::protocol::api_key::{api_enum_name(msg)};"
            )
        lines += [
            f"static constexpr int16_t k_min_version = {msg.valid[0]};",
            f"static constexpr int16_t k_max_version = {msg.valid[1]};",
            f"static constexpr int16_t k_first_flexible_version = {msg.first_flexible};",
            "",
        ]
        for n in msg.order:
            lines += struct_decl(msg, n)
            lines.append("")
    for f in s.fields:
        lines.append(f"{cpp_type(f)} {f.cname}{member_init(f)};")
    if s.fields:
        lines.append("")
    if s.top:
        lines += [
            "// Decodes a `version` body, overwriting every field. errc::unsupported for",
            "// a version outside [k_min_version, k_max_version]; errc::corrupt for",
            "// malformed bytes.",
            "spate::status decode(reader& r, int16_t version);",
            "// Encodes as `version` (which must be valid); fields absent from that",
            "// version are skipped.",
            "void encode(writer& w, int16_t version) const;",
            "",
        ]
    lines += [
        "void read(reader& r, int16_t version);",
        "void write(writer& w, int16_t version) const;",
    ]
    if s.custom_eq:
        lines.append(f"bool operator==(const {s.cname}& o) const;")
    else:
        lines.append(f"bool operator==(const {s.cname}&) const = default;")
    lines.append("};")
    return lines


def header_name(msg):
    return f"{msg.cname}.h"


def emit_header(msg):
    lines = [
        BANNER,
        "",
        "#pragma once",
        "",
        "#include <cstddef>",
        "#include <cstdint>",
        "#include <optional>",
        "#include <span>",
        "#include <string>",
        "#include <vector>",
        "",
        '#include "kafka/protocol/generated/api_keys.h"',
        '#include "kafka/protocol/types.h"',
        "",
        "namespace spate::kafka::protocol {",
        "",
    ]
    lines += struct_decl(msg, msg.root)
    lines += ["", "}  // namespace spate::kafka::protocol", ""]
    return "\n".join(lines)


def emit_source(msg):
    lines = [
        BANNER,
        "",
        f'#include "kafka/protocol/generated/{header_name(msg)}"',
        "",
        '#include "kafka/protocol/wire.h"',
        "",
        "namespace spate::kafka::protocol {",
        "",
    ]
    for s in msg.order + [msg.root]:
        q = qualified(msg, s)
        codec = Codec(msg, s)
        lines += emit_function(
            f"void {q}::read(reader&{{r}}, int16_t{{v}})", codec.read_body(), ["r", "v"]
        )
        lines += emit_function(
            f"void {q}::write(writer&{{w}}, int16_t{{v}}) const", codec.write_body(), ["w", "v"]
        )
        if s.custom_eq:
            terms = []
            for f in s.fields:
                if f.kind == "records":
                    terms.append(f"records_equal({f.cname}, o.{f.cname})")
                else:
                    terms.append(f"{f.cname} == o.{f.cname}")
            lines += [
                f"bool {q}::operator==(const {s.cname}& o) const {{",
                f"return {' && '.join(terms)};",
                "}",
                "",
            ]
    q = msg.cname
    lines += [
        f"spate::status {q}::decode(reader& r, int16_t version) {{",
        "SPATE_TRY(check_version(version, k_min_version, k_max_version));",
        f"*this = {q}();",
        "read(r, version);",
        "return r.status();",
        "}",
        "",
        f"void {q}::encode(writer& w, int16_t version) const {{",
        "SPATE_ASSERT(version >= k_min_version && version <= k_max_version);",
        "write(w, version);",
        "}",
        "",
        "}  // namespace spate::kafka::protocol",
        "",
    ]
    return "\n".join(lines)
