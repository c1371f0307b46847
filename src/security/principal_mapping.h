#pragma once

// Kafka's `ssl.principal.mapping.rules`: the user name of a client
// certificate's subject (its RFC 2253 distinguished name). Rules are tried in
// order: `RULE:pattern/replacement/[L|U]` applies when the pattern matches
// the whole name (replacement with $1.. groups, then lower or upper case);
// `DEFAULT` yields the name unchanged. Rules are separated by commas, which
// may also appear inside a pattern; "\/" is a slash inside a pattern or
// replacement.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace spate::security {

class principal_mapper {
  public:
    // Errors name the rule that does not parse or whose pattern is invalid.
    static result<principal_mapper> parse(std::string_view rules);

    // The user name for `distinguished_name`; an error when no rule applies
    // or the result is empty (the connection is refused).
    result<std::string> map(std::string_view distinguished_name) const;

  private:
    struct rule;
    std::vector<std::shared_ptr<const rule>> _rules;
};

}  // namespace spate::security
