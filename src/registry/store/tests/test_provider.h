#pragma once

// A tiny schema language for the store's tests, independent of the real
// Avro/JSON/Protobuf providers. A schema is whitespace-separated tokens:
//   name        a field without a default
//   name=value  a field with a default
//   @ref        a reference: `ref` must be among the resolved references,
//               and every reference a resolved schema makes must come
//               before it (dependencies first)
//   !           makes the schema invalid
// Canonical text: the tokens joined by one space; normalized: also sorted.
// Record name: the first token. A reader is incompatible with a writer when
// it has a field without a default that the writer lacks.

#include <algorithm>
#include <memory>
#include <set>
#include <sstream>

#include "registry/core/provider.h"
#include "registry/store/state.h"

namespace spate::registry::test_support {

inline std::vector<std::string> tokens(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::vector<std::string> out;
    for (std::string t; in >> t;)
        out.push_back(t);
    return out;
}

class token_schema final : public parsed_schema {
  public:
    token_schema(schema_type t, std::vector<std::string> tokens)
        : _type(t), _tokens(std::move(tokens)) {}
    schema_type type() const override { return _type; }
    std::string canonical() const override { return join(_tokens); }
    std::string normalized() const override {
        auto sorted = _tokens;
        std::sort(sorted.begin(), sorted.end());
        return join(sorted);
    }
    std::string record_name() const override { return _tokens.empty() ? "" : _tokens[0]; }
    // Fields without a default.
    std::set<std::string> required() const {
        std::set<std::string> out;
        for (const auto& t : _tokens) {
            if (t[0] != '@' && t.find('=') == std::string::npos) out.insert(t);
        }
        return out;
    }
    std::set<std::string> fields() const {
        std::set<std::string> out;
        for (const auto& t : _tokens) {
            if (t[0] != '@') out.insert(t.substr(0, t.find('=')));
        }
        return out;
    }

  private:
    static std::string join(const std::vector<std::string>& ts) {
        std::string out;
        for (const auto& t : ts)
            out += (out.empty() ? "" : " ") + t;
        return out;
    }
    schema_type _type;
    std::vector<std::string> _tokens;
};

class token_provider final : public schema_provider {
  public:
    explicit token_provider(schema_type t) : _type(t) {}
    schema_type type() const override { return _type; }

    result<parsed_schema_ptr> parse(std::string_view text,
                                    const std::vector<resolved_reference>& refs) const override {
        auto ts = tokens(text);
        if (ts.empty()) return make_error(errc::invalid_argument, "empty schema");
        // Every reference's own references must come before it.
        std::set<std::string> before;
        for (const auto& r : refs) {
            for (const auto& t : tokens(r.schema)) {
                if (t[0] == '@' && before.count(t.substr(1)) == 0)
                    return make_error(errc::invalid_argument,
                                      "dependency " + t + " of " + r.ref.name + " not before it");
            }
            before.insert(r.ref.name);
        }
        for (const auto& t : ts) {
            if (t == "!") return make_error(errc::invalid_argument, "'!' is not allowed");
            if (t[0] == '@' && before.count(t.substr(1)) == 0)
                return make_error(errc::invalid_argument, "unresolved reference " + t);
        }
        return parsed_schema_ptr(std::make_shared<token_schema>(_type, std::move(ts)));
    }

    std::vector<std::string> incompatibilities(const parsed_schema& reader,
                                               const parsed_schema& writer) const override {
        const auto& r = dynamic_cast<const token_schema&>(reader);
        const auto& w = dynamic_cast<const token_schema&>(writer);
        std::vector<std::string> out;
        auto have = w.fields();
        for (const auto& f : r.required()) {
            if (have.count(f) == 0)
                out.push_back("reader field '" + f + "' has no default and the writer lacks it");
        }
        return out;
    }

  private:
    schema_type _type;
};

// The token provider for every schema type.
inline provider_lookup token_providers() {
    static const token_provider avro(schema_type::avro);
    static const token_provider json(schema_type::json);
    static const token_provider protobuf(schema_type::protobuf);
    return [](schema_type t) -> const schema_provider& {
        switch (t) {
            case schema_type::avro:
                return avro;
            case schema_type::json:
                return json;
            case schema_type::protobuf:
                return protobuf;
        }
        return avro;
    };
}

inline schema_input token_input(std::string text, std::vector<schema_reference> refs = {},
                                schema_type t = schema_type::avro) {
    return schema_input{t, std::move(text), std::move(refs)};
}

}  // namespace spate::registry::test_support
