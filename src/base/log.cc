#include "base/log.h"

#include <spdlog/details/registry.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>

namespace spate::logging {

namespace {

// `%*`: the message escaped as the inside of a JSON string.
class json_escaped_message final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        for (char c : msg.payload) {
            switch (c) {
                case '"':
                    append(dest, "\\\"");
                    break;
                case '\\':
                    append(dest, "\\\\");
                    break;
                case '\n':
                    append(dest, "\\n");
                    break;
                case '\r':
                    append(dest, "\\r");
                    break;
                case '\t':
                    append(dest, "\\t");
                    break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        char buf[8];
                        int n = std::snprintf(buf, sizeof buf, "\\u%04x", c);
                        dest.append(buf, buf + n);
                    } else {
                        dest.push_back(c);
                    }
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<json_escaped_message>();
    }

  private:
    static void append(spdlog::memory_buf_t& dest, std::string_view s) {
        dest.append(s.data(), s.data() + s.size());
    }
};

constexpr const char* k_text_pattern = "%Y-%m-%dT%H:%M:%S.%eZ %l [%n] %v";
constexpr const char* k_json_pattern =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","module":"%n","msg":"%*"})";

struct state {
    std::mutex mu;
    std::shared_ptr<spdlog::sinks::stderr_sink_mt> sink =
        std::make_shared<spdlog::sinks::stderr_sink_mt>();
    spdlog::level::level_enum level = spdlog::level::info;
    format fmt = format::text;
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;

    std::unique_ptr<spdlog::formatter> make_formatter() const {
        auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        if (fmt == format::json) {
            f->add_flag<json_escaped_message>('*').set_pattern(k_json_pattern);
        } else {
            f->set_pattern(k_text_pattern);
        }
        return f;
    }
};

state& global() {
    // Never destroyed: loggers may be used during static teardown.
    static state* s = [] {
        auto* st = new state();
        st->sink->set_formatter(st->make_formatter());
        return st;
    }();
    return *s;
}

}  // namespace

spdlog::logger& get(std::string_view module) {
    auto& g = global();
    std::lock_guard lk(g.mu);
    if (auto it = g.loggers.find(module); it != g.loggers.end()) return *it->second;
    auto l = std::make_shared<spdlog::logger>(std::string(module), g.sink);
    l->set_level(g.level);
    l->flush_on(spdlog::level::warn);
    auto& ref = *l;
    g.loggers.emplace(std::string(module), std::move(l));
    return ref;
}

status configure(std::string_view level, format f) {
    auto lv = spdlog::level::from_str(std::string(level));
    // from_str answers `off` for any unknown name.
    if (lv == spdlog::level::off && level != "off")
        return make_error(errc::invalid_argument, "unknown log level '" + std::string(level) +
                                                      "' (one of " + k_level_names + ")");
    auto& g = global();
    std::lock_guard lk(g.mu);
    g.level = lv;
    g.fmt = f;
    g.sink->set_formatter(g.make_formatter());
    for (auto& [name, l] : g.loggers)
        l->set_level(lv);
    return {};
}

}  // namespace spate::logging
