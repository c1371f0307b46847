#include "sql/engine/settings.h"

#include <algorithm>
#include <cctype>

namespace spate::sql {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Settings PostgreSQL sends in ParameterStatus.
bool is_reported(const std::string& key) {
    static const char* k_reported[] = {"server_version",
                                       "server_encoding",
                                       "client_encoding",
                                       "application_name",
                                       "datestyle",
                                       "intervalstyle",
                                       "timezone",
                                       "integer_datetimes",
                                       "standard_conforming_strings",
                                       "is_superuser",
                                       "session_authorization",
                                       "default_transaction_read_only",
                                       "in_hot_standby"};
    for (const char* r : k_reported)
        if (key == r) return true;
    return false;
}

}  // namespace

session_settings::session_settings(const std::string& user, const std::string& application_name) {
    const std::pair<const char*, std::string> defaults[] = {
        {"server_version", "15.0"},
        {"server_version_num", "150000"},
        {"server_encoding", "UTF8"},
        {"client_encoding", "UTF8"},
        {"application_name", application_name},
        {"DateStyle", "ISO, MDY"},
        {"IntervalStyle", "postgres"},
        {"TimeZone", "UTC"},
        {"integer_datetimes", "on"},
        {"standard_conforming_strings", "on"},
        {"is_superuser", "on"},
        {"session_authorization", user},
        {"default_transaction_read_only", "off"},
        {"in_hot_standby", "off"},
        {"search_path", "\"$user\", public"},
        {"extra_float_digits", "1"},
        {"transaction_isolation", "read committed"},
        {"default_transaction_isolation", "read committed"},
        {"max_identifier_length", "63"},
        {"statement_timeout", "0"},
        {"lc_messages", "C"},
        {"lc_collate", "C"},
        {"lc_ctype", "C"},
        {"bytea_output", "hex"},
    };
    for (const auto& [name, value] : defaults) {
        std::string key = lower(name);
        _values[key] = entry{name, value, value};
        if (is_reported(key)) _dirty.insert(key);
    }
}

std::optional<std::string> session_settings::get(std::string_view name) const {
    auto it = _values.find(lower(name));
    if (it == _values.end()) return std::nullopt;
    return it->second.value;
}

void session_settings::set(std::string_view name, std::string value) {
    std::string key = lower(name);
    auto it = _values.find(key);
    if (it == _values.end()) {
        _values[key] = entry{key, value, ""};
    } else {
        it->second.value = std::move(value);
    }
    if (is_reported(key)) _dirty.insert(key);
}

void session_settings::reset(std::string_view name) {
    auto it = _values.find(lower(name));
    if (it == _values.end()) return;
    it->second.value = it->second.initial;
    if (is_reported(it->first)) _dirty.insert(it->first);
}

void session_settings::reset_all() {
    for (auto& [key, e] : _values) {
        if (e.value != e.initial && is_reported(key)) _dirty.insert(key);
        e.value = e.initial;
    }
}

std::vector<std::pair<std::string, std::string>> session_settings::all() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, e] : _values)
        out.emplace_back(e.display, e.value);
    return out;
}

std::vector<std::pair<std::string, std::string>> session_settings::take_reported() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& key : _dirty) {
        const auto& e = _values.at(key);
        out.emplace_back(e.display, e.value);
    }
    _dirty.clear();
    return out;
}

}  // namespace spate::sql
