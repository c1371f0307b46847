#pragma once

// The consumers of dynamic broker configs that Kafka applies at run time,
// one observer per concern (dynamic_configs.h calls them after a change is
// stored):
//   - topic_defaults_applier: the log.* topic defaults (log.retention.ms,
//     log.retention.bytes, log.segment.bytes, message.max.bytes, ...): every
//     topic without its own override uses the new default at once
//     (storage::log_manager::set_broker_defaults);
//   - cleaner_backoff_applier: log.cleaner.backoff.ms, from the cleaner's
//     next sleep on;
//   - io_threads_applier: num.io.threads / num.network.threads (one I/O
//     pool serves both), grown or shrunk at once (net::runtime::resize).
// Dynamic keys not listed (log.cleaner.dedupe.buffer.size) are stored and
// described at once and take effect at the next start.
//
// Threading: called on the altering thread; the log manager is thread-safe.

#include "broker/dynamic_configs.h"
#include "net/runtime.h"
#include "storage/log_manager.h"

namespace spate::broker {

class topic_defaults_applier final : public dynamic_config_observer {
  public:
    // `logs` must outlive the applier.
    explicit topic_defaults_applier(storage::log_manager& logs) : _logs(logs) {}
    // A refusal (never expected: every value was validated when stored) is
    // logged; the previous defaults stay.
    void on_broker_configs_changed(const broker_config& effective) override;

  private:
    storage::log_manager& _logs;
};

class cleaner_backoff_applier final : public dynamic_config_observer {
  public:
    explicit cleaner_backoff_applier(storage::log_manager& logs) : _logs(logs) {}
    void on_broker_configs_changed(const broker_config& effective) override;

  private:
    storage::log_manager& _logs;
};

class io_threads_applier final : public dynamic_config_observer {
  public:
    // `rt` must outlive the applier.
    explicit io_threads_applier(net::runtime& rt) : _rt(rt) {}
    void on_broker_configs_changed(const broker_config& effective) override;

  private:
    net::runtime& _rt;
};

}  // namespace spate::broker
