#include "security/quota.h"

#include <algorithm>
#include <cmath>

#include "base/assert.h"

namespace spate::security {

namespace {

// Full usage buckets are dropped every this many records (Kafka expires
// its quota sensors after an hour without use).
constexpr size_t k_prune_every = 4096;

}  // namespace

const char* quota_kind_name(quota_kind k) {
    switch (k) {
        case quota_kind::producer_byte_rate:
            return "producer_byte_rate";
        case quota_kind::consumer_byte_rate:
            return "consumer_byte_rate";
        case quota_kind::request_percentage:
            return "request_percentage";
        case quota_kind::controller_mutation_rate:
            return "controller_mutation_rate";
    }
    return "unknown";
}

std::optional<quota_kind> quota_kind_of(std::string_view name) {
    for (auto k : k_quota_kinds)
        if (name == quota_kind_name(k)) return k;
    return std::nullopt;
}

bool quota_kind_is_integral(quota_kind k) {
    return k == quota_kind::producer_byte_rate || k == quota_kind::consumer_byte_rate;
}

std::string quota_entity_text(const quota_entity& e) {
    std::string out;
    if (e.user) out = std::string(k_user_entity_type) + "=" + *e.user;
    if (e.client_id) {
        if (!out.empty()) out += ",";
        out += std::string(k_client_entity_type) + "=" + *e.client_id;
    }
    return out;
}

void token_bucket::take(double amount, double rate, double burst, int64_t now_ms) {
    _tokens = tokens(rate, burst, now_ms) - amount;
    _last_ms = std::max(_last_ms, now_ms);
    _rate = rate;
    _burst = burst;
}

double token_bucket::tokens(double rate, double burst, int64_t now_ms) const {
    const double refill = rate * double(std::max<int64_t>(0, now_ms - _last_ms)) / 1000.0;
    return std::min(burst, _tokens + refill);
}

int64_t token_bucket::wait_ms(double rate, double burst, int64_t now_ms) const {
    const double t = tokens(rate, burst, now_ms);
    if (t >= 0) return 0;
    if (rate <= 0) return INT64_MAX;
    return int64_t(std::ceil(-t / rate * 1000.0));
}

quota_manager::quota_manager(int64_t window_ms, int samples)
    : _window_ms(window_ms), _samples(samples) {
    SPATE_ASSERT(window_ms > 0 && samples > 0);
}

void quota_manager::note_kinds_locked() {
    unsigned bits = 0;
    for (const auto& [key, value] : _quotas)
        bits |= 1u << static_cast<unsigned>(key.second);
    _kinds_set.store(bits, std::memory_order_release);
}

bool quota_manager::none(quota_kind k) const {
    return (_kinds_set.load(std::memory_order_acquire) & (1u << static_cast<unsigned>(k))) == 0;
}

void quota_manager::set(const quota_entity& e, quota_kind k, std::optional<double> value) {
    std::lock_guard lock(_mutex);
    if (value)
        _quotas[{e, k}] = *value;
    else
        _quotas.erase({e, k});
    note_kinds_locked();
}

std::optional<double> quota_manager::configured(const quota_entity& e, quota_kind k) const {
    std::lock_guard lock(_mutex);
    auto it = _quotas.find({e, k});
    if (it == _quotas.end()) return std::nullopt;
    return it->second;
}

void quota_manager::set_all(const quota_entity& e, const quota_values& values) {
    std::lock_guard lock(_mutex);
    for (auto k : k_quota_kinds)
        _quotas.erase({e, k});
    for (const auto& [k, v] : values)
        _quotas[{e, k}] = v;
    note_kinds_locked();
}

quota_values quota_manager::configured(const quota_entity& e) const {
    std::lock_guard lock(_mutex);
    quota_values out;
    for (auto k : k_quota_kinds)
        if (auto it = _quotas.find({e, k}); it != _quotas.end()) out[k] = it->second;
    return out;
}

std::map<quota_entity, quota_values> quota_manager::entries() const {
    std::lock_guard lock(_mutex);
    std::map<quota_entity, quota_values> out;
    for (const auto& [key, value] : _quotas)
        out[key.first][key.second] = value;
    return out;
}

std::optional<std::pair<quota_entity, double>> quota_manager::applying_locked(
    const std::string& user, const std::string& client_id, quota_kind k) const {
    const std::string d = k_default_entity;
    using opt = std::optional<std::string>;
    const quota_entity order[] = {
        {opt(user), opt(client_id)},    {opt(user), opt(d)},   {opt(user), std::nullopt},
        {opt(d), opt(client_id)},       {opt(d), opt(d)},      {opt(d), std::nullopt},
        {std::nullopt, opt(client_id)}, {std::nullopt, opt(d)}};
    for (const auto& e : order) {
        auto it = _quotas.find({e, k});
        if (it != _quotas.end()) return std::pair{e, it->second};
    }
    return std::nullopt;
}

std::optional<double> quota_manager::applying(const std::string& user, const std::string& client_id,
                                              quota_kind k) const {
    if (none(k)) return std::nullopt;
    std::lock_guard lock(_mutex);
    auto a = applying_locked(user, client_id, k);
    if (!a) return std::nullopt;
    return a->second;
}

quota_entity quota_manager::usage_entity(quota_entity applied, const std::string& user,
                                         const std::string& client_id) {
    if (applied.user == k_default_entity) applied.user = user;
    if (applied.client_id == k_default_entity) applied.client_id = client_id;
    return applied;
}

int64_t quota_manager::throttle_of(const token_bucket& b, double bound, int64_t now_ms) const {
    return std::min(_window_ms, b.wait_ms(bound, burst_of(bound), now_ms));
}

void quota_manager::prune_locked(int64_t now_ms) {
    if (++_records_since_prune < k_prune_every) return;
    _records_since_prune = 0;
    // A full bucket is what a new one would be: forget it.
    std::erase_if(_usage, [&](const auto& u) { return u.second.full(now_ms); });
}

int64_t quota_manager::record(const std::string& user, const std::string& client_id, quota_kind k,
                              double amount, int64_t now_ms) {
    if (none(k)) return 0;
    std::lock_guard lock(_mutex);
    auto a = applying_locked(user, client_id, k);
    if (!a) return 0;
    prune_locked(now_ms);
    const double burst = burst_of(a->second);
    auto [it, _] = _usage.try_emplace({usage_entity(a->first, user, client_id), k}, burst, now_ms);
    it->second.take(amount, a->second, burst, now_ms);
    return throttle_of(it->second, a->second, now_ms);
}

int64_t quota_manager::throttle_ms(const std::string& user, const std::string& client_id,
                                   quota_kind k, int64_t now_ms) const {
    if (none(k)) return 0;
    std::lock_guard lock(_mutex);
    auto a = applying_locked(user, client_id, k);
    if (!a) return 0;
    auto it = _usage.find({usage_entity(a->first, user, client_id), k});
    if (it == _usage.end()) return 0;
    return throttle_of(it->second, a->second, now_ms);
}

std::optional<double> quota_manager::burst(const std::string& user, const std::string& client_id,
                                           quota_kind k) const {
    auto bound = applying(user, client_id, k);
    if (!bound) return std::nullopt;
    return burst_of(*bound);
}

}  // namespace spate::security
