#include "net/service.h"

#include "base/log.h"

namespace spate::net {

const char* health_name(health h) {
    switch (h) {
        case health::stopped:
            return "stopped";
        case health::starting:
            return "starting";
        case health::serving:
            return "serving";
        case health::failed:
            return "failed";
        case health::stopping:
            return "stopping";
    }
    return "unknown";
}

status service_set::start_all() {
    auto& log = logging::get("net");
    for (size_t i = 0; i < _entries.size(); ++i) {
        auto& e = _entries[i];
        if (e.h->load() == health::serving) continue;
        e.h->store(health::starting);
        auto s = e.svc->start(_rt);
        if (!s.ok()) {
            e.h->store(health::failed);
            log.error("service {} failed to start: {}", e.svc->name(), s.err().message);
            stop_all();
            return make_error(s.err().code, std::string(e.svc->name()) + ": " + s.err().message);
        }
        e.h->store(health::serving);
        log.debug("service {} started", e.svc->name());
    }
    return {};
}

void service_set::stop_all() {
    for (auto it = _entries.rbegin(); it != _entries.rend(); ++it) {
        if (it->h->load() != health::serving) continue;
        it->h->store(health::stopping);
        it->svc->stop();
        it->h->store(health::stopped);
        logging::get("net").debug("service {} stopped", it->svc->name());
    }
}

std::vector<service_set::state> service_set::states() const {
    std::vector<state> out;
    for (const auto& e : _entries)
        out.push_back({std::string(e.svc->name()), e.h->load()});
    return out;
}

}  // namespace spate::net
