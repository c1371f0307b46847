#include "broker/coordinator_service.h"

#include <chrono>
#include <mutex>
#include <vector>

#include "base/log.h"

namespace spate::broker {

namespace {
// How often the transaction coordinator's timers (transaction timeouts,
// id expiry, marker retries) are evaluated.
constexpr std::chrono::milliseconds k_tick_interval{50};
}  // namespace

coordinator_service::coordinator_service(const broker_config& config, storage_service& storage)
    : _config(config)
    , _storage(storage)
    , _groups(std::make_unique<coordinator::group_coordinator>(
          coordinator::group_coordinator::options{
              .initial_rebalance_delay_ms = _config.group_initial_rebalance_delay_ms,
              .min_session_timeout_ms = _config.group_min_session_timeout_ms,
              .max_session_timeout_ms = _config.group_max_session_timeout_ms,
              .offsets_retention_ms = _config.offsets_retention_ms,
              .offsets_retention_check_interval_ms = _config.offsets_retention_check_interval_ms,
              .consumer_session_timeout_ms = _config.group_consumer_session_timeout_ms,
              .consumer_heartbeat_interval_ms = _config.group_consumer_heartbeat_interval_ms,
          },
          storage::system_now_ms))
    , _txns(std::make_unique<coordinator::txn_coordinator>(
          coordinator::txn_coordinator::options{
              .max_timeout_ms = _config.transaction_max_timeout_ms,
              .id_expiration_ms = _config.transactional_id_expiration_ms,
          },
          storage::system_now_ms,
          [this]() -> result<int64_t> {
              if (!_producer_ids)
                  return make_error(errc::shutting_down, "producer ids are not loaded");
              auto id = _producer_ids->next();
              if (!id.ok()) return id.err();
              return id->value();
          },
          [this](const coordinator::marker_request& req, std::function<void(status)> done) {
              write_markers(req, std::move(done));
          })) {}

coordinator_service::~coordinator_service() = default;

status coordinator_service::start(net::runtime& rt) {
    SPATE_TRY(load());
    auto& topics = _storage.topics();
    topics.mark_internal(coordinator::k_offsets_topic);
    topics.mark_internal(coordinator::k_transaction_state_topic);
    topics.on_topic_deleted(
        [this](const std::string& name) { _groups->delete_topic_offsets(name); });
    _groups->set_topic_source([this] {
        std::vector<coordinator::topic_meta> out;
        auto& dir = _storage.topics();
        for (auto& t : dir.list_topics())
            if (!dir.is_internal(t.name))
                out.push_back({std::move(t.name), to_uuid(t.id), t.partitions});
        return out;
    });
    _group_timer.emplace(storage::system_now_ms, [this] { return _groups->tick(); });
    _groups->set_wakeup([this](int64_t deadline_ms) { _group_timer->wake_at(deadline_ms); });
    _group_timer->start(rt);
    _tick.emplace(k_tick_interval, [this] { _txns->tick(); });
    _tick->start(rt);
    return {};
}

void coordinator_service::stop() {
    if (_tick) _tick->stop();
    if (_group_timer) _group_timer->stop();
    _groups->drop_waiters();
    _txns->drop_waiters();
}

status coordinator_service::load() {
    auto ids = coordinator::producer_id_allocator::open(_config.data_dir / "producer-ids");
    if (!ids.ok()) return ids.err();
    _producer_ids = std::move(*ids);
    auto store = std::make_unique<coordinator::offset_store>(_storage.logs());
    SPATE_TRY(store->load_into(*_groups));
    _offsets = std::move(store);
    auto* offsets = _offsets.get();
    _groups->set_persistence(
        [offsets](const std::string& g, const std::vector<coordinator::offset_change>& changes) {
            return offsets->append_offsets(g, changes);
        },
        [offsets](const std::string& g, const std::optional<coordinator::group_snapshot>& snap) {
            return offsets->append_group(g, snap);
        },
        [offsets](const std::string& g, int64_t pid, int16_t epoch,
                  const std::vector<coordinator::offset_change>& changes) {
            return offsets->append_txn_offsets(g, pid, epoch, changes);
        });
    _groups->set_consumer_persistence(
        [offsets](const std::string& g, const std::optional<coordinator::bytes>& snap) {
            return offsets->append_consumer_group(g, snap);
        });
    auto txns = std::make_unique<coordinator::txn_store>(_storage.logs());
    SPATE_TRY(txns->load_into(*_txns));
    _txn_store = std::move(txns);
    auto* ts = _txn_store.get();
    _txns->set_persistence(
        [ts](const std::string& id, const std::optional<coordinator::txn_metadata>& md) {
            return ts->append(id, md);
        });
    _txns->resume_pending();
    return {};
}

void coordinator_service::write_markers(const coordinator::marker_request& req,
                                        std::function<void(status)> done) {
    std::vector<std::pair<std::shared_ptr<storage::log>, model::offset>> written;
    for (const auto& tp : req.partitions) {
        bool offsets_topic = tp.topic == coordinator::k_offsets_topic;
        std::shared_ptr<storage::log> l;
        if (offsets_topic) {
            if (!_offsets) return done(make_error(errc::shutting_down, "offsets not loaded"));
            auto p = _offsets->topic().partition(true);
            if (!p.ok()) return done(p.err());
            l = std::move(*p);
        } else {
            l = _storage.topics().get(tp.topic, tp.partition);
        }
        if (!l) continue;  // the topic was deleted: nothing left to mark
        auto r = l->append_marker(model::producer_id(req.producer_id),
                                  model::producer_epoch(req.producer_epoch), req.commit, 0);
        if (!r.ok()) {
            // A newer epoch of the producer already wrote here, so this
            // transaction has ended on this partition.
            if (r.err().code == errc::producer_fenced) continue;
            return done(r.err());
        }
        if (offsets_topic) _groups->complete_txn(req.producer_id, req.commit);
        _storage.appends().notify(tp.topic, tp.partition);
        written.emplace_back(std::move(l), r->last_offset + 1);
    }
    if (written.empty()) return done({});
    struct countdown {
        std::mutex mu;
        size_t left = 0;
        status first_error;
        std::function<void(status)> done;
    };
    auto cd = std::make_shared<countdown>();
    cd->left = written.size();
    cd->done = std::move(done);
    for (auto& [l, end] : written) {
        l->when_durable(end, [cd](status s) {
            status result;
            {
                std::lock_guard lk(cd->mu);
                if (!s.ok() && cd->first_error.ok()) cd->first_error = s;
                if (--cd->left > 0) return;
                result = cd->first_error;
            }
            cd->done(result);
        });
    }
}

}  // namespace spate::broker
