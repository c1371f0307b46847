"""Emits the generated round-trip tests: a fill() per struct that sets every
field of a version, and one test per message over all its versions."""

from codec import emit_function, header_name, qualified
from common import BANNER, INTEGERS, PRIMITIVES, fatal, intersect
from cpp import parse_int, scalar_default, vcond


class Filler:
    """Emits fill(T&, version, seed): every field present in `version` gets a
    deterministic non-default value; nullable fields are null for odd seeds."""

    def __init__(self, msg):
        self.msg = msg
        self.counter = 0

    def next_k(self, f):
        self.counter += 1
        k = 10 + (self.counter * 7) % 100
        if f.kind in INTEGERS or f.kind == "float64":
            d = parse_int(f.default) if f.kind in INTEGERS and f.default is not None else None
            if f.kind == "float64" and f.default is not None:
                d = float(f.default)
            while d is not None and k <= d <= k + 8:
                k += 10
        return k

    def value(self, f, k, m):
        """Statements assigning a non-null value to `m`."""
        kind = f.kind
        if kind == "bool":
            return [f"{m} = {'false' if scalar_default(f) == 'true' else 'true'};"]
        if kind in INTEGERS:
            return [f"{m} = num<{PRIMITIVES[kind]}>({k}, seed);"]
        if kind == "float64":
            return [f"{m} = 0.5 + {k} + seed;"]
        if kind == "uuid":
            return [f"{m} = id({k}, seed);"]
        if kind == "string":
            return [f"{m} = text({k}, seed);"]
        if kind == "bytes":
            return [f"{m} = blob({k}, seed);"]
        if kind == "records":
            return [f"{m} = record_set(seed);"]
        if kind == "struct":
            target = f"{m}.emplace()" if f.optional else m
            return [f"fill({target}, v, seed + 1);"]
        if kind == "array":
            target = f"{m}.emplace()" if f.optional else m
            if f.elem == "struct":
                return [
                    "{",
                    f"auto& a = {target};",
                    "a.resize(2);",
                    "fill(a[0], v, seed + 1);",
                    "fill(a[1], v, seed + 2);",
                    "}",
                ]
            gen = {
                "string": "text",
                "uuid": "id",
            }.get(f.elem)
            if gen is None:
                t = PRIMITIVES[f.elem]
                return [f"{target} = {{num<{t}>({k}, seed), num<{t}>({k + 1}, seed)}};"]
            return [f"{target} = {{{gen}({k}, seed), {gen}({k + 1}, seed)}};"]
        fatal(f"cannot fill {f.type}")

    def fill_struct(self, s):
        body = []
        ctx = s.ctx
        for f in s.fields:
            cond = vcond(f.versions, ctx) if f.versions else "false"
            if cond == "false":
                continue
            k = self.next_k(f)
            stmts = self.value(f, k, f"m.{f.cname}")
            nullable = "false"
            if f.nullable is not None:
                nullable = vcond(f.nullable, intersect(f.versions, ctx))
            if nullable != "false":
                reset = f"m.{f.cname}.reset();"
                null_cond = "seed % 2 != 0" if nullable == "true" else f"seed % 2 != 0 && {nullable}"
                stmts = [f"if ({null_cond}) {{", reset, "} else {"] + stmts + ["}"]
            if cond == "true":
                body += stmts
            else:
                if stmts[0] == "{" and stmts[-1] == "}":
                    stmts = stmts[1:-1]
                body += [f"if ({cond}) {{"] + stmts + ["}"]
        typ = qualified(self.msg, s)
        return emit_function(
            f"void fill({typ}&{{m}}, int16_t{{v}}, int{{seed}})", body, ["m", "v", "seed"]
        )

    def emit(self):
        out = []
        for s in self.msg.order + [self.msg.root]:
            out += self.fill_struct(s)
        return out


def emit_tests(messages, shard, shards):
    chosen = [m for i, m in enumerate(messages) if i % shards == shard]
    lines = [BANNER, "", "#include <gtest/gtest.h>", ""]
    for m in chosen:
        lines.append(f'#include "kafka/protocol/generated/{header_name(m)}"')
    lines += [
        '#include "kafka/protocol/tests/roundtrip.h"',
        "",
        "namespace spate::kafka::protocol {",
        "namespace {",
        "",
        "using namespace roundtrip;",
        "",
    ]
    for m in chosen:
        lines += Filler(m).emit()
    for m in chosen:
        lines += [
            f"TEST(roundtrip, {m.cname}) {{",
            f"check_all_versions<{m.cname}>([]({m.cname}& m, int16_t v, int seed) {{ fill(m, v, seed); }});",
            "}",
            "",
        ]
    lines += ["}  // namespace", "}  // namespace spate::kafka::protocol", ""]
    return "\n".join(lines)
