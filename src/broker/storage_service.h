#pragma once

// The storage service: opens the log manager on the data directory (recovery
// runs here), loads or creates the cluster id, and owns what every later
// service reads the log through: the topic directory and the append
// notifier. Stopping it closes the log manager (final syncs, the clean
// shutdown marker); every service that uses the logs stops before it.

#include <memory>
#include <optional>
#include <string>

#include "broker/append_notifier.h"
#include "broker/broker_config.h"
#include "broker/topic_directory.h"
#include "net/service.h"
#include "storage/log_manager.h"

namespace spate::broker {

class storage_service final : public net::service {
  public:
    // `config` must outlive the service.
    explicit storage_service(const broker_config& config) : _config(config) {}

    std::string_view name() const override { return "storage"; }
    status start(net::runtime& rt) override;
    void stop() override;

    // Valid between start() and stop().
    storage::log_manager& logs() { return *_logs; }
    topic_directory& topics() { return *_topics; }
    append_notifier& appends() { return _appends; }
    const std::string& cluster_id() const { return _cluster_id; }
    // How the last stop() closed the logs (a failed final sync, ...).
    const status& close_status() const { return _close_status; }

  private:
    const broker_config& _config;
    std::unique_ptr<storage::log_manager> _logs;
    std::optional<topic_directory> _topics;
    append_notifier _appends;
    std::string _cluster_id;
    status _close_status;
};

// Loads the cluster id from `<data_dir>/cluster.id`, creating the file with a
// fresh random id (22 characters, URL-safe base64 of 16 bytes, as Kafka's)
// when absent. errc::corrupt if the file holds something else.
result<std::string> load_or_create_cluster_id(const std::filesystem::path& data_dir);

}  // namespace spate::broker
