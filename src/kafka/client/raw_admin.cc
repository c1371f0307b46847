#include "kafka/client/raw_admin.h"

#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include "kafka/client/error.h"
#include "kafka/client/raw_client.h"
#include "kafka/protocol/generated/describe_transactions_request.h"
#include "kafka/protocol/generated/describe_transactions_response.h"
#include "kafka/protocol/generated/find_coordinator_request.h"
#include "kafka/protocol/generated/find_coordinator_response.h"
#include "kafka/protocol/generated/incremental_alter_configs_response.h"
#include "kafka/protocol/generated/list_transactions_request.h"
#include "kafka/protocol/generated/list_transactions_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"

namespace spate::kafka::client {

namespace {

namespace proto = kafka::protocol;
using steady = std::chrono::steady_clock;
using conn_ptr = std::unique_ptr<raw_connection>;

// How long coordinator errors that Kafka clients retry are retried.
constexpr int k_coordinator_retry_ms = 5000;
constexpr int k_retry_backoff_ms = 200;
constexpr int16_t k_txn_id_not_found = 105;  // TRANSACTIONAL_ID_NOT_FOUND

bool retriable_coordinator_error(int16_t code) {
    return code == 14 || code == 15 || code == 16;  // LOAD_IN_PROGRESS, NOT_AVAILABLE, NOT_COORD.
}

error in_context(const std::string& context, int16_t code,
                 const std::optional<std::string>& msg = std::nullopt) {
    error e = kafka_error(code, msg.value_or(""));
    e.message = context + ": " + e.message;
    return e;
}

// ---- list ----

result<std::vector<broker_node>> cluster_brokers(raw_connection& c) {
    auto v = c.version<proto::metadata_request>("Metadata");
    SPATE_TRY(v);
    proto::metadata_request req;
    req.topics = std::vector<proto::metadata_request::metadata_request_topic>();  // no topics
    req.allow_auto_topic_creation = false;
    auto resp = c.call<proto::metadata_response>(req, *v);
    SPATE_TRY(resp);
    std::vector<broker_node> out;
    for (const auto& b : resp->brokers)
        out.push_back({b.node_id, b.host, b.port});
    if (out.empty())
        return make_error(errc::io_error, "the broker at " + c.address() + " reported no brokers");
    return out;
}

// ListTransactions on one broker (the coordinator of the ids it lists).
status list_on(raw_connection& c, const std::vector<std::string>& states,
               const std::vector<int64_t>& pids, transaction_list_result* out) {
    auto v = c.version<proto::list_transactions_request>("ListTransactions");
    SPATE_TRY(v);
    proto::list_transactions_request req;
    req.state_filters = states;
    req.producer_id_filters = pids;
    auto resp = c.call<proto::list_transactions_response>(req, *v);
    SPATE_TRY(resp);
    if (resp->error_code != 0)
        return in_context("ListTransactions at " + c.address(), resp->error_code);
    if (!resp->unknown_state_filters.empty()) {
        std::string names;
        for (const auto& s : resp->unknown_state_filters)
            names += (names.empty() ? "" : ", ") + s;
        out->warnings.push_back("the broker at " + c.address() + " does not know the state(s) " +
                                names);
    }
    for (const auto& t : resp->transaction_states) {
        // Filtered here too, in case a broker ignores the filters.
        bool state_ok = states.empty();
        for (const auto& s : states)
            state_ok = state_ok || s == t.transaction_state;
        bool pid_ok = pids.empty();
        for (int64_t p : pids)
            pid_ok = pid_ok || p == t.producer_id;
        if (state_ok && pid_ok)
            out->transactions.push_back({t.transactional_id, t.producer_id, t.transaction_state});
    }
    return {};
}

// ---- describe ----

// The outcome of FindCoordinator for one id: a node, or a Kafka error code.
struct found_coordinator {
    broker_node node;
    int16_t error = 0;
    std::optional<std::string> message;
};

// FindCoordinator (key type 1: transaction) for `ids`: batched from v4 on,
// one request per id before.
result<std::map<std::string, found_coordinator>> find_coordinators(
    raw_connection& c, const std::vector<std::string>& ids) {
    auto v = c.version<proto::find_coordinator_request>("FindCoordinator for transactions", 1);
    SPATE_TRY(v);
    std::map<std::string, found_coordinator> out;
    if (*v >= 4) {
        proto::find_coordinator_request req;
        req.key_type = 1;
        req.coordinator_keys = ids;
        auto resp = c.call<proto::find_coordinator_response>(req, *v);
        SPATE_TRY(resp);
        for (const auto& k : resp->coordinators)
            out[k.key] = {{k.node_id, k.host, k.port}, k.error_code, k.error_message};
        for (const auto& id : ids) {
            if (!out.count(id)) out[id] = {{}, -1, "no coordinator in the answer"};
        }
        return out;
    }
    for (const auto& id : ids) {
        proto::find_coordinator_request req;
        req.key_type = 1;
        req.key = id;
        auto resp = c.call<proto::find_coordinator_response>(req, *v);
        SPATE_TRY(resp);
        out[id] = {{resp->node_id, resp->host, resp->port}, resp->error_code, resp->error_message};
    }
    return out;
}

transaction_description to_description(
    const proto::describe_transactions_response::transaction_state_data& s,
    const broker_node& coordinator) {
    transaction_description d;
    d.transactional_id = s.transactional_id;
    d.state = s.transaction_state;
    d.producer_id = s.producer_id;
    d.producer_epoch = s.producer_epoch;
    d.timeout_ms = s.transaction_timeout_ms;
    d.start_time_ms = s.transaction_start_time_ms;
    d.coordinator = coordinator;
    for (const auto& t : s.topics) {
        for (int32_t p : t.partitions)
            d.partitions.push_back({t.topic, p});
    }
    return d;
}

error id_error(const std::string& id, int16_t code) {
    if (code == k_txn_id_not_found) {
        error e = kafka_error(code);
        e.message = "transactional id '" + id + "' does not exist (" + e.message + ")";
        return e;
    }
    return in_context("transactional id '" + id + "'", code);
}

// One round of describe: FindCoordinator for `pending`, then
// DescribeTransactions per coordinator. Retriable failures go to `retry`.
class describer {
  public:
    describer(const client_config& config, raw_connection& boot) : _config(config), _boot(boot) {}

    status round(const std::vector<std::string>& pending, transaction_describe_result& out,
                 std::map<std::string, error>& retry) {
        auto found = find_coordinators(_boot, pending);
        SPATE_TRY(found);
        std::map<std::string, std::vector<std::string>> by_node;  // address → ids
        std::map<std::string, broker_node> nodes;
        for (const auto& id : pending) {
            const found_coordinator& f = (*found)[id];
            if (f.error != 0) {
                (retriable_coordinator_error(f.error) ? retry : out.errors)
                    .insert_or_assign(
                        id, in_context("FindCoordinator for transactional id '" + id + "'", f.error,
                                       f.message));
                continue;
            }
            std::string addr = address_text({f.node.host, static_cast<uint16_t>(f.node.port)});
            by_node[addr].push_back(id);
            nodes[addr] = f.node;
        }
        for (const auto& [addr, ids] : by_node)
            SPATE_TRY(describe_on(nodes[addr], addr, ids, out, retry));
        return {};
    }

  private:
    // Connections by address; the bootstrap one is reused for its own address.
    result<raw_connection*> conn_to(const broker_node& n, const std::string& addr) {
        if (addr == _boot.address()) return &_boot;
        auto it = _conns.find(addr);
        if (it != _conns.end()) return it->second.get();
        auto c = raw_connection::open({n.host, static_cast<uint16_t>(n.port)}, _config);
        SPATE_TRY(c);
        return (_conns[addr] = std::move(*c)).get();
    }

    status describe_on(const broker_node& node, const std::string& addr,
                       const std::vector<std::string>& ids, transaction_describe_result& out,
                       std::map<std::string, error>& retry) {
        auto fail_all = [&](const error& e) {
            for (const auto& id : ids)
                out.errors.insert_or_assign(
                    id, make_error(e.code, "transactional id '" + id + "': coordinator " +
                                               node.text() + ": " + e.message));
        };
        auto c = conn_to(node, addr);
        if (!c.ok()) {
            fail_all(c.err());
            return {};
        }
        auto v = (*c)->version<proto::describe_transactions_request>("DescribeTransactions");
        SPATE_TRY(v);  // nothing can be described
        proto::describe_transactions_request req;
        req.transactional_ids = ids;
        auto resp = (*c)->call<proto::describe_transactions_response>(req, *v);
        if (!resp.ok()) {
            _conns.erase(addr);
            fail_all(resp.err());
            return {};
        }
        std::set<std::string> answered;
        for (const auto& s : resp->transaction_states) {
            answered.insert(s.transactional_id);
            if (s.error_code == 0) {
                out.described[s.transactional_id] = to_description(s, node);
            } else {
                (retriable_coordinator_error(s.error_code) ? retry : out.errors)
                    .insert_or_assign(s.transactional_id,
                                      id_error(s.transactional_id, s.error_code));
            }
        }
        for (const auto& id : ids) {
            if (!answered.count(id))
                out.errors.insert_or_assign(
                    id, make_error(errc::io_error,
                                   "transactional id '" + id + "': not in the answer of " + addr));
        }
        return {};
    }

    const client_config& _config;
    raw_connection& _boot;
    std::map<std::string, conn_ptr> _conns;
};

}  // namespace

result<transaction_list_result> list_transactions(const client_config& config,
                                                  const std::vector<std::string>& states,
                                                  const std::vector<int64_t>& producer_ids) {
    auto boot = raw_connection::open_bootstrap(config);
    SPATE_TRY(boot);
    auto brokers = cluster_brokers(**boot);
    SPATE_TRY(brokers);
    transaction_list_result out;
    for (const auto& b : *brokers) {
        status s;
        host_port hp{b.host, static_cast<uint16_t>(b.port)};
        if (address_text(hp) == (*boot)->address()) {
            s = list_on(**boot, states, producer_ids, &out);
        } else {
            auto c = raw_connection::open(hp, config);
            s = c.ok() ? list_on(**c, states, producer_ids, &out) : status(c.err());
        }
        if (s.ok()) continue;
        // Without ListTransactions nothing can be listed: fail outright.
        if (s.err().code == errc::unsupported) return s.err();
        out.incomplete += (out.incomplete.empty() ? "" : "; ") + std::string("broker ") +
                          std::to_string(b.id) + ": " + s.err().message;
    }
    return out;
}

result<transaction_describe_result> describe_transactions(const client_config& config,
                                                          const std::vector<std::string>& ids) {
    auto boot = raw_connection::open_bootstrap(config);
    SPATE_TRY(boot);
    describer d(config, **boot);
    transaction_describe_result out;
    std::vector<std::string> pending = ids;
    auto retry_deadline = steady::now() + std::chrono::milliseconds(k_coordinator_retry_ms);
    while (!pending.empty()) {
        std::map<std::string, error> retry;
        SPATE_TRY(d.round(pending, out, retry));
        pending.clear();
        if (retry.empty()) break;
        if (steady::now() >= retry_deadline) {
            for (auto& [id, e] : retry) {
                e.message +=
                    " (retried for " + std::to_string(k_coordinator_retry_ms / 1000) + " s)";
                out.errors.insert_or_assign(id, e);
            }
            break;
        }
        for (const auto& [id, e] : retry)
            pending.push_back(id);
        std::this_thread::sleep_for(std::chrono::milliseconds(k_retry_backoff_ms));
    }
    return out;
}

proto::incremental_alter_configs_request incremental_alter_configs_request(
    resource_type type, const std::string& name, const std::vector<config_change>& changes,
    bool validate_only) {
    proto::incremental_alter_configs_request req;
    proto::incremental_alter_configs_request::alter_configs_resource r;
    r.resource_type = type == resource_type::topic ? 2 : 4;  // Kafka's ConfigResource types
    r.resource_name = name;
    for (const auto& c : changes) {
        proto::incremental_alter_configs_request::alterable_config a;
        a.name = c.name;
        a.config_operation = static_cast<int8_t>(c.op);
        a.value = c.value;
        r.configs.push_back(std::move(a));
    }
    req.resources.push_back(std::move(r));
    req.validate_only = validate_only;
    return req;
}

status incremental_alter_configs(const client_config& config, resource_type type,
                                 const std::string& name,
                                 const std::vector<config_change>& changes) {
    auto c = raw_connection::open_bootstrap(config);
    SPATE_TRY(c);
    auto v = (*c)->version<proto::incremental_alter_configs_request>("IncrementalAlterConfigs");
    SPATE_TRY(v);
    auto req = incremental_alter_configs_request(type, name, changes, false);
    auto resp = (*c)->call<proto::incremental_alter_configs_response>(req, *v);
    SPATE_TRY(resp);
    for (const auto& r : resp->responses) {
        if (r.error_code != 0)
            return in_context("IncrementalAlterConfigs of '" + r.resource_name + "'", r.error_code,
                              r.error_message);
    }
    return {};
}

}  // namespace spate::kafka::client
