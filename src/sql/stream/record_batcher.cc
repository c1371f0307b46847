#include "sql/stream/record_batcher.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

int64_t record_batcher::append(std::string_view bytes) {
    auto at = static_cast<int64_t>(_bytes.size());
    _bytes.append(bytes);
    return at;
}

status record_batcher::add(const kc::outgoing_record& r) {
    if ((r.headers && !r.headers->empty()) || r.timestamp_ms) {
        SPATE_TRY(flush());
        return _producer.produce(r);
    }
    entry e;
    // The topic is usually the previous record's: stored once per run.
    if (!_entries.empty()) {
        const entry& last = _entries.back();
        if (std::string_view(_bytes).substr(last.topic, last.topic_len) == r.topic) {
            e.topic = last.topic;
            e.topic_len = last.topic_len;
        }
    }
    if (e.topic_len == 0) {
        e.topic = static_cast<size_t>(append(r.topic));
        e.topic_len = r.topic.size();
    }
    if (r.key) {
        e.key = append(*r.key);
        e.key_len = static_cast<int64_t>(r.key->size());
    }
    if (r.value) {
        e.value = append(*r.value);
        e.value_len = static_cast<int64_t>(r.value->size());
    }
    e.partition = r.partition;
    e.tag = r.tag;
    _entries.push_back(e);
    if (_bytes.size() >= _max_bytes) return flush();
    return {};
}

status record_batcher::flush() {
    if (_entries.empty()) return {};
    std::string_view bytes(_bytes);
    _records.resize(_entries.size());
    for (size_t i = 0; i < _entries.size(); ++i) {
        const entry& e = _entries[i];
        kc::outgoing_record& r = _records[i];
        r = kc::outgoing_record{};
        r.topic = bytes.substr(e.topic, e.topic_len);
        r.partition = e.partition;
        if (e.key >= 0)
            r.key = bytes.substr(static_cast<size_t>(e.key), static_cast<size_t>(e.key_len));
        if (e.value >= 0)
            r.value = bytes.substr(static_cast<size_t>(e.value), static_cast<size_t>(e.value_len));
        r.tag = e.tag;
    }
    auto s = _producer.produce_batch(_records);
    discard();
    return s;
}

void record_batcher::discard() {
    _entries.clear();
    _bytes.clear();
}

}  // namespace spate::sql::detail
