#include "app/registry_service.h"

#include "registry/store/open.h"

namespace spate::app {

registry_service::registry_service(std::function<std::string()> bootstrap, std::string node_name)
    : _bootstrap(std::move(bootstrap)), _node_name(std::move(node_name)) {}

registry_service::~registry_service() = default;

status registry_service::start(net::runtime&) {
    registry::store_options o;
    o.bootstrap = _bootstrap();
    o.node_name = _node_name;
    auto opened = registry::open_store(o);
    if (!opened.ok())
        return make_error(opened.err().code, "schema registry: " + opened.err().message);
    std::lock_guard lock(_slot->mu);
    _slot->svc = std::move(opened.value());
    return {};
}

void registry_service::stop() {
    std::shared_ptr<registry::service> svc;
    {
        std::lock_guard lock(_slot->mu);
        svc = std::move(_slot->svc);
    }
    // Requests still running keep their reference; the last one closes it.
}

http::registry_source registry_service::source() {
    return [s = _slot]() -> std::shared_ptr<registry::service> {
        std::lock_guard lock(s->mu);
        return s->svc;
    };
}

}  // namespace spate::app
