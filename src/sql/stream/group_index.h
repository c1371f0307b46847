#pragma once

// The streaming aggregate's index of its groups in memory (aggregate_operator.h):
// group key hash -> slot number, open addressing with linear probing and
// backward-shift deletion, so a lookup touches one 8-byte entry per probe
// and no node. The keys stay with the caller: find() compares a candidate's
// key through `key_of(slot)`.
//
// Threading: one thread at a time.

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/assert.h"

namespace spate::sql::detail {

class group_index {
  public:
    static constexpr uint32_t k_none = UINT32_MAX;

    // The slot whose key is `key` (hash `hash`), or k_none.
    template <typename KeyOf>
    uint32_t find(std::string_view key, uint64_t hash, const KeyOf& key_of) const {
        if (_size == 0) return k_none;
        auto h = static_cast<uint32_t>(hash);
        for (size_t i = h & _mask;; i = (i + 1) & _mask) {
            const entry& e = _table[i];
            if (e.slot == k_none) return k_none;
            if (e.hash == h && std::string_view(key_of(e.slot)) == key) return e.slot;
        }
    }
    // Hints for a lookup of `hash` soon (cache prefetches, no effect
    // otherwise): prefetch() its first probe; candidate() is the first slot
    // found under the hash (maybe of another key), or k_none.
    void prefetch(uint64_t hash) const {
        if (_size != 0) __builtin_prefetch(&_table[static_cast<uint32_t>(hash) & _mask]);
    }
    uint32_t candidate(uint64_t hash) const {
        if (_size == 0) return k_none;
        auto h = static_cast<uint32_t>(hash);
        for (size_t i = h & _mask;; i = (i + 1) & _mask) {
            const entry& e = _table[i];
            if (e.slot == k_none || e.hash == h) return e.slot;
        }
    }
    // Adds `slot` under `hash`; its key must not be in the index.
    void insert(uint64_t hash, uint32_t slot) {
        SPATE_ASSERT(slot != k_none);
        if ((_size + 1) * 4 > _table.size() * 3) grow();
        place({static_cast<uint32_t>(hash), slot});
        ++_size;
    }
    // Removes `slot`, added under `hash`.
    void erase(uint64_t hash, uint32_t slot) {
        auto h = static_cast<uint32_t>(hash);
        size_t i = h & _mask;
        while (_table[i].slot != slot) {
            SPATE_ASSERT(_table[i].slot != k_none);
            i = (i + 1) & _mask;
        }
        // Backward shift: move later entries of the run into the hole when
        // their home position is not between the hole and them.
        for (size_t j = (i + 1) & _mask; _table[j].slot != k_none; j = (j + 1) & _mask) {
            size_t home = _table[j].hash & _mask;
            if (((j - home) & _mask) >= ((j - i) & _mask)) {
                _table[i] = _table[j];
                i = j;
            }
        }
        _table[i] = entry{};
        --_size;
    }
    size_t size() const { return _size; }
    void clear() {
        _table.clear();
        _mask = 0;
        _size = 0;
    }

  private:
    struct entry {
        uint32_t hash = 0;  // the key hash's low 32 bits
        uint32_t slot = k_none;
    };

    void place(entry e) {
        size_t i = e.hash & _mask;
        while (_table[i].slot != k_none)
            i = (i + 1) & _mask;
        _table[i] = e;
    }
    void grow() {
        std::vector<entry> old = std::move(_table);
        _table.assign(old.empty() ? 1024 : old.size() * 2, entry{});
        _mask = _table.size() - 1;
        for (const entry& e : old)
            if (e.slot != k_none) place(e);
    }

    std::vector<entry> _table;  // power-of-two size, or empty
    size_t _mask = 0;
    size_t _size = 0;
};

}  // namespace spate::sql::detail
