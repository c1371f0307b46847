#pragma once

// SUBSCRIBE's cursor (docs/sql.md, "SUBSCRIBE"): a relation's change feed
// (serving/change_feed.h) as rows `ts BIGINT` (ms), `diff BIGINT` (+1/-1),
// then the relation's columns. It never ends by itself: next() returns at
// once with the rows there are, or an empty chunk when there are none (the
// front end waits a little before asking again, without holding a thread,
// and checks that its client is still there), until the session is
// cancelled (query_canceled) or the feed fails.
//
// Threading: the session's thread.

#include <chrono>
#include <memory>
#include <vector>

#include "sql/engine/session.h"
#include "sql/parse/parser.h"
#include "sql/serving/change_feed.h"

namespace spate::sql {

class subscribe_cursor final : public cursor {
  public:
    subscribe_cursor(const relation_def& r, std::unique_ptr<change_feed> feed,
                     std::unique_ptr<record_decoder> decoder);

    sql_result<std::optional<chunk>> next(size_t max_rows) override;
    std::string command_tag() const override;

    // Up to `max_rows` rows (0: every row already there, at most a
    // million), waiting up to `wait` for the first; an empty chunk when
    // none came.
    sql_result<chunk> take(size_t max_rows, std::chrono::milliseconds wait);

  private:
    chunk to_rows(std::vector<change_row>& changes);

    std::vector<column_def> _columns;  // the relation's declared columns
    std::unique_ptr<change_feed> _feed;
    std::unique_ptr<record_decoder> _decoder;
    std::vector<change_row> _changes;
    size_t _rows = 0;
};

// The columns of SUBSCRIBE over `r`.
std::vector<column_def> subscribe_columns(const relation_def& r);

// The subscription to `r` for a session of `e` (`options`: SUBSCRIBE's
// WITH (snapshot = ...)).
class engine;
sql_result<std::unique_ptr<subscribe_cursor>> open_subscription(
    engine& e, const relation_def& r, const std::vector<with_option>& options,
    const std::atomic<bool>* cancelled);

}  // namespace spate::sql
