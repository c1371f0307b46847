// TEMPORARY (issue 12, built in parallel): minimal strong definitions of
// interfaces other branches implement, for this branch's tests only:
// count/sum aggregates and a JSON change encoder (append; upsert with
// tombstones).
// Deleted once the real implementations are on main.

#include <nlohmann/json.hpp>

#include "sql/agg/aggregate_function.h"
#include "sql/format/format.h"
#include "sql/stream/change_encoder.h"
#include "sql/stream/row_codec.h"

namespace spate::sql {

namespace {

namespace kc = kafka::client;
namespace codec = stream_codec;

// count(*), count(x), sum(integer): per slot a row count and a sum.
class count_sum final : public grouped_aggregate {
  public:
    explicit count_sum(const aggregate_call& c) : _sum(c.name == "sum"), _star(c.star) {}
    size_t slots() const override { return _n.size(); }
    void resize(size_t n) override {
        _n.resize(n, 0);
        _s.resize(n, 0);
    }
    void reset(size_t slot) override { _n[slot] = _s[slot] = 0; }
    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        for (size_t i = 0; i < slots.size(); ++i) {
            if (filter && (filter->is_null(i) || !filter->values<uint8_t>()[i])) continue;
            if (!_star && args[0].is_null(i)) continue;
            int d = diffs.empty() ? 1 : diffs[i];
            _n[slots[i]] += d;
            if (_sum) _s[slots[i]] += d * value_of(args[0], i);
        }
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override {
        const auto& o = static_cast<const count_sum&>(other);
        _n[into] += o._n[from];
        _s[into] += o._s[from];
        return {};
    }
    sql_status result(size_t slot, column& out) const override {
        if (!_sum) {
            out.push<int64_t>(_n[slot]);
        } else if (_n[slot] == 0) {
            out.push_null();
        } else {
            out.push<int64_t>(_s[slot]);
        }
        return {};
    }
    void save(size_t slot, std::string& out) const override {
        codec::put_ordered_i64(out, _n[slot]);
        codec::put_ordered_i64(out, _s[slot]);
    }
    sql_status load(size_t slot, std::string_view bytes) override {
        if (bytes.size() != 16) return make_error(sql_errc::internal_error, "bad count/sum state");
        _n[slot] = codec::get_ordered_i64(bytes);
        _s[slot] = codec::get_ordered_i64(bytes.substr(8));
        return {};
    }
    size_t slot_bytes(size_t) const override { return 0; }

  private:
    static int64_t value_of(const column& c, size_t i) {
        if (c.type().id == type_id::int32) return c.values<int32_t>()[i];
        return c.values<int64_t>()[i];
    }
    bool _sum, _star;
    std::vector<int64_t> _n, _s;
};

class json_change_encoder final : public change_encoder {
  public:
    json_change_encoder(const query_spec& spec, int32_t partitions)
        : _spec(spec), _partitions(partitions) {}
    sql_status init() {
        auto e = make_encoder(record_format::json, _spec.output_columns);
        if (!e.ok()) return e.error();
        _value = std::move(e).value();
        for (int k : _spec.key_columns)
            _key_defs.push_back(_spec.output_columns[static_cast<size_t>(k)]);
        if (_key_defs.empty()) return {};
        auto k = make_encoder(record_format::json, _key_defs);
        if (!k.ok()) return k.error();
        _key = std::move(k).value();
        return {};
    }
    result<int64_t> encode(const chunk& rows, std::span<const int8_t> diffs, int32_t partition,
                           const output_sink& sink) override {
        chunk keys;
        if (_key) {
            std::vector<column> cols;
            for (int k : _spec.key_columns)
                cols.push_back(rows.at(static_cast<size_t>(k)));
            keys = chunk(std::move(cols));
        }
        int64_t n = 0;
        std::string value, key, next_key;
        for (size_t r = 0; r < rows.rows(); ++r) {
            int8_t d = diffs.empty() ? 1 : diffs[r];
            kc::outgoing_record out;
            out.topic = _spec.output_topic;
            if (_key) {
                _key->encode(keys, r, key);
                out.key = key;
                if (d < 0 && r + 1 < rows.rows() && diffs[r + 1] > 0) {
                    _key->encode(keys, r + 1, next_key);
                    if (next_key == key) continue;  // an update: the +1 row follows
                }
            } else {
                out.partition = partition % _partitions;
            }
            if (d > 0) {
                _value->encode(rows, r, value);
                out.value = value;
            } else if (!_key) {
                return spate::make_error(errc::invalid_argument,
                                         "a retraction in an append output");
            }
            SPATE_TRY(sink(out));
            ++n;
        }
        return n;
    }

  private:
    const query_spec& _spec;
    int32_t _partitions;
    std::unique_ptr<row_encoder> _value, _key;
    std::vector<column_def> _key_defs;
};

}  // namespace

sql_result<std::unique_ptr<grouped_aggregate>> make_grouped_aggregate(const aggregate_call& call) {
    if (call.name != "count" && call.name != "sum")
        return make_error(sql_errc::feature_not_supported, "test aggregate " + call.name);
    return std::unique_ptr<grouped_aggregate>(std::make_unique<count_sum>(call));
}

sql_result<std::unique_ptr<change_encoder>> change_encoder::create(const query_spec& spec,
                                                                   int32_t partitions) {
    auto e = std::make_unique<json_change_encoder>(spec, partitions);
    if (auto s = e->init(); !s.ok()) return s.error();
    return std::unique_ptr<change_encoder>(std::move(e));
}

}  // namespace spate::sql
