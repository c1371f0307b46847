#pragma once

// Broker configs changed at run time (AlterConfigs / IncrementalAlterConfigs
// on the BROKER resource), as Kafka keeps its dynamic broker configs: a
// cluster-wide default scope (resource name "") and this broker's own scope
// (resource name = node id), the latter winning. Only keys the key table
// marks dynamic may be set; others are refused as Kafka refuses them.
//
// Persistence: <data-dir>/dynamic-broker-configs.properties
// (docs/formats/data-dir.md), rewritten whole (temporary file, fsync,
// rename) on every change, so a restart keeps them. At start-up
// apply_dynamic_configs() lays them over the static configuration. A change
// at run time is stored, described at once and handed to the registered
// dynamic_config_observers (live_configs.h), which apply what Kafka applies
// live: topic defaults (log.retention.ms, message.max.bytes, ...) and
// log.cleaner.backoff.ms, num.io.threads (the I/O pool's size). Others
// (log.cleaner.dedupe.buffer.size) take effect at the next start.
//
// Thread-safe: every member may be called from any thread.

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/broker_config.h"
#include "broker/topic_configs.h"
#include "kafka/protocol/error_code.h"

namespace spate::broker {

enum class dynamic_scope { cluster_default, this_broker };

// Why an alteration was refused: Kafka's error code and message.
struct config_refusal {
    kafka::error_code error = kafka::error_code::none;
    std::string message;
};

// Told of every stored change with the configuration now in effect: the
// static one (file and defaults) with both dynamic scopes laid over it.
// Called on the altering thread after the change is stored, outside the
// configs' lock; must not alter the configs itself. One consumer per
// observer.
class dynamic_config_observer {
  public:
    virtual ~dynamic_config_observer() = default;
    virtual void on_broker_configs_changed(const broker_config& effective) = 0;
};

class dynamic_broker_configs {
  public:
    // Reads the file under `data_dir` (none yet: empty scopes). Errors: an
    // unreadable or malformed file.
    static result<dynamic_broker_configs> load(const std::filesystem::path& data_dir);

    dynamic_broker_configs(dynamic_broker_configs&& o) noexcept;

    // The scope's settings (broker key names → values).
    storage::config_map get(dynamic_scope s) const;

    // The static configuration the scopes are laid over for observers; its
    // `file_settings` are re-applied to a default broker_config, so that a
    // deleted dynamic key falls back to the file's value (or the default).
    void set_static(const broker_config& c);
    // Registers `o` (not owned; must outlive these configs or be removed).
    void add_observer(dynamic_config_observer* o);
    void remove_observer(dynamic_config_observer* o);
    // The static configuration with both scopes laid over it.
    broker_config effective() const;

    // Replaces the scope's settings with `settings`: every key must be a
    // dynamic broker key with a valid value (else INVALID_CONFIG for unknown
    // keys, INVALID_REQUEST "Cannot update these configs dynamically: ..."
    // for read-only ones and for bad values, nothing changed). Unless
    // `validate_only`, stores them durably.
    std::optional<config_refusal> replace(dynamic_scope s, const storage::config_map& settings,
                                          bool validate_only);

    // The key table's description of `c` with the dynamic scopes laid over
    // it: a key set in a scope reports that value with source
    // DYNAMIC_BROKER_CONFIG / DYNAMIC_DEFAULT_BROKER_CONFIG and synonyms in
    // precedence order (this broker, cluster default, static file, default).
    std::vector<described_config> describe(const broker_config& c) const;

  private:
    explicit dynamic_broker_configs(std::filesystem::path file);
    status store() const;  // with _mu held

    std::filesystem::path _file;
    mutable std::mutex _mu;
    std::mutex _notify_mu;  // held by replace() through its observers; before _mu
    storage::config_map _default;
    storage::config_map _broker;
    broker_config _static;
    std::vector<dynamic_config_observer*> _observers;
};

// Applies the stored dynamic settings of `data_dir` over `c` (cluster
// default first, then this broker's): start-up, before the services read
// `c`. Errors: those of load(), or a stored value no longer valid.
status apply_dynamic_configs(broker_config& c);

}  // namespace spate::broker
