#pragma once

// A task_state double for the aggregate operator's unit tests: an in-memory
// map, no Kafka, no RocksDB.

#include <map>
#include <optional>
#include <string>

#include "sql/state/task_state.h"

namespace spate::sql::test_support {

// task_state over a map: changes buffer until commit(); log_pending()
// counts the records it would write (and hands them to the sink).
class memory_state final : public task_state {
  public:
    // `committed` (optional) outlives the object and is its committed
    // contents (shared with a later object: a restart with the same store).
    explicit memory_state(std::map<std::string, std::string>* committed = nullptr)
        : _committed(committed ? committed : &_own) {}

    sql_result<bool> get_into(std::string_view key, std::string& out) const override {
        auto v = get(key);
        if (!v.ok()) return v.error();
        if (!v.value()) return false;
        out = *v.value();
        return true;
    }
    sql_result<std::optional<std::string>> get(std::string_view key) const override {
        ++gets;
        auto p = _pending.find(std::string(key));
        if (p != _pending.end()) return p->second;
        auto c = _committed->find(std::string(key));
        if (c == _committed->end()) return std::optional<std::string>();
        return std::optional<std::string>(c->second);
    }
    void put(std::string_view key, std::string_view value) override {
        _pending[std::string(key)] = std::string(value);
    }
    void remove(std::string_view key) override { _pending[std::string(key)] = std::nullopt; }
    sql_status scan(
        std::string_view from, std::string_view to,
        const std::function<bool(std::string_view, std::string_view)>& visit) const override {
        std::map<std::string, std::string> merged(*_committed);
        for (const auto& [k, v] : _pending) {
            if (v)
                merged[k] = *v;
            else
                merged.erase(k);
        }
        for (auto it = merged.lower_bound(std::string(from)); it != merged.end(); ++it) {
            if (!to.empty() && it->first >= to) break;
            if (!visit(it->first, it->second)) break;
        }
        return {};
    }
    bool has_pending() const override { return !_pending.empty(); }
    status log_pending(const state_record_sink& sink) override {
        for (const auto& [k, v] : _pending) {
            kafka::client::outgoing_record r;
            r.topic = "changelog";
            r.key = k;
            if (v) r.value = *v;
            SPATE_TRY(sink(r));
            ++logged;
        }
        return {};
    }
    using task_state::commit;
    sql_status commit(std::optional<int64_t>) override {
        for (const auto& [k, v] : _pending) {
            if (v)
                (*_committed)[k] = *v;
            else
                _committed->erase(k);
        }
        _pending.clear();
        return {};
    }
    void rollback() override { _pending.clear(); }
    state_stats stats() const override { return {static_cast<int64_t>(_committed->size()), 0, 0}; }

    int64_t logged = 0;
    mutable int64_t gets = 0;  // get() and get_into() calls

  private:
    std::map<std::string, std::string> _own;
    std::map<std::string, std::string>* _committed;
    std::map<std::string, std::optional<std::string>> _pending;
};

}  // namespace spate::sql::test_support
