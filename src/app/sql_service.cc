#include "app/sql_service.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "base/log.h"

namespace spate::app {

// Hands sessions out of the engine while it runs.
class sql_service::forwarder final : public sql::session_factory {
  public:
    sql::sql_result<std::unique_ptr<sql::session>> open(const sql::session_options& o) override {
        std::shared_ptr<sql::engine> e;
        {
            std::lock_guard lock(_mu);
            e = _engine;
        }
        if (!e)
            return sql::make_error(sql::sql_errc::object_in_use, "the SQL engine is not running");
        return e->open(o);
    }
    void set(std::shared_ptr<sql::engine> e) {
        std::lock_guard lock(_mu);
        _engine = std::move(e);
    }
    std::shared_ptr<sql::engine> take() {
        std::lock_guard lock(_mu);
        return std::move(_engine);
    }

  private:
    std::mutex _mu;
    std::shared_ptr<sql::engine> _engine;
};

sql_service::sql_service(std::function<std::string()> bootstrap, std::string node_id,
                         std::function<std::shared_ptr<registry::service>()> registry,
                         std::string state_dir, kafka::client::property_list client_properties,
                         std::shared_ptr<sql::access_policy> access)
    : _bootstrap(std::move(bootstrap))
    , _node_id(std::move(node_id))
    , _registry(std::move(registry))
    , _state_dir(std::move(state_dir))
    , _client_properties(std::move(client_properties))
    , _access(std::move(access))
    , _forward(std::make_shared<forwarder>())
    , _sessions(_forward) {}

sql_service::~sql_service() = default;

status sql_service::start(net::runtime&) {
    sql::engine_options o;
    o.kafka.bootstrap = _bootstrap();
    o.kafka.client_id = "spate-sql";
    o.kafka.properties = _client_properties;
    o.access = _access;
    o.node_id = _node_id;
    o.state_dir = _state_dir;
    if (o.state_dir.empty()) {
        // No data directory of its own (--bootstrap): the state lives in
        // Kafka (changelogs); a scratch directory caches it for this run.
        auto tmpl = (std::filesystem::temp_directory_path() / "spate-sql-state-XXXXXX").string();
        if (!mkdtemp(tmpl.data()))
            return errno_error("creating a temporary SQL state directory", errno);
        _temp_state_dir = o.state_dir = tmpl;
        logging::get("sql").info("query state in {} (removed at stop)", _temp_state_dir);
    }
    if (_registry) o.registry = _registry();
    if (!o.registry)
        logging::get("sql").info("no schema registry: formats avro, protobuf and json_sr are off");
    auto e = sql::engine::start(o);
    if (!e.ok()) return make_error(errc::io_error, "SQL engine: " + e.error().message);
    _forward->set(std::move(e.value()));
    return {};
}

void sql_service::stop() {
    auto e = _forward->take();
    if (e) e->stop();
    if (!_temp_state_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(_temp_state_dir, ec);
        _temp_state_dir.clear();
    }
}

}  // namespace spate::app
