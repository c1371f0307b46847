#pragma once
// The changes a task buffered since its last commit (task_state.cc): key ->
// a value or a removal, found by hash, visited in key order when written
// or scanned (the order is sorted on demand and kept until the next key
// comes or goes), in no order when logged. clear() keeps the entries'
// buffers for the next interval, which writes about as many keys.
//
// Threading: one thread changes it; while none does, any number may read
// (find, for_each). ordered() changes only the order, which find() does not
// read: one thread may sort while others find. Internal to sql/state.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spate::sql::detail {

class change_buffer {
  public:
    struct change {
        std::string key;
        std::string value;       // has_value only
        bool has_value = false;  // false: a removal
        // The key has no committed value (put_new()), so its removal is no
        // change at all.
        bool fresh = false;

      private:
        friend class change_buffer;
        uint64_t _hash = 0;
        bool _live = false;  // false: erased, or a spare entry
    };

    // The buffered change of `key`, or null.
    change* find(std::string_view key);
    const change* find(std::string_view key) const;
    // A new change of `key` (precondition: find(key) is null); its value is
    // unspecified.
    change& add(std::string_view key, bool fresh);
    // Forgets `c` (one find() or add() returned).
    void erase(change& c);

    bool empty() const { return _live == 0; }
    size_t size() const { return _live; }

    // Visits every change, in no particular order (nothing is sorted).
    template <typename F>
    void for_each(F&& visit) const {
        for (size_t e = 0; e < _used; ++e)
            if (_entries[e]._live) visit(_entries[e]);
    }

    // Every change, in key order (sorted here unless it already is).
    const std::vector<const change*>& ordered() const;

    // Empties it, keeping up to k_max_spare entries' buffers (values over
    // k_max_spare_value bytes are released).
    void clear();

  private:
    static constexpr uint32_t k_empty = UINT32_MAX;
    static constexpr size_t k_max_spare = 1 << 17;
    static constexpr size_t k_max_spare_value = 1024;

    static uint64_t hash_of(std::string_view key);
    uint32_t probe(std::string_view key, uint64_t hash) const;  // slot index
    void grow();

    std::vector<change> _entries;  // [0, _used) in use this interval
    size_t _used = 0;
    size_t _live = 0;
    std::vector<uint32_t> _index;  // open addressing: entry numbers, k_empty
    mutable std::vector<const change*> _order;
    mutable bool _ordered = true;
};

}  // namespace spate::sql::detail
