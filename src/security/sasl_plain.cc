#include "security/sasl_plain.h"

namespace spate::security {

result<plain_credentials> parse_plain(std::string_view message) {
    size_t first = message.find('\0');
    size_t second = first == std::string_view::npos ? first : message.find('\0', first + 1);
    if (second == std::string_view::npos ||
        message.find('\0', second + 1) != std::string_view::npos)
        return make_error(errc::invalid_argument, "PLAIN: expected authzid NUL user NUL password");
    std::string_view authzid = message.substr(0, first);
    plain_credentials c{std::string(message.substr(first + 1, second - first - 1)),
                        std::string(message.substr(second + 1))};
    if (c.user.empty() || c.password.empty())
        return make_error(errc::invalid_argument, "PLAIN: user and password must not be empty");
    if (!authzid.empty() && authzid != c.user)
        return make_error(errc::invalid_argument, "PLAIN: authzid must equal the user name");
    return c;
}

}  // namespace spate::security
