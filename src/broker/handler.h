#pragma once

// The contract between a Kafka connection and the per-API handlers
// (handlers/<api>.cc). A handler gets the decoded request header, the raw
// request body, who sent it (principal, listener, address) and the narrow
// services it may use (handler_deps); it produces a whole response frame, no
// response (acks=0 produce), or asks for the connection to be closed
// (malformed body, a version it does not serve). Handlers run on their
// connection's strand and may suspend (durability waits, fetch long polls);
// the connection sends responses in request order regardless of completion
// order.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "broker/request_buffer.h"
#include "kafka/protocol/acl.h"
#include "kafka/protocol/frame.h"
#include "net/connection_info.h"
#include "storage/file.h"

namespace spate::coordinator {
class group_coordinator;
class txn_coordinator;
}  // namespace spate::coordinator
namespace spate::storage {
class log;
}

namespace spate::broker {

class access_control;
class append_notifier;
class client_quotas;
class request_clock;
class cluster_view;
class connection_auth;
class credential_log;
class fetch_session_cache;
class schema_validator_slot;
class dynamic_broker_configs;
class topic_directory;

// The services a handler may use, each a narrow interface owned elsewhere
// (storage_service, coordinator_service, kafka_service); all outlive every
// connection.
struct handler_deps {
    cluster_view& cluster;                   // node, cluster id, config, advertised address
    topic_directory& topics;                 // topic and partition lookup and changes
    append_notifier& appends;                // wakes fetch long polls
    fetch_session_cache& fetch_sessions;     // KIP-227
    coordinator::group_coordinator& groups;  // consumer groups and offsets
    coordinator::txn_coordinator& txns;      // transactions
    // The __transaction_state log (nullptr before the first transactional
    // id): coordinator answers wait until it is durable.
    std::function<std::shared_ptr<storage::log>()> transaction_log;
    // Produce's schema id validation (schema_validator.h); set by the app.
    schema_validator_slot& schema_validators;
    // Broker configs altered at run time (dynamic_configs.h).
    dynamic_broker_configs& dynamic_configs;
    // ACL checks, ACL changes and the audit log (access_control.h).
    access_control& access;
    // Users' SCRAM credentials and their internal topic (credential_log.h);
    // nullptr in harnesses without one (the credential APIs then fail).
    credential_log* credentials = nullptr;
    // Client quotas and their internal topic (client_quotas.h); nullptr in
    // harnesses without one (no throttling; the quota APIs then fail).
    client_quotas* quotas = nullptr;
};

struct request_context {
    handler_deps& svc;
    // Who sent the request: principal (User:ANONYMOUS until authentication),
    // listener name and peer address. Owned by the connection.
    const net::connection_info& conn;
    kafka::protocol::request_header_info header;
    // The whole frame after the size prefix. Owned here so that handlers may
    // edit record batches in place (produce assigns offsets) and so views
    // into it stay valid while the handler runs.
    request_buffer frame;
    // The connection's strand: completions from other threads are posted here.
    boost::asio::any_io_executor executor;
    // The peer's address as Kafka reports client hosts ("/127.0.0.1").
    const std::string& client_host;
    // The response may carry file ranges (handler_outcome::files): the
    // connection sends them with sendfile (plaintext TCP and
    // spate.fetch.zero.copy on). Otherwise handlers copy record bytes.
    bool send_files = false;
    // The connection's authentication (SaslHandshake / SaslAuthenticate
    // change it); never null for a connection's requests.
    connection_auth* auth = nullptr;
    // The handler's own time so far (request_percentage quota); null when
    // not measured (harnesses).
    std::shared_ptr<request_clock> clock;
    // The largest throttle time (ms) a quota the handler recorded against
    // asked for (byte rates, controller mutations); handler_util's
    // throttle_time() adds the request-time quota.
    int64_t throttle_ms = 0;

    std::span<std::byte> body() { return std::span(frame).subspan(header.header_size); }
    int16_t version() const { return header.api_version; }
};

// `size` bytes at `position` of `file`, sent in place of nothing at byte `at`
// of a response frame (between frame[at - 1] and frame[at]). The shared
// reference keeps the descriptor open while the response is queued: a
// segment retention deletes or compaction replaces meanwhile is unlinked or
// renamed over, never rewritten, so the range still reads the bytes it
// held when the handler chose it.
struct file_range {
    std::shared_ptr<const storage::file> file;
    uint64_t position = 0;
    size_t size = 0;
    size_t at = 0;
};

struct handler_outcome {
    enum class kind { respond, no_response, close };
    kind what = kind::close;
    std::vector<std::byte> frame;  // with its size prefix, for kind::respond
    // `frame` came from response_buffer_pool: the connection gives it back
    // once written.
    bool pooled_frame = false;
    // Ranges spliced into `frame`, by increasing `at` (only when
    // request_context::send_files); the size prefix counts them.
    std::vector<file_range> files;
    // kind::respond: close the connection once the frame is sent (a failed
    // SASL authentication).
    bool close_after = false;
    // Client quotas (KIP-219): the connection reads no further request for
    // this long after sending the response (acks=0 Produce: after the
    // handler finished); with `delay_response` (request versions before
    // KIP-219, whose clients do not back off themselves) it also holds the
    // response back that long.
    int64_t throttle_ms = 0;
    bool delay_response = false;

    // Bytes on the wire: the frame and its file ranges.
    size_t size() const {
        size_t n = frame.size();
        for (const auto& f : files)
            n += f.size;
        return n;
    }
};

using handler_fn = boost::asio::awaitable<handler_outcome> (*)(request_context&);

// One served API: the versions its handler implements and the authorization
// it needs. Versions inside [min_version, max_version] are advertised by
// ApiVersions; a handler may still close the connection for an advertised
// version it cannot serve (old Produce/Fetch versions whose record formats
// Spate does not speak). `operation` on `resource` is what Kafka checks
// first for the API (per-item checks, e.g. Produce's transactional id, are
// the handler's); resource_type::unknown means the API is served to every
// principal (ApiVersions).
struct handler_spec {
    kafka::protocol::api_key key;
    int16_t min_version;
    int16_t max_version;
    handler_fn fn;
    kafka::protocol::acl_operation operation = kafka::protocol::acl_operation::unknown;
    kafka::protocol::resource_type resource = kafka::protocol::resource_type::unknown;
};

}  // namespace spate::broker
