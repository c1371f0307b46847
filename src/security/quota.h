#pragma once

// Client quotas with Kafka's semantics: byte rates for produce and fetch and
// a request-time percentage, set per user, per client id or per (user,
// client id), with `<default>` entries; a client over its quota is not
// refused but told to wait (throttle_time_ms) and its connection muted for
// that long.
//
// Rates are measured over `samples` windows of `window_ms` each (Kafka's
// quota.window.num / quota.window.size.seconds, default 11 × 1 s); the
// throttle time of an observation that takes the rate over the bound is
// (rate - bound) / bound × the measured span, capped at the span.
//
// Which quota applies (Kafka's precedence, most specific first):
//   user + client, user + default client, user, default user + client,
//   default user + default client, default user, client, default client.
//
// Threading: every member may be called from any thread.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace spate::security {

enum class quota_kind { producer_byte_rate, consumer_byte_rate, request_percentage };

const char* quota_kind_name(quota_kind k);  // Kafka's config names

// A quota entity as Kafka's DescribeClientQuotas names it: each part unset
// (not part of the entity), a name, or the default (`k_default_entity`).
inline constexpr const char* k_default_entity = "<default>";
struct quota_entity {
    std::optional<std::string> user;
    std::optional<std::string> client_id;

    auto operator<=>(const quota_entity&) const = default;
};

// A rate over the last `samples` windows of `window_ms`.
class rate_window {
  public:
    rate_window(int64_t window_ms, int samples);
    void record(double amount, int64_t now_ms);
    // Per second, over the windows still current at `now_ms` (the span is at
    // least the part of one window elapsed, so a burst at start is a rate).
    double rate(int64_t now_ms) const;
    // The measured span in ms at `now_ms`.
    int64_t span_ms(int64_t now_ms) const;

  private:
    void expire(int64_t now_ms);

    int64_t _window_ms;
    int _samples;
    struct sample {
        int64_t start_ms = 0;
        double amount = 0;
    };
    std::vector<sample> _ring;  // oldest first after expire
};

class quota_manager {
  public:
    explicit quota_manager(int64_t window_ms = 1000, int samples = 11);

    // Sets (or with nullopt removes) a quota of an entity.
    void set(const quota_entity& e, quota_kind k, std::optional<double> value);
    std::optional<double> configured(const quota_entity& e, quota_kind k) const;

    // The quota that applies to a client (precedence above), if any.
    std::optional<double> applying(const std::string& user, const std::string& client_id,
                                   quota_kind k) const;

    // Records `amount` (bytes, or request time as a percentage of one
    // thread's time) for the client and returns how long it must wait, in
    // ms (0 when under its quota or without one).
    int64_t record(const std::string& user, const std::string& client_id, quota_kind k,
                   double amount, int64_t now_ms);

  private:
    std::optional<std::pair<quota_entity, double>> applying_locked(const std::string& user,
                                                                   const std::string& client_id,
                                                                   quota_kind k) const;

    int64_t _window_ms;
    int _samples;
    mutable std::mutex _mutex;
    std::map<std::pair<quota_entity, quota_kind>, double> _quotas;
    // Usage is counted per entity that applies (clients sharing a user
    // quota share its rate, as in Kafka).
    std::map<std::pair<quota_entity, quota_kind>, rate_window> _usage;
};

}  // namespace spate::security
