#include "sql/stream/group_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace spate::sql::detail {
namespace group_index_test {
namespace {

// Keys "k<n>" at slot n; their hash is chosen by the test, so runs collide,
// wrap around the table's end and cross the growth from 1024 entries.
class model {
  public:
    explicit model(uint64_t (*hash_of)(uint32_t)) : _hash_of(hash_of) {}

    void insert(uint32_t n) {
        if (_keys.size() <= n) _keys.resize(n + 1);
        _keys[n] = "k" + std::to_string(n);
        _index.insert(_hash_of(n), n);
        _live[n] = true;
    }
    void erase(uint32_t n) {
        _index.erase(_hash_of(n), n);
        _live.erase(n);
    }
    // Every key inserted so far is found exactly when it is live.
    void check() const {
        auto key_of = [this](uint32_t s) -> const std::string& { return _keys[s]; };
        ASSERT_EQ(_index.size(), _live.size());
        for (uint32_t n = 0; n < _keys.size(); ++n) {
            if (_keys[n].empty()) continue;
            uint32_t want = _live.count(n) ? n : group_index::k_none;
            ASSERT_EQ(_index.find(_keys[n], _hash_of(n), key_of), want) << "key " << n;
        }
    }
    bool live(uint32_t n) const { return _live.count(n) != 0; }

  private:
    uint64_t (*_hash_of)(uint32_t);
    group_index _index;
    std::vector<std::string> _keys;
    std::map<uint32_t, bool> _live;
};

uint64_t near_the_end(uint32_t n) {
    return 1016 + n % 16;  // runs across the last positions of 1024
}
uint64_t spread(uint32_t n) {
    return (static_cast<uint64_t>(n) * 0x9e3779b97f4a7c15ULL) >> 7;
}

TEST(group_index, colliding_keys_survive_erasure_at_the_table_end) {
    model m(near_the_end);
    for (uint32_t n = 0; n < 40; ++n)
        m.insert(n);
    m.check();
    for (uint32_t n : {0u, 17u, 33u, 5u, 39u, 16u})
        m.erase(n);
    m.check();
    m.insert(40);
    m.insert(41);
    m.check();
}

TEST(group_index, random_inserts_and_erasures_match_a_map_through_growth) {
    for (auto* hash : {near_the_end, spread}) {
        model m(hash);
        std::mt19937 rng(7);
        uint32_t next = 0;
        for (int step = 0; step < 3000; ++step) {
            if (next > 0 && rng() % 3 == 0) {
                uint32_t n = rng() % next;
                if (m.live(n)) m.erase(n);
            } else {
                m.insert(next++);
            }
            if (step % 250 == 0) m.check();
        }
        m.check();
    }
}

}  // namespace
}  // namespace group_index_test
}  // namespace spate::sql::detail
