#pragma once

// A registry::service for the route tests: a tiny in-memory registry (one
// context, no compatibility rules) that records the arguments of the last
// call, and answers `fail` instead when it is set.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "registry/core/service.h"

namespace spate::http::testing {

using namespace registry;

class fake_registry final : public service {
  public:
    std::optional<registry_error> fail;
    // Arguments of the last call.
    std::string last_subject;
    bool last_flag_a = false;  // include_deleted / permanent / normalize / default_to_global
    bool last_flag_b = false;  // latest_only / include_deleted (lookup) / force
    std::optional<version_selector> last_version;
    std::optional<schema_input> last_input;
    std::optional<register_options> last_register;
    compat_report next_report;
    std::vector<schema_id> next_referenced_by;

    outcome<std::vector<std::string>> subjects(std::string_view prefix, bool deleted) override {
        if (fail) return *fail;
        last_subject = std::string(prefix);
        last_flag_a = deleted;
        std::vector<std::string> out;
        for (const auto& [s, vs] : _subjects)
            if (s.rfind(prefix, 0) == 0) out.push_back(s);
        return out;
    }
    outcome<std::vector<schema_version>> versions(std::string_view subject, bool deleted) override {
        if (fail) return *fail;
        last_flag_a = deleted;
        auto it = _subjects.find(std::string(subject));
        if (it == _subjects.end()) return not_found(subject);
        std::vector<schema_version> out;
        for (const auto& s : it->second)
            out.push_back(s.version);
        return out;
    }
    outcome<subject_schema> get_version(std::string_view subject, version_selector v,
                                        bool deleted) override {
        if (fail) return *fail;
        last_version = v;
        last_flag_a = deleted;
        auto it = _subjects.find(std::string(subject));
        if (it == _subjects.end()) return not_found(subject);
        if (!v.number) return it->second.back();
        for (const auto& s : it->second)
            if (s.version == *v.number) return s;
        return registry_error{registry_errc::version_not_found, "Version not found."};
    }
    outcome<subject_schema> register_schema(std::string_view subject, const schema_input& in,
                                            const register_options& o) override {
        if (fail) return *fail;
        last_input = in;
        last_register = o;
        auto& vs = _subjects[std::string(subject)];
        subject_schema s{std::string(subject),
                         schema_version(int32_t(vs.size()) + 1),
                         o.id.value_or(schema_id(_next_id++)),
                         in.type,
                         in.schema,
                         in.references,
                         false};
        vs.push_back(s);
        return s;
    }
    outcome<subject_schema> lookup(std::string_view subject, const schema_input& in, bool normalize,
                                   bool deleted) override {
        if (fail) return *fail;
        last_input = in;
        last_flag_a = normalize;
        last_flag_b = deleted;
        auto it = _subjects.find(std::string(subject));
        if (it == _subjects.end()) return not_found(subject);
        for (const auto& s : it->second)
            if (s.schema == in.schema) return s;
        return registry_error{registry_errc::schema_not_found, "Schema not found"};
    }
    outcome<std::vector<schema_version>> delete_subject(std::string_view subject,
                                                        bool permanent) override {
        if (fail) return *fail;
        last_flag_a = permanent;
        auto vs = versions(subject, false);
        if (vs.ok()) _subjects.erase(std::string(subject));
        return vs;
    }
    outcome<schema_version> delete_version(std::string_view subject, version_selector v,
                                           bool permanent) override {
        if (fail) return *fail;
        auto s = get_version(subject, v, false);
        last_flag_a = permanent;
        if (!s.ok()) return s.err();
        return s->version;
    }
    outcome<std::vector<schema_id>> referenced_by(std::string_view subject,
                                                  version_selector v) override {
        if (fail) return *fail;
        last_subject = std::string(subject);
        last_version = v;
        return next_referenced_by;
    }
    outcome<id_schema> get_schema(schema_id id, std::string_view subject) override {
        if (fail) return *fail;
        last_subject = std::string(subject);
        for (const auto& [name, vs] : _subjects)
            for (const auto& s : vs)
                if (s.id == id) return id_schema{s.id, s.type, s.schema, s.references};
        return registry_error{registry_errc::schema_not_found, "Schema not found"};
    }
    outcome<std::vector<std::string>> subjects_of(schema_id id, std::string_view subject,
                                                  bool deleted) override {
        if (fail) return *fail;
        last_subject = std::string(subject);
        last_flag_a = deleted;
        std::vector<std::string> out;
        for (const auto& v : versions_with(id))
            out.push_back(v.subject);
        return out;
    }
    outcome<std::vector<subject_version>> versions_of(schema_id id, std::string_view subject,
                                                      bool deleted) override {
        if (fail) return *fail;
        last_subject = std::string(subject);
        last_flag_a = deleted;
        return versions_with(id);
    }
    outcome<std::vector<subject_schema>> list_schemas(std::string_view prefix, bool deleted,
                                                      bool latest_only) override {
        if (fail) return *fail;
        last_subject = std::string(prefix);
        last_flag_a = deleted;
        last_flag_b = latest_only;
        std::vector<subject_schema> out;
        for (const auto& [name, vs] : _subjects)
            for (const auto& s : vs)
                out.push_back(s);
        return out;
    }
    outcome<compat_level> get_config(std::optional<std::string_view> subject,
                                     bool default_to_global) override {
        if (fail) return *fail;
        last_subject = subject ? std::string(*subject) : "<global>";
        last_flag_a = default_to_global;
        if (!subject) return _global_level;
        auto it = _levels.find(std::string(*subject));
        if (it != _levels.end()) return it->second;
        if (default_to_global) return _global_level;
        return registry_error{registry_errc::subject_compat_not_configured, "not configured"};
    }
    outcome<compat_level> set_config(std::optional<std::string_view> subject,
                                     compat_level level) override {
        if (fail) return *fail;
        last_subject = subject ? std::string(*subject) : "<global>";
        (subject ? _levels[std::string(*subject)] : _global_level) = level;
        return level;
    }
    outcome<compat_level> delete_config(std::optional<std::string_view> subject) override {
        if (fail) return *fail;
        last_subject = subject ? std::string(*subject) : "<global>";
        auto old = get_config(subject, true);
        if (subject)
            _levels.erase(std::string(*subject));
        else
            _global_level = compat_level::backward;
        return old;
    }
    outcome<registry_mode> get_mode(std::optional<std::string_view> subject,
                                    bool default_to_global) override {
        if (fail) return *fail;
        last_subject = subject ? std::string(*subject) : "<global>";
        last_flag_a = default_to_global;
        return _mode;
    }
    outcome<registry_mode> set_mode(std::optional<std::string_view> subject, registry_mode m,
                                    bool force) override {
        if (fail) return *fail;
        last_subject = subject ? std::string(*subject) : "<global>";
        last_flag_b = force;
        _mode = m;
        return m;
    }
    outcome<registry_mode> delete_mode(std::string_view subject) override {
        if (fail) return *fail;
        last_subject = std::string(subject);
        return _mode;
    }
    outcome<compat_report> check(std::string_view subject, std::optional<version_selector> against,
                                 const schema_input& in, bool normalize) override {
        if (fail) return *fail;
        last_subject = std::string(subject);
        last_version = against;
        last_input = in;
        last_flag_a = normalize;
        return next_report;
    }
    bool id_registered_under(schema_id, std::string_view) override { return false; }
    bool id_exists(schema_id) override { return false; }
    std::optional<std::string> record_name_of(schema_id) override { return std::nullopt; }

  private:
    static registry_error not_found(std::string_view subject) {
        return {registry_errc::subject_not_found,
                "Subject '" + std::string(subject) + "' not found."};
    }
    std::vector<subject_version> versions_with(schema_id id) const {
        std::vector<subject_version> out;
        for (const auto& [name, vs] : _subjects)
            for (const auto& s : vs)
                if (s.id == id) out.push_back({s.subject, s.version});
        return out;
    }

    std::map<std::string, std::vector<subject_schema>> _subjects;
    int32_t _next_id = 1;
    compat_level _global_level = compat_level::backward;
    std::map<std::string, compat_level> _levels;
    registry_mode _mode = registry_mode::readwrite;
};

}  // namespace spate::http::testing
