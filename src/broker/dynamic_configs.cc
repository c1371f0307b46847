#include "broker/dynamic_configs.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/assert.h"
#include "base/log.h"
#include "broker/config_keys.h"

namespace spate::broker {

namespace {

using kafka::error_code;

constexpr const char* k_file_name = "dynamic-broker-configs.properties";
constexpr const char* k_default_word = "cluster-default";
constexpr const char* k_broker_word = "broker";

const char* word_of(dynamic_scope s) {
    return s == dynamic_scope::cluster_default ? k_default_word : k_broker_word;
}

// Kafka's refusal for one key and value, or nullopt when it may be set.
std::optional<config_refusal> check_setting(const std::string& key, const std::string& value) {
    const broker_key* k = find_broker_key(key);
    if (!k) return config_refusal{error_code::invalid_config, "Unknown broker config: " + key};
    if (!k->dynamic)
        return config_refusal{error_code::invalid_request,
                              "Cannot update these configs dynamically: Set(" + key + ")"};
    broker_config scratch;
    if (auto s = k->apply(scratch, value); !s.ok())
        return config_refusal{error_code::invalid_request, s.err().message};
    return std::nullopt;
}

status fsync_path(const std::filesystem::path& p, int flags) {
    int fd = ::open(p.c_str(), flags);
    if (fd < 0) return make_error(errc::io_error, "cannot open " + p.string());
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return make_error(errc::io_error, "cannot fsync " + p.string());
    return {};
}

}  // namespace

dynamic_broker_configs::dynamic_broker_configs(std::filesystem::path file)
    : _file(std::move(file)) {}

dynamic_broker_configs::dynamic_broker_configs(dynamic_broker_configs&& o) noexcept
    : _file(std::move(o._file))
    , _default(std::move(o._default))
    , _broker(std::move(o._broker))
    , _static(std::move(o._static))
    , _observers(std::move(o._observers)) {}

void dynamic_broker_configs::set_static(const broker_config& c) {
    broker_config base;
    base.data_dir = c.data_dir;
    base.node_id = c.node_id;
    for (const auto& [k, v] : c.file_settings) {
        if (auto st = apply_setting(base, k, v); !st.ok())
            logging::get("broker").warn("dynamic configs: static {}: {}", k, st.err().message);
    }
    std::lock_guard lk(_mu);
    _static = std::move(base);
}

void dynamic_broker_configs::add_observer(dynamic_config_observer* o) {
    std::lock_guard lk(_mu);
    _observers.push_back(o);
}

void dynamic_broker_configs::remove_observer(dynamic_config_observer* o) {
    std::lock_guard lk(_mu);
    std::erase(_observers, o);
}

broker_config dynamic_broker_configs::effective() const {
    std::lock_guard lk(_mu);
    broker_config c = _static;
    for (const auto* scope : {&_default, &_broker}) {
        for (const auto& [k, v] : *scope) {
            const broker_key* key = find_broker_key(k);
            // Checked when stored; a failure here is a bug in the key table.
            SPATE_ASSERT(key != nullptr);
            const bool applied = key->apply(c, v).ok();
            SPATE_ASSERT(applied);
        }
    }
    return c;
}

result<dynamic_broker_configs> dynamic_broker_configs::load(const std::filesystem::path& data_dir) {
    dynamic_broker_configs out(data_dir / k_file_name);
    std::error_code ec;
    if (!std::filesystem::exists(out._file, ec)) return out;
    std::ifstream in(out._file);
    if (!in) return make_error(errc::io_error, "cannot read " + out._file.string());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.find(' ');
        auto eq = line.find('=', space == std::string::npos ? 0 : space);
        if (space == std::string::npos || eq == std::string::npos)
            return make_error(errc::corrupt, out._file.string() + ":" + std::to_string(n) +
                                                 ": expected 'SCOPE KEY=VALUE'");
        std::string word = line.substr(0, space);
        std::string key = line.substr(space + 1, eq - space - 1);
        std::string value = line.substr(eq + 1);
        if (word == k_default_word)
            out._default[key] = value;
        else if (word == k_broker_word)
            out._broker[key] = value;
        else
            return make_error(errc::corrupt, out._file.string() + ":" + std::to_string(n) +
                                                 ": unknown scope '" + word + "'");
    }
    return out;
}

storage::config_map dynamic_broker_configs::get(dynamic_scope s) const {
    std::lock_guard lk(_mu);
    return s == dynamic_scope::cluster_default ? _default : _broker;
}

std::optional<config_refusal> dynamic_broker_configs::replace(dynamic_scope s,
                                                              const storage::config_map& settings,
                                                              bool validate_only) {
    for (const auto& [k, v] : settings)
        if (auto refused = check_setting(k, v)) return refused;
    if (validate_only) return std::nullopt;
    // Held until the observers are done, so they see changes in the order
    // they were stored (lock order: _notify_mu, then _mu).
    std::lock_guard notifying(_notify_mu);
    std::unique_lock lk(_mu);
    auto& scope = s == dynamic_scope::cluster_default ? _default : _broker;
    auto before = scope;
    scope = settings;
    if (auto st = store(); !st.ok()) {
        scope = std::move(before);
        return config_refusal{error_code::kafka_storage_error, st.err().message};
    }
    auto observers = _observers;
    lk.unlock();
    const broker_config now = effective();
    for (auto* o : observers)
        o->on_broker_configs_changed(now);
    return std::nullopt;
}

status dynamic_broker_configs::store() const {
    auto tmp = _file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return make_error(errc::io_error, "cannot write " + tmp.string());
        out << "# Dynamic broker configs (AlterConfigs on the BROKER resource); "
               "written by spate.\n";
        for (auto s : {dynamic_scope::cluster_default, dynamic_scope::this_broker})
            for (const auto& [k, v] : s == dynamic_scope::cluster_default ? _default : _broker)
                out << word_of(s) << ' ' << k << '=' << v << '\n';
        out.flush();
        if (!out) return make_error(errc::io_error, "cannot write " + tmp.string());
    }
    SPATE_TRY(fsync_path(tmp, O_RDONLY));
    std::error_code ec;
    std::filesystem::rename(tmp, _file, ec);
    if (ec)
        return make_error(errc::io_error, "cannot rename " + tmp.string() + ": " + ec.message());
    return fsync_path(_file.parent_path(), O_RDONLY | O_DIRECTORY);
}

std::vector<described_config> dynamic_broker_configs::describe(const broker_config& c) const {
    auto out = describe_broker_configs(c);
    std::lock_guard lk(_mu);
    for (auto& d : out) {
        auto b = _broker.find(d.name);
        auto g = _default.find(d.name);
        if (b == _broker.end() && g == _default.end()) continue;
        std::vector<config_synonym> syn;
        if (b != _broker.end())
            syn.push_back({d.name, b->second, config_source::dynamic_broker_config});
        if (g != _default.end())
            syn.push_back({d.name, g->second, config_source::dynamic_default_broker_config});
        if (auto f = c.file_settings.find(d.name); f != c.file_settings.end())
            syn.push_back({d.name, f->second, config_source::static_broker_config});
        if (!d.synonyms.empty() && d.synonyms.back().source == config_source::default_config)
            syn.push_back(d.synonyms.back());
        d.value = syn.front().value;
        d.source = syn.front().source;
        d.synonyms = std::move(syn);
    }
    return out;
}

status apply_dynamic_configs(broker_config& c) {
    auto dyn = dynamic_broker_configs::load(c.data_dir);
    if (!dyn.ok()) return dyn.err();
    for (auto s : {dynamic_scope::cluster_default, dynamic_scope::this_broker}) {
        for (const auto& [k, v] : dyn->get(s)) {
            const broker_key* key = find_broker_key(k);
            if (!key)
                return make_error(errc::invalid_argument,
                                  "dynamic broker config: unknown key '" + k + "'");
            SPATE_TRY(key->apply(c, v));
        }
    }
    return {};
}

}  // namespace spate::broker
