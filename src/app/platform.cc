#include "app/platform.h"

namespace spate::app {

namespace {

std::string host_port(const std::string& host, uint16_t port) {
    std::string h = host.empty() ? "0.0.0.0" : host;
    if (h.find(':') != std::string::npos) h = "[" + h + "]";
    return h + ":" + std::to_string(port);
}

}  // namespace

platform::platform(broker::broker_config config, std::optional<net::listener_options> kafka,
                   bool with_broker)
    : _config(std::move(config))
    , _services(std::make_unique<net::service_set>(_rt))
    , _kafka_listen(std::move(kafka)) {
    if (!with_broker) {
        _kafka_listen.reset();
        return;
    }
    _storage = &_services->add(std::make_unique<broker::storage_service>(_config));
    auto& coordinators =
        _services->add(std::make_unique<broker::coordinator_service>(_config, *_storage));
    if (_kafka_listen)
        _kafka = &_services->add(std::make_unique<broker::kafka_service>(
            _config, *_storage, coordinators, *_kafka_listen));
}

platform::~platform() {
    stop();
}

net::listener& platform::add_listener(net::listener_options opts, net::connection_factory factory) {
    auto& l = _services->add(std::make_unique<net::listener>(std::move(opts), std::move(factory)));
    _listeners.push_back(&l);
    return l;
}

status platform::start() {
    _rt.start(_config.io_threads);
    auto s = _services->start_all();
    if (!s.ok()) _rt.stop();
    return s;
}

std::vector<std::string> platform::endpoints() const {
    std::vector<std::string> out;
    if (_kafka) {
        out.push_back("kafka listener on " + kafka_bootstrap());
        // Every named listener with its protocol (the first is the one above).
        for (const auto& e : _kafka->endpoints())
            out.push_back("kafka listener " + e.name + " (" +
                          broker::security_protocol_name(e.protocol) + ") on " +
                          host_port(e.host, e.port));
    }
    for (const auto* l : _listeners)
        out.push_back(l->options().name + " listener on " +
                      host_port(l->options().host, l->port()));
    return out;
}

std::string platform::kafka_bootstrap() const {
    if (!_kafka) return {};
    return host_port(_kafka_listen->host, _kafka->port());
}

std::string platform::local_kafka_address(const std::string& protocol) const {
    if (!_kafka) return {};
    // The registry speaks plaintext Kafka without credentials, the SQL
    // engine what spate.sql.kafka.security.protocol says: the first
    // listener of that protocol (default PLAINTEXT), else the first.
    auto wanted = broker::security_protocol::plaintext;
    if (!protocol.empty()) wanted = broker::parse_security_protocol(protocol).value_or(wanted);
    std::string host = _kafka_listen->host;
    uint16_t port = _kafka->port();
    for (const auto& e : _kafka->endpoints())
        if (e.protocol == wanted) {
            host = e.host;
            port = e.port;
            break;
        }
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    return host_port(host, port);
}

void platform::stop() {
    if (!_services) return;
    _services->stop_all();
    _rt.stop();
}

}  // namespace spate::app
