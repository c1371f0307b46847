#pragma once

// Client quotas with Kafka's semantics: byte rates for produce and fetch, a
// request-time percentage and a controller mutation rate, set per user, per
// client id or per (user, client id), with `<default>` entries; a client
// over its quota is not refused but told to wait (throttle_time_ms) and its
// connection muted for that long (controller mutations of recent request
// versions are refused instead, the broker's choice, see
// src/broker/client_quotas.h).
//
// Usage is measured against the quota as a token bucket, the form Kafka's
// KIP-599 gives its rate windows: the bucket refills at the quota's rate
// and holds at most one measurement span's worth (quota × `samples` ×
// `window_ms`, Kafka's quota.window.num × quota.window.size.seconds,
// default 11 × 1 s), so a client may burst that much and then averages the
// quota over any longer period; an observation that leaves the bucket
// negative must wait until it is refilled to zero, at most one window
// (Kafka's bound on client throttle times). Sliding windows that a burst
// leaves all at once would let the burst recur every span.
//
// Which quota applies (Kafka's precedence, most specific first):
//   user + client, user + default client, user, default user + client,
//   default user + default client, default user, client, default client.
// Usage is counted per entity that applies with `<default>` parts replaced
// by the client's own names: clients sharing a user quota share its rate, a
// default quota is each user's (client's) own.
//
// Threading: every member may be called from any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace spate::security {

enum class quota_kind {
    producer_byte_rate,
    consumer_byte_rate,
    request_percentage,
    controller_mutation_rate
};
inline constexpr std::array<quota_kind, 4> k_quota_kinds = {
    quota_kind::producer_byte_rate, quota_kind::consumer_byte_rate, quota_kind::request_percentage,
    quota_kind::controller_mutation_rate};

const char* quota_kind_name(quota_kind k);  // Kafka's config names
std::optional<quota_kind> quota_kind_of(std::string_view name);
// Kafka types the byte rates LONG (whole numbers), the others DOUBLE.
bool quota_kind_is_integral(quota_kind k);

// A quota entity as Kafka's DescribeClientQuotas names it: each part unset
// (not part of the entity), a name, or the default (`k_default_entity`).
inline constexpr const char* k_default_entity = "<default>";
inline constexpr const char* k_user_entity_type = "user";
inline constexpr const char* k_client_entity_type = "client-id";
struct quota_entity {
    std::optional<std::string> user;
    std::optional<std::string> client_id;

    auto operator<=>(const quota_entity&) const = default;
};
// "user=alice,client-id=<default>", for logs and messages.
std::string quota_entity_text(const quota_entity& e);

using quota_values = std::map<quota_kind, double>;

// Tokens refilled at `rate` per second up to `burst` (both passed on every
// call: an altered quota applies to the usage already measured). Starts
// full; goes negative when a client takes more than it holds.
class token_bucket {
  public:
    explicit token_bucket(double burst, int64_t now_ms) : _tokens(burst), _last_ms(now_ms) {}
    void take(double amount, double rate, double burst, int64_t now_ms);
    // Tokens at `now_ms` (after the refill since the last take).
    double tokens(double rate, double burst, int64_t now_ms) const;
    // How long until the bucket is back at zero, in ms (0: not negative).
    int64_t wait_ms(double rate, double burst, int64_t now_ms) const;
    // Refilled to the burst of the last take: no different from a new one.
    bool full(int64_t now_ms) const { return tokens(_rate, _burst, now_ms) >= _burst; }

  private:
    double _tokens;
    int64_t _last_ms;
    double _rate = 0;
    double _burst = 0;
};

class quota_manager {
  public:
    explicit quota_manager(int64_t window_ms = 1000, int samples = 11);

    // Sets (or with nullopt removes) a quota of an entity.
    void set(const quota_entity& e, quota_kind k, std::optional<double> value);
    std::optional<double> configured(const quota_entity& e, quota_kind k) const;
    // Replaces every quota of `e` (empty: the entity has none).
    void set_all(const quota_entity& e, const quota_values& values);
    quota_values configured(const quota_entity& e) const;
    // Every entity with a quota, with its quotas.
    std::map<quota_entity, quota_values> entries() const;
    // No quota of kind `k` is set for anyone (hot paths skip their work).
    bool none(quota_kind k) const;

    // The quota that applies to a client (precedence above), if any.
    std::optional<double> applying(const std::string& user, const std::string& client_id,
                                   quota_kind k) const;

    // Records `amount` (bytes; request time as a percentage of one thread,
    // i.e. seconds × 100; mutations) for the client and returns how long it
    // must wait, in ms (0 when under its quota or without one).
    int64_t record(const std::string& user, const std::string& client_id, quota_kind k,
                   double amount, int64_t now_ms);
    // How long the client must wait at `now_ms` without recording anything
    // (0: within its quota or without one).
    int64_t throttle_ms(const std::string& user, const std::string& client_id, quota_kind k,
                        int64_t now_ms) const;

    // The most a client can take at once under the quota that applies to it
    // (nullopt: none applies).
    std::optional<double> burst(const std::string& user, const std::string& client_id,
                                quota_kind k) const;

    int64_t window_ms() const { return _window_ms; }
    int samples() const { return _samples; }

  private:
    using usage_key = std::pair<quota_entity, quota_kind>;
    std::optional<std::pair<quota_entity, double>> applying_locked(const std::string& user,
                                                                   const std::string& client_id,
                                                                   quota_kind k) const;
    // The usage counter of the applying entity (the client's own names in
    // place of `<default>`).
    static quota_entity usage_entity(quota_entity applied, const std::string& user,
                                     const std::string& client_id);
    double burst_of(double bound) const { return bound * double(_samples * _window_ms) / 1000.0; }
    int64_t throttle_of(const token_bucket& b, double bound, int64_t now_ms) const;
    void prune_locked(int64_t now_ms);

    int64_t _window_ms;
    int _samples;
    mutable std::mutex _mutex;
    std::map<usage_key, double> _quotas;
    std::map<usage_key, token_bucket> _usage;
    size_t _records_since_prune = 0;
    void note_kinds_locked();
    std::atomic<unsigned> _kinds_set{0};  // bit per quota_kind with some quota
};

}  // namespace spate::security
