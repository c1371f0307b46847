#include "security/quota.h"

#include <algorithm>
#include <cmath>

#include "base/assert.h"

namespace spate::security {

const char* quota_kind_name(quota_kind k) {
    switch (k) {
        case quota_kind::producer_byte_rate:
            return "producer_byte_rate";
        case quota_kind::consumer_byte_rate:
            return "consumer_byte_rate";
        case quota_kind::request_percentage:
            return "request_percentage";
    }
    return "unknown";
}

rate_window::rate_window(int64_t window_ms, int samples)
    : _window_ms(window_ms), _samples(samples) {
    SPATE_ASSERT(window_ms > 0 && samples > 0);
}

void rate_window::expire(int64_t now_ms) {
    int64_t oldest = now_ms - _window_ms * _samples;
    std::erase_if(_ring, [&](const sample& s) { return s.start_ms + _window_ms <= oldest; });
}

void rate_window::record(double amount, int64_t now_ms) {
    expire(now_ms);
    int64_t start = now_ms - now_ms % _window_ms;
    if (_ring.empty() || _ring.back().start_ms != start) {
        if (int(_ring.size()) == _samples) _ring.erase(_ring.begin());
        _ring.push_back({start, 0});
    }
    _ring.back().amount += amount;
}

int64_t rate_window::span_ms(int64_t now_ms) const {
    if (_ring.empty()) return _window_ms;
    // From the oldest live window's start; at least one whole window less
    // the part not elapsed (Kafka: (samples - 1) full windows + the current).
    int64_t span = now_ms - _ring.front().start_ms;
    return std::max<int64_t>(span, _window_ms * (_samples - 1) + (now_ms % _window_ms) + 1);
}

double rate_window::rate(int64_t now_ms) const {
    int64_t oldest = now_ms - _window_ms * _samples;
    double total = 0;
    for (const auto& s : _ring)
        if (s.start_ms + _window_ms > oldest) total += s.amount;
    return total * 1000.0 / double(span_ms(now_ms));
}

quota_manager::quota_manager(int64_t window_ms, int samples)
    : _window_ms(window_ms), _samples(samples) {}

void quota_manager::set(const quota_entity& e, quota_kind k, std::optional<double> value) {
    std::lock_guard lock(_mutex);
    if (value)
        _quotas[{e, k}] = *value;
    else
        _quotas.erase({e, k});
}

std::optional<double> quota_manager::configured(const quota_entity& e, quota_kind k) const {
    std::lock_guard lock(_mutex);
    auto it = _quotas.find({e, k});
    if (it == _quotas.end()) return std::nullopt;
    return it->second;
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
    std::lock_guard lock(_mutex);
    auto a = applying_locked(user, client_id, k);
    if (!a) return std::nullopt;
    return a->second;
}

int64_t quota_manager::record(const std::string& user, const std::string& client_id, quota_kind k,
                              double amount, int64_t now_ms) {
    std::lock_guard lock(_mutex);
    auto a = applying_locked(user, client_id, k);
    if (!a) return 0;
    // A default entity's quota is per client: usage is kept under the
    // client's own names, a named entity's under the entity.
    quota_entity usage_of = a->first;
    if (usage_of.user == k_default_entity) usage_of.user = user;
    if (usage_of.client_id == k_default_entity) usage_of.client_id = client_id;
    auto [it, _] = _usage.try_emplace({usage_of, k}, _window_ms, _samples);
    it->second.record(amount, now_ms);
    double bound = a->second;
    double rate = it->second.rate(now_ms);
    if (rate <= bound) return 0;
    int64_t span = it->second.span_ms(now_ms);
    if (bound <= 0) return span;
    double throttle = (rate - bound) / bound * double(span);
    return std::min<int64_t>(span, int64_t(std::ceil(throttle)));
}

}  // namespace spate::security
