#include "broker/live_configs.h"

#include "base/log.h"

namespace spate::broker {

void topic_defaults_applier::on_broker_configs_changed(const broker_config& effective) {
    if (effective.topic_defaults == _logs.broker_defaults()) return;
    auto st = _logs.set_broker_defaults(effective.topic_defaults);
    if (!st.ok())
        logging::get("broker").error("dynamic topic defaults not applied: {}",
                                     st.err().to_string());
}

void cleaner_backoff_applier::on_broker_configs_changed(const broker_config& effective) {
    _logs.set_cleaner_backoff_ms(effective.log_cleaner_backoff_ms);
}

void io_threads_applier::on_broker_configs_changed(const broker_config& effective) {
    if (effective.io_threads != _rt.size()) _rt.resize(effective.io_threads);
}

}  // namespace spate::broker
