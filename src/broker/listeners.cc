#include "broker/listeners.h"
#include "broker/config_text.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "broker/broker_config.h"

namespace spate::broker {

namespace {

constexpr const char* k_override_prefix = "listener.name.";

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        size_t end = s.find(sep, pos);
        std::string part = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        size_t b = part.find_first_not_of(" \t");
        size_t e = part.find_last_not_of(" \t");
        out.push_back(b == std::string::npos ? "" : part.substr(b, e - b + 1));
        if (end == std::string::npos) break;
        pos = end + 1;
    }
    return out;
}

bool valid_name(const std::string& n) {
    return !n.empty() && std::all_of(n.begin(), n.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '_';
    });
}

std::string upper(std::string s) {
    for (auto& ch : s)
        ch = char(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

}  // namespace

const char* security_protocol_name(security_protocol p) {
    switch (p) {
        case security_protocol::plaintext:
            return "PLAINTEXT";
        case security_protocol::ssl:
            return "SSL";
        case security_protocol::sasl_plaintext:
            return "SASL_PLAINTEXT";
        case security_protocol::sasl_ssl:
            return "SASL_SSL";
    }
    return "PLAINTEXT";
}

std::optional<security_protocol> parse_security_protocol(const std::string& name) {
    for (auto p : {security_protocol::plaintext, security_protocol::ssl,
                   security_protocol::sasl_plaintext, security_protocol::sasl_ssl})
        if (upper(name) == security_protocol_name(p)) return p;
    return std::nullopt;
}

result<std::vector<listener_endpoint>> parse_listener_list(const std::string& value) {
    std::vector<listener_endpoint> out;
    std::set<std::string> names;
    for (const auto& entry : split(value, ',')) {
        auto bad = [&](const std::string& why) {
            return make_error(errc::invalid_argument, "'" + entry + "': " + why);
        };
        auto sep = entry.find("://");
        if (sep == std::string::npos) return bad("expected NAME://HOST:PORT");
        listener_endpoint l;
        l.name = upper(entry.substr(0, sep));
        if (!valid_name(l.name)) return bad("a listener name is letters, digits and '_'");
        if (!parse_host_port(entry.substr(sep + 3), l.host, l.port).ok())
            return bad("expected NAME://HOST:PORT");
        if (!names.insert(l.name).second) return bad("listener name " + l.name + " repeated");
        out.push_back(std::move(l));
    }
    return out;
}

std::string listener_list_text(const std::vector<listener_endpoint>& l) {
    std::string out;
    for (const auto& e : l) {
        if (!out.empty()) out += ",";
        bool v6 = e.host.find(':') != std::string::npos;
        out += e.name + "://" + (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
    }
    return out;
}

result<std::map<std::string, security_protocol>> parse_protocol_map(const std::string& value) {
    std::map<std::string, security_protocol> out;
    for (const auto& entry : split(value, ',')) {
        auto colon = entry.find(':');
        std::optional<security_protocol> p;
        if (colon != std::string::npos) p = parse_security_protocol(entry.substr(colon + 1));
        std::string name = colon == std::string::npos ? "" : upper(entry.substr(0, colon));
        if (!p || !valid_name(name))
            return make_error(errc::invalid_argument,
                              "'" + entry +
                                  "': expected NAME:PROTOCOL (PLAINTEXT, SSL, SASL_PLAINTEXT, "
                                  "SASL_SSL)");
        out[name] = *p;
    }
    return out;
}

std::map<std::string, security_protocol> default_protocol_map() {
    std::map<std::string, security_protocol> out;
    for (auto p : {security_protocol::plaintext, security_protocol::ssl,
                   security_protocol::sasl_plaintext, security_protocol::sasl_ssl})
        out[security_protocol_name(p)] = p;
    return out;
}

bool is_listener_override_key(const std::string& key) {
    static const std::set<std::string> keys = {
        "ssl.keystore.location",   "ssl.keystore.type",         "ssl.truststore.location",
        "ssl.truststore.type",     "ssl.client.auth",           "ssl.principal.mapping.rules",
        "sasl.enabled.mechanisms", "connections.max.reauth.ms", "ssl.key.password",
        "ssl.enabled.protocols",   "ssl.cipher.suites"};
    return keys.contains(key);
}

result<std::vector<kafka_listener>> resolve_listeners(const broker_config& c) {
    auto map = default_protocol_map();
    if (!c.listener_security_protocol_map.empty()) {
        auto m = parse_protocol_map(c.listener_security_protocol_map);
        if (!m.ok())
            return make_error(errc::invalid_argument,
                              "listener.security.protocol.map: " + m.err().message);
        map = std::move(*m);
    }
    std::vector<listener_endpoint> addrs = c.listeners;
    if (addrs.empty()) addrs.push_back({"PLAINTEXT", c.listen_host, c.listen_port});
    // --kafka-listen (listen_host/listen_port) is the first listener's address.
    addrs.front().host = c.listen_host;
    addrs.front().port = c.listen_port;
    std::vector<kafka_listener> out;
    for (const auto& a : addrs) {
        auto it = map.find(a.name);
        if (it == map.end())
            return make_error(errc::invalid_argument,
                              "listeners: listener " + a.name +
                                  " has no security protocol in listener.security.protocol.map");
        kafka_listener l{a, it->second, {}, 0};
        for (const auto& adv : c.advertised_listeners)
            if (adv.name == a.name) {
                l.advertised_host = adv.host;
                l.advertised_port = adv.port;
            }
        out.push_back(std::move(l));
    }
    for (const auto& adv : c.advertised_listeners)
        if (std::none_of(out.begin(), out.end(),
                         [&](const kafka_listener& l) { return l.address.name == adv.name; }))
            return make_error(errc::invalid_argument,
                              "advertised.listeners: " + adv.name + " is not in listeners");
    // `--advertise` (advertised_host/port) is the first listener's.
    if (!c.advertised_host.empty()) out.front().advertised_host = c.advertised_host;
    if (c.advertised_port) out.front().advertised_port = c.advertised_port;
    return out;
}

std::optional<std::string> listener_override(const broker_config& c, const std::string& name,
                                             const std::string& key) {
    auto it = c.listener_overrides.find(k_override_prefix + lower_ascii(name) + "." + key);
    if (it == c.listener_overrides.end()) return std::nullopt;
    return it->second;
}

}  // namespace spate::broker
