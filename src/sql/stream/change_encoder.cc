#include "sql/stream/change_encoder.h"

#include <string>
#include <utility>
#include <vector>

#include "sql/stream/key_partitioner.h"

namespace spate::sql {

namespace kc = kafka::client;

namespace {

error encode_error(std::string what) {
    return error{errc::invalid_argument, std::move(what)};
}

// What every output type shares: the row encoder of the output format, the
// key (the key columns as a JSON object, the record key of every keyed
// output) and the partition choice.
class encoder_base : public change_encoder {
  public:
    encoder_base(const query_spec& spec, int32_t partitions)
        : _spec(spec), _partitions(partitions) {
        _record.topic = _spec.output_topic;
    }

    sql_status init() {
        auto e = make_encoder(_spec.output_format, _spec.output_columns, _spec.output_schema);
        if (!e.ok()) return e.error();
        _value = std::move(e).value();
        if (_spec.key_columns.empty()) return {};
        std::vector<column_def> defs;
        for (int k : _spec.key_columns) {
            if (k < 0 || static_cast<size_t>(k) >= _spec.output_columns.size())
                return make_error(sql_errc::internal_error, "key column out of range");
            defs.push_back(_spec.output_columns[static_cast<size_t>(k)]);
        }
        auto ke = make_encoder(record_format::json, defs);
        if (!ke.ok()) return ke.error();
        _key = std::move(ke).value();
        return {};
    }

  protected:
    bool keyed() const { return _key != nullptr; }

    // Encodes the key of every row of `rows` into _keys (keyed outputs).
    void encode_keys(const chunk& rows) {
        _keys.clear();
        if (!keyed()) return;
        std::vector<column> cols;
        cols.reserve(_spec.key_columns.size());
        for (int k : _spec.key_columns)
            cols.push_back(rows.at(static_cast<size_t>(k)));
        chunk keys(std::move(cols));
        keys.set_rows(rows.rows());
        for (size_t row = 0; row < rows.rows(); ++row) {
            _key->encode(keys, row, _key_buf);
            _keys.push(_key_buf);
        }
    }

    // Sends a record of row `row`'s key (or none) with `value` (nullopt: a
    // tombstone).
    status send(size_t row, std::optional<std::string_view> value, int32_t input_partition,
                const output_sink& sink) {
        _record.value = value;
        if (keyed()) {
            std::string_view key = _keys.at(row);
            _record.key = key;
            _record.partition = kafka_key_partition(key, _partitions);
        } else {
            _record.key.reset();
            _record.partition = input_partition % _partitions;
        }
        return sink(_record);
    }

    const query_spec& _spec;
    int32_t _partitions;
    std::unique_ptr<row_encoder> _value;
    std::unique_ptr<row_encoder> _key;  // null without key columns
    string_data _keys;                  // per row of the current call
    std::string _key_buf;
    std::string _value_buf;
    kc::outgoing_record _record;
};

int8_t diff_of(std::span<const int8_t> diffs, size_t row) {
    return diffs.empty() ? int8_t{1} : diffs[row];
}

class append_encoder final : public encoder_base {
  public:
    using encoder_base::encoder_base;

    result<int64_t> encode(const chunk& rows, std::span<const int8_t> diffs,
                           int32_t input_partition, const output_sink& sink) override {
        SPATE_ASSERT(diffs.empty() || diffs.size() == rows.rows());
        encode_keys(rows);
        int64_t written = 0;
        for (size_t row = 0; row < rows.rows(); ++row) {
            if (diff_of(diffs, row) < 0)
                return encode_error("query " + _spec.name +
                                    ": an append-only output got a retraction (diff -1)");
            _value->encode(rows, row, _value_buf);
            SPATE_TRY(send(row, _value_buf, input_partition, sink));
            ++written;
        }
        return written;
    }
};

// True when row `row` is a retraction directly followed by an insert of the
// same key (an update: only the insert is written).
bool update_pair(std::span<const int8_t> diffs, const string_data& keys, size_t row) {
    return diff_of(diffs, row) < 0 && row + 1 < keys.size() && diff_of(diffs, row + 1) > 0 &&
           keys.at(row) == keys.at(row + 1);
}

class upsert_encoder final : public encoder_base {
  public:
    using encoder_base::encoder_base;

    result<int64_t> encode(const chunk& rows, std::span<const int8_t> diffs,
                           int32_t input_partition, const output_sink& sink) override {
        SPATE_ASSERT(diffs.empty() || diffs.size() == rows.rows());
        encode_keys(rows);
        int64_t written = 0;
        for (size_t row = 0; row < rows.rows(); ++row) {
            if (update_pair(diffs, _keys, row)) continue;
            if (diff_of(diffs, row) < 0) {
                SPATE_TRY(send(row, std::nullopt, input_partition, sink));
            } else {
                _value->encode(rows, row, _value_buf);
                SPATE_TRY(send(row, _value_buf, input_partition, sink));
            }
            ++written;
        }
        return written;
    }
};

class debezium_encoder final : public encoder_base {
  public:
    using encoder_base::encoder_base;

    result<int64_t> encode(const chunk& rows, std::span<const int8_t> diffs,
                           int32_t input_partition, const output_sink& sink) override {
        SPATE_ASSERT(diffs.empty() || diffs.size() == rows.rows());
        encode_keys(rows);
        int64_t written = 0;
        for (size_t row = 0; row < rows.rows(); ++row) {
            _envelope.assign("{\"before\":");
            const char* op = "c";
            if (update_pair(diffs, _keys, row)) {
                append_row(rows, row);
                _envelope += ",\"after\":";
                append_row(rows, ++row);
                op = "u";
            } else if (diff_of(diffs, row) < 0) {
                append_row(rows, row);
                _envelope += ",\"after\":null";
                op = "d";
            } else {
                _envelope += "null,\"after\":";
                append_row(rows, row);
            }
            _envelope += ",\"op\":\"";
            _envelope += op;
            _envelope += "\"}";
            SPATE_TRY(send(row, _envelope, input_partition, sink));
            ++written;
        }
        return written;
    }

  private:
    void append_row(const chunk& rows, size_t row) {
        _value->encode(rows, row, _value_buf);
        _envelope += _value_buf;
    }

    std::string _envelope;
};

}  // namespace

sql_result<std::unique_ptr<change_encoder>> change_encoder::create(const query_spec& spec,
                                                                   int32_t output_partitions) {
    SPATE_ASSERT(output_partitions >= 1);
    std::unique_ptr<encoder_base> e;
    switch (spec.output_type) {
        case sink_type::append:
            e = std::make_unique<append_encoder>(spec, output_partitions);
            break;
        case sink_type::upsert:
            e = std::make_unique<upsert_encoder>(spec, output_partitions);
            break;
        case sink_type::debezium:
            if (spec.output_format != record_format::json)
                return make_error(sql_errc::feature_not_supported,
                                  "debezium output is JSON only, not " +
                                      std::string(format_name(spec.output_format)));
            e = std::make_unique<debezium_encoder>(spec, output_partitions);
            break;
    }
    if (spec.output_type != sink_type::append && spec.key_columns.empty())
        return make_error(sql_errc::internal_error,
                          "query " + spec.name + ": upsert and debezium outputs need key columns");
    if (auto s = e->init(); !s.ok()) return s.error();
    return std::unique_ptr<change_encoder>(std::move(e));
}

}  // namespace spate::sql
