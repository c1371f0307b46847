// Scans of updating views: the rows of this server's replica of the view's
// changelog (serving/view_replica.h) instead of the topic's history, after
// the replica caught up with the topic's end offsets taken at the start of
// the scan; a filter directly above narrows the rows read to key ranges
// (key_range.h).

#include "base/log.h"
#include "sql/exec/batch.h"
#include "sql/exec/key_range.h"
#include "sql/exec/transform.h"
#include "sql/serving/replica_set.h"

namespace spate::sql {

namespace {

class replica_scan final : public batch_operator {
  public:
    replica_scan(const plan_node& scan, const batch_env& env, std::vector<replica_row_ptr> rows,
                 std::unique_ptr<record_decoder> d)
        : _env(env)
        , _rows(std::move(rows))
        , _decoded(decoded_declared_columns(scan))
        , _decoder(std::move(d))
        , _select(make_scan_select(scan, _decoded))
        , _view(scan.relation.name) {
        for (int c : _decoded)
            _declared.push_back(scan.relation.columns[static_cast<size_t>(c)]);
    }

    sql_result<std::optional<chunk>> next() override {
        while (_pos < _rows.size()) {
            if (_env.cancelled && _env.cancelled->load())
                return make_error(sql_errc::query_canceled,
                                  "canceling statement due to user request");
            size_t n = std::min(_env.chunk_rows, _rows.size() - _pos);
            _views.clear();
            for (size_t i = 0; i < n; ++i) {
                const replica_row& r = *_rows[_pos + i];
                _views.push_back({r.key, r.value, r.partition, r.offset, r.timestamp_ms, {}});
            }
            _pos += n;
            chunk out = make_source_chunk(_declared);
            _failures.clear();
            _decoder->decode(_views, out, _failures);
            if (!_failures.empty())
                logging::get("sql").debug("replica scan of {}: {} rows did not decode", _view,
                                          _failures.size());
            if (out.rows() == 0) continue;
            auto selected = _select->apply(std::move(out), _env.ctx);
            if (!selected.ok()) return selected.error();
            return std::optional<chunk>(std::move(selected.value()));
        }
        return std::optional<chunk>();
    }

  private:
    const batch_env& _env;
    std::vector<replica_row_ptr> _rows;
    size_t _pos = 0;
    std::vector<int> _decoded;
    std::vector<column_def> _declared;
    std::unique_ptr<record_decoder> _decoder;
    transform_ptr _select;
    std::string _view;
    std::vector<record_view> _views;
    std::vector<decode_failure> _failures;
};

}  // namespace

sql_result<batch_ptr> make_replica_scan(const plan_node& scan, const expr* filter,
                                        const batch_env& env) {
    if (!env.replicas)
        return make_error(sql_errc::feature_not_supported,
                          "materialized view " + scan.relation.name +
                              " updates rows and is read from a server's replica, which this "
                              "query has none of");
    auto replica = env.replicas->get(scan.relation);
    if (!replica.ok()) return replica.error();
    if (auto s = replica.value()->sync(env.replica_sync_timeout, env.cancelled); !s.ok())
        return s.error();
    std::vector<key_range> ranges{{"", ""}};
    if (filter) {
        auto lookup = plan_key_lookup(*filter, scan, env.ctx);
        if (!lookup.ok()) return lookup.error();
        ranges = std::move(lookup.value().ranges);
    }
    std::vector<int> decoded = decoded_declared_columns(scan);
    std::vector<column_def> declared;
    for (int i : decoded)
        declared.push_back(scan.relation.columns[static_cast<size_t>(i)]);
    auto d = make_decoder(scan.relation.format, declared, scan.relation.decoding, env.schemas);
    if (!d.ok()) return d.error();
    return batch_ptr(std::make_unique<replica_scan>(
        scan, env, replica.value()->store().rows_in(ranges), std::move(d.value())));
}

}  // namespace spate::sql
