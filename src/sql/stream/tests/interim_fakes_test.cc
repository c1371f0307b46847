// TEMPORARY (issue 12, built in parallel): minimal strong definitions of
// an interface another branch implements, for this branch's tests only: a
// JSON change encoder (append; upsert with tombstones).
// Deleted once the real implementations are on main.

#include <nlohmann/json.hpp>

#include "sql/format/format.h"
#include "sql/stream/change_encoder.h"

namespace spate::sql {

namespace {

namespace kc = kafka::client;

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

sql_result<std::unique_ptr<change_encoder>> change_encoder::create(const query_spec& spec,
                                                                   int32_t partitions) {
    auto e = std::make_unique<json_change_encoder>(spec, partitions);
    if (auto s = e->init(); !s.ok()) return s.error();
    return std::unique_ptr<change_encoder>(std::move(e));
}

}  // namespace spate::sql
