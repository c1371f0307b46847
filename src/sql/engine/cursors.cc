#include <algorithm>

#include "sql/engine/statement_impl.h"

namespace spate::sql {

static_cursor::static_cursor(std::optional<chunk> rows, std::string tag)
    : _rows(std::move(rows)), _tag(std::move(tag)) {}

sql_result<std::optional<chunk>> static_cursor::next(size_t max_rows) {
    if (!_rows || _pos >= _rows->rows()) return std::optional<chunk>();
    size_t n = std::min(max_rows == 0 ? _rows->rows() : max_rows, _rows->rows() - _pos);
    chunk out = _rows->slice(_pos, n);
    _pos += n;
    return std::optional<chunk>(std::move(out));
}

query_cursor::query_cursor(std::unique_ptr<batch_env> env, batch_ptr root, bool copy)
    : _env(std::move(env)), _root(std::move(root)), _copy(copy) {}

sql_result<std::optional<chunk>> query_cursor::next(size_t max_rows) {
    if (!_pending || _pending_pos >= _pending->rows()) {
        auto c = _root->next();
        if (!c.ok()) return c;
        if (!c.value()) return std::optional<chunk>();
        _pending = std::move(c.value());
        _pending_pos = 0;
    }
    size_t left = _pending->rows() - _pending_pos;
    size_t n = max_rows == 0 ? left : std::min(max_rows, left);
    if (_pending_pos == 0 && n == left) {
        _rows += n;
        _pending_pos = n;
        return std::optional<chunk>(std::move(*_pending));
    }
    chunk out = _pending->slice(_pending_pos, n);
    _pending_pos += n;
    _rows += n;
    return std::optional<chunk>(std::move(out));
}

std::string query_cursor::command_tag() const {
    return (_copy ? "COPY " : "SELECT ") + std::to_string(_rows);
}

chunk text_rows(const std::vector<std::vector<std::string>>& rows, size_t width) {
    std::vector<column> cols;
    for (size_t i = 0; i < width; ++i)
        cols.emplace_back(data_type::of(type_id::text));
    for (const auto& r : rows)
        for (size_t i = 0; i < width; ++i)
            cols[i].push_string(i < r.size() ? r[i] : "");
    chunk out(std::move(cols));
    out.set_rows(rows.size());
    return out;
}

}  // namespace spate::sql
