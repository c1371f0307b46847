#include "sql/state/change_buffer.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "base/assert.h"

namespace spate::sql::detail {

uint64_t change_buffer::hash_of(std::string_view key) {
    return std::hash<std::string_view>{}(key);
}

// The slot holding `key`'s entry (live or not), else the empty slot where
// it goes. The index is never full (grow() keeps it at most half used).
uint32_t change_buffer::probe(std::string_view key, uint64_t hash) const {
    auto mask = static_cast<uint32_t>(_index.size() - 1);
    for (auto at = static_cast<uint32_t>(hash) & mask;; at = (at + 1) & mask) {
        uint32_t e = _index[at];
        if (e == k_empty) return at;
        const change& c = _entries[e];
        if (c._hash == hash && c.key == key) return at;
    }
}

change_buffer::change* change_buffer::find(std::string_view key) {
    return const_cast<change*>(std::as_const(*this).find(key));
}

const change_buffer::change* change_buffer::find(std::string_view key) const {
    if (_used == 0) return nullptr;
    uint32_t e = _index[probe(key, hash_of(key))];
    if (e == k_empty || !_entries[e]._live) return nullptr;
    return &_entries[e];
}

void change_buffer::grow() {
    size_t size = std::max<size_t>(64, _index.size() * 2);
    _index.assign(size, k_empty);
    auto mask = static_cast<uint32_t>(size - 1);
    for (uint32_t e = 0; e < _used; ++e) {
        uint32_t at = static_cast<uint32_t>(_entries[e]._hash) & mask;
        while (_index[at] != k_empty)
            at = (at + 1) & mask;
        _index[at] = e;
    }
}

change_buffer::change& change_buffer::add(std::string_view key, bool fresh) {
    if ((_used + 1) * 2 > _index.size()) grow();
    uint64_t hash = hash_of(key);
    uint32_t at = probe(key, hash);
    uint32_t e = _index[at];
    if (e != k_empty) {
        // Erased this interval: the entry comes back.
        SPATE_ASSERT_MSG(!_entries[e]._live, "change_buffer::add() of a buffered key");
    } else {
        e = static_cast<uint32_t>(_used++);
        if (_entries.size() < _used) _entries.emplace_back();
        _entries[e].key.assign(key);
        _entries[e]._hash = hash;
        _index[at] = e;
    }
    change& c = _entries[e];
    c._live = true;
    c.fresh = fresh;
    ++_live;
    _ordered = false;
    return c;
}

void change_buffer::erase(change& c) {
    SPATE_ASSERT(c._live);
    c._live = false;
    --_live;
    _ordered = false;
}

const std::vector<const change_buffer::change*>& change_buffer::ordered() const {
    if (_ordered) return _order;
    _order.clear();
    for (size_t e = 0; e < _used; ++e)
        if (_entries[e]._live) _order.push_back(&_entries[e]);
    std::sort(_order.begin(), _order.end(),
              [](const change* a, const change* b) { return a->key < b->key; });
    _ordered = true;
    return _order;
}

void change_buffer::clear() {
    if (_entries.size() > k_max_spare) _entries.resize(k_max_spare);
    for (size_t e = 0; e < std::min(_used, _entries.size()); ++e) {
        change& c = _entries[e];
        c._live = false;
        if (c.value.capacity() > k_max_spare_value) std::string().swap(c.value);
    }
    if (_used > 0) std::fill(_index.begin(), _index.end(), k_empty);
    _used = 0;
    _live = 0;
    _order.clear();
    _ordered = true;
}

}  // namespace spate::sql::detail
