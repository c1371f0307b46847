#pragma once

// Wakes fetch long polls when data arrives. The produce path calls notify()
// after every successful append; a waiting fetch subscribes to the partitions
// it reads. Callbacks run on the notifying thread, outside any lock here, and
// must only post work elsewhere (to their connection's strand).
//
// Cost: notify() looks the partition up in an index of subscribers by
// partition, so an append pays for the polls waiting on its partition only,
// however many long polls wait elsewhere (10,000 idle consumers).
//
// Threading: all methods are thread-safe. A callback may still run once
// concurrently with or shortly after its subscription is destroyed; callers
// capture shared state by shared_ptr.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace spate::broker {

class append_notifier {
  public:
    using partition_key = std::pair<std::string, int32_t>;

    class subscription {
      public:
        subscription() = default;
        subscription(append_notifier* n, uint64_t id) : _n(n), _id(id) {}
        subscription(subscription&& o) noexcept : _n(o._n), _id(o._id) { o._n = nullptr; }
        subscription& operator=(subscription&& o) noexcept;
        subscription(const subscription&) = delete;
        subscription& operator=(const subscription&) = delete;
        ~subscription() { reset(); }
        void reset();

      private:
        append_notifier* _n = nullptr;
        uint64_t _id = 0;
    };

    // Calls `wake` after each append to any of `partitions` until the
    // returned subscription is destroyed.
    [[nodiscard]] subscription subscribe(std::set<partition_key> partitions,
                                         std::function<void()> wake);
    void notify(const std::string& topic, int32_t partition);

    // Subscriptions now (tests).
    size_t subscription_count() const;

  private:
    struct entry {
        std::set<partition_key> partitions;
        std::function<void()> wake;
    };
    void unsubscribe(uint64_t id);

    mutable std::mutex _mu;
    uint64_t _next_id = 1;
    std::map<uint64_t, entry> _entries;
    // Subscription ids by partition; a key is erased with its last id.
    std::map<partition_key, std::set<uint64_t>> _by_partition;
};

}  // namespace spate::broker
