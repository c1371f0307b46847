"""The api_key enum and table (generated/api_keys.h/.cc)."""

import re

from common import BANNER, member_name


def api_enum_name(msg):
    base = re.sub(r"(Request|Response)$", "", msg.name)
    return member_name(base)


def emit_api_keys(apis):
    """apis: [(key, request Message)] sorted by key."""
    h = [
        BANNER,
        "",
        "#pragma once",
        "",
        "#include <cstdint>",
        "#include <span>",
        "#include <string_view>",
        "",
        "namespace spate::kafka::protocol {",
        "",
        "// Every API this codec implements, by wire key.",
        "enum class api_key : int16_t {",
    ]
    for key, req in apis:
        h.append(f"{api_enum_name(req)} = {key},")
    h += [
        "};",
        "",
        "struct api_info {",
        "api_key key;",
        "// Kafka's name for the API (\"Produce\", \"ApiVersions\", ...).",
        "std::string_view name;",
        "int16_t min_version;",
        "int16_t max_version;",
        "// The first version using compact encodings and tagged fields; -1 if none.",
        "int16_t first_flexible_version;",
        "// Kafka marks max_version as not yet stable; brokers should not advertise it.",
        "bool latest_version_unstable;",
        "};",
        "",
        "// All APIs, ordered by key.",
        "std::span<const api_info> all_apis();",
        "// The API with wire key `key`, or nullptr if this codec does not implement it.",
        "const api_info* find_api(int16_t key);",
        "",
        "}  // namespace spate::kafka::protocol",
        "",
    ]
    c = [
        BANNER,
        "",
        '#include "kafka/protocol/generated/api_keys.h"',
        "",
        "#include <array>",
        "",
        "namespace spate::kafka::protocol {",
        "",
        "namespace {",
        f"constexpr std::array<api_info, {len(apis)}> k_apis = {{{{",
    ]
    for key, req in apis:
        name = re.sub(r"Request$", "", req.name)
        c.append(
            f'{{api_key::{api_enum_name(req)}, "{name}", {req.valid[0]}, {req.valid[1]}, '
            f'{req.first_flexible}, {"true" if req.unstable else "false"}}},'
        )
    c += [
        "}};",
        "}  // namespace",
        "",
        "std::span<const api_info> all_apis() { return k_apis; }",
        "",
        "const api_info* find_api(int16_t key) {",
        "for (const auto& a : k_apis) {",
        "if (static_cast<int16_t>(a.key) == key) return &a;",
        "}",
        "return nullptr;",
        "}",
        "",
        "}  // namespace spate::kafka::protocol",
        "",
    ]
    return "\n".join(h), "\n".join(c)
