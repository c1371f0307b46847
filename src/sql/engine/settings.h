#pragma once

// Session settings (SET/SHOW/current_setting) with PostgreSQL's defaults
// for what clients read at connect time. Names are case-insensitive;
// unknown names may be SET (as custom settings with a dot, or any name: clients
// set many we do not act on) and SHOW then returns them.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace spate::sql {

class session_settings {
  public:
    explicit session_settings(const std::string& user, const std::string& application_name);

    std::optional<std::string> get(std::string_view name) const;
    void set(std::string_view name, std::string value);
    void reset(std::string_view name);
    void reset_all();
    // (display name, value) of every setting, sorted.
    std::vector<std::pair<std::string, std::string>> all() const;
    // Reported settings changed since the last call (all on the first).
    std::vector<std::pair<std::string, std::string>> take_reported();

  private:
    struct entry {
        std::string display;
        std::string value;
        std::string initial;
    };
    std::map<std::string, entry> _values;  // lower-case name -> entry
    std::set<std::string> _dirty;
};

}  // namespace spate::sql
