#include "sql/engine/named_cursors.h"

namespace spate::sql {

namespace {

sql_error no_cursor(const std::string& name) {
    return make_error(sql_errc::invalid_cursor_name, "cursor \"" + name + "\" does not exist");
}

// An empty chunk of `columns`.
chunk empty_rows(const std::vector<column_def>& columns) {
    std::vector<column> cols;
    for (const auto& c : columns)
        cols.emplace_back(c.type);
    return chunk(std::move(cols));
}

void append_rows(chunk& to, const chunk& from) {
    for (size_t c = 0; c < to.width(); ++c)
        for (size_t r = 0; r < from.rows(); ++r)
            to.at(c).push_from(from.at(c), r);
    to.set_rows(to.rows() + from.rows());
}

}  // namespace

sql_status named_cursors::declare(const std::string& name, std::unique_ptr<cursor> c,
                                  std::vector<column_def> columns, bool hold, plan_ptr plan) {
    if (_open.contains(name))
        return make_error(sql_errc::duplicate_cursor, "cursor \"" + name + "\" already exists");
    entry e;
    e.plan = std::move(plan);
    e.subscription = dynamic_cast<subscribe_cursor*>(c.get());
    e.rows = std::move(c);
    e.columns = std::move(columns);
    e.hold = hold;
    _open.emplace(name, std::move(e));
    return {};
}

const std::vector<column_def>* named_cursors::columns(const std::string& name) const {
    auto it = _open.find(name);
    return it == _open.end() ? nullptr : &it->second.columns;
}

sql_result<chunk> named_cursors::fetch(const std::string& name, int64_t count,
                                       std::chrono::milliseconds wait) {
    auto it = _open.find(name);
    if (it == _open.end()) return no_cursor(name);
    entry& e = it->second;
    if (count == 0) return empty_rows(e.columns);
    if (e.subscription)
        return e.subscription->take(count < 0 ? 0 : static_cast<size_t>(count), wait);
    return fetch_query(e, count);
}

sql_result<chunk> named_cursors::fetch_query(entry& e, int64_t count) {
    chunk out = empty_rows(e.columns);
    while (!e.done && (count < 0 || static_cast<int64_t>(out.rows()) < count)) {
        size_t want = count < 0 ? 0 : static_cast<size_t>(count - static_cast<int64_t>(out.rows()));
        auto c = e.rows->next(want);
        if (!c.ok()) return c.error();
        if (!c.value()) {
            e.done = true;
            break;
        }
        append_rows(out, *c.value());
    }
    return out;
}

sql_status named_cursors::close(const std::string& name) {
    if (_open.erase(name) == 0) return no_cursor(name);
    return {};
}

void named_cursors::end_transaction() {
    std::erase_if(_open, [](const auto& kv) { return !kv.second.hold; });
}

}  // namespace spate::sql
