"""Kafka's JSON message definitions as a model: messages, their (nested and
common) structs and fields, with the versions each struct is encoded in."""

import json

from common import (ARRAY_ELEMENTS, INF, NULLABLE_KINDS, PRIMITIVES, RESERVED_MEMBERS,
                    fatal, intersect, member_name, parse_versions, snake, union)


def strip_comments(text):
    """Removes // comments outside string literals."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
        elif c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_json(path):
    try:
        return json.loads(strip_comments(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as e:
        fatal(f"{path}: {e}")


class Field:
    def __init__(self, spec, message):
        self.name = spec["name"]
        self.cname = member_name(self.name)
        self.type = spec["type"]
        self.versions = parse_versions(spec.get("versions"))
        self.nullable = parse_versions(spec.get("nullableVersions"))
        self.tagged = parse_versions(spec.get("taggedVersions"))
        self.tag = spec.get("tag")
        self.default = spec.get("default")
        self.flex_override = spec.get("flexibleVersions")
        self.struct = None  # Struct, for struct and struct-array fields
        t = self.type
        if t.startswith("[]"):
            self.kind = "array"
            inner = t[2:]
            if inner in PRIMITIVES:
                if inner not in ARRAY_ELEMENTS:
                    fatal(f"{message}: unsupported array element type {inner}")
                self.elem = inner
            else:
                self.elem = "struct"
                self.struct_name = inner
        elif t in PRIMITIVES:
            self.kind = t
        else:
            self.kind = "struct"
            self.struct_name = t
        if (self.tag is None) != (self.tagged is None):
            fatal(f"{message}.{self.name}: tag and taggedVersions must come together")
        if self.tagged is not None and self.tagged[1] != INF:
            fatal(f"{message}.{self.name}: tagged versions must be open-ended")
        if self.nullable is not None and self.kind not in NULLABLE_KINDS:
            fatal(f"{message}.{self.name}: type {t} cannot be nullable here")
        self.spec_fields = spec.get("fields")

    @property
    def optional(self):
        """Whether the C++ member is a std::optional (records always are)."""
        return self.kind != "records" and self.nullable is not None

    def regular_versions(self):
        """Versions in which the field is in the fixed (untagged) part."""
        if self.versions is None:
            return None
        if self.tagged is None:
            return self.versions
        if self.tagged[0] <= self.versions[0]:
            return None
        return (self.versions[0], min(self.versions[1], self.tagged[0] - 1))

    def tagged_versions(self):
        return intersect(self.versions, self.tagged)


class Struct:
    def __init__(self, name, field_specs, message):
        self.name = name
        self.cname = snake(name)
        self.fields = [Field(f, message) for f in field_specs]
        self.ctx = None  # union of versions in which the struct is encoded
        self.top = False
        self.custom_eq = any(f.kind == "records" for f in self.fields)


class Message:
    def __init__(self, spec, path):
        self.name = spec["name"]
        self.cname = snake(self.name)
        self.type = spec["type"]
        self.api_key = spec.get("apiKey")
        self.valid = parse_versions(spec["validVersions"])
        self.flexible = parse_versions(spec.get("flexibleVersions"))
        self.unstable = bool(spec.get("latestVersionUnstable", False))
        self.listeners = spec.get("listeners", [])
        self.path = path
        if self.valid is None:
            fatal(f"{path}: no valid versions")
        if self.flexible is not None and self.flexible[1] != INF:
            fatal(f"{path}: flexible versions must be open-ended")
        self.structs = {}  # name -> Struct (nested and common)
        self.root = Struct(self.name, spec["fields"], self.name)
        self.root.top = True
        self.root.ctx = self.valid
        for c in spec.get("commonStructs", []):
            self._register(Struct(c["name"], c["fields"], self.name))
        self._collect(self.root)
        self._resolve(self.root, set())
        self._contexts(self.root, self.valid)
        self._rename_types()
        self.order = self._ordered()

    def _register(self, s):
        if s.name in self.structs:
            fatal(f"{self.path}: struct {s.name} defined twice")
        self.structs[s.name] = s
        self._collect(s)

    def _collect(self, s):
        for f in s.fields:
            if f.spec_fields is not None:
                if f.kind not in ("struct", "array") or getattr(f, "elem", "struct") != "struct":
                    fatal(f"{self.path}: {f.name} has fields but type {f.type}")
                self._register(Struct(f.struct_name, f.spec_fields, self.name))

    def _resolve(self, s, seen):
        if s.name in seen:
            return
        seen.add(s.name)
        for f in s.fields:
            if f.kind == "struct" or (f.kind == "array" and f.elem == "struct"):
                if f.struct_name not in self.structs:
                    fatal(f"{self.path}: unknown struct {f.struct_name}")
                f.struct = self.structs[f.struct_name]
                self._resolve(f.struct, seen)

    def _contexts(self, s, ctx, depth=0):
        if depth > 32:
            fatal(f"{self.path}: struct nesting too deep (recursive?)")
        for f in s.fields:
            if f.struct is None:
                continue
            use = intersect(f.versions, ctx)
            if use is None:
                continue
            f.struct.ctx = union(f.struct.ctx, use)
            self._contexts(f.struct, use, depth + 1)

    def all_structs(self):
        return [self.root] + list(self.structs.values())

    def _rename_types(self):
        members = {f.cname for s in self.all_structs() for f in s.fields}
        taken = {self.cname} | members | RESERVED_MEMBERS
        for s in sorted(self.structs.values(), key=lambda s: s.name):
            name = s.cname
            while name in taken:
                name += "_data"
            s.cname = name
            taken.add(name)
            if s.ctx is None:
                s.ctx = self.valid

    def _ordered(self):
        """Nested structs, each after the structs its fields use."""
        out, done = [], set()

        def visit(s):
            for f in s.fields:
                if f.struct is not None and f.struct.name not in done:
                    done.add(f.struct.name)
                    visit(f.struct)
                    out.append(f.struct)

        visit(self.root)
        for name in self.structs:  # unreferenced common structs last
            if name not in done:
                done.add(name)
                visit(self.structs[name])
                out.append(self.structs[name])
        return out

    @property
    def first_flexible(self):
        if self.flexible is None or self.flexible[0] > self.valid[1]:
            return -1
        return max(self.flexible[0], self.valid[0])
