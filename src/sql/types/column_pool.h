#pragma once

// Spare columns kept for reuse. A continuous query decodes every run into
// columns taken from its pool and gives them back once the run's output is
// written, so a steady-state run reuses the buffers (and their capacity) of
// earlier runs instead of allocating, growing and faulting in fresh ones.
// Not thread-safe: one pool per query thread.

#include <array>
#include <cstddef>
#include <variant>
#include <vector>

#include "sql/types/column.h"

namespace spate::sql {

class column_pool {
  public:
    // Keeps at most `max_per_layout` spare columns of each physical layout;
    // more are freed when given.
    explicit column_pool(size_t max_per_layout = 16) : _max(max_per_layout) {}

    // An empty column of `type` with room for `rows` rows and, for a
    // variable-width type, `bytes` bytes: the spare of that layout whose
    // capacity fits best (the smallest that holds `bytes`, else the
    // largest), reserved up to the request; a new column when none is spare.
    column take(data_type type, size_t rows, size_t bytes);
    // Keeps `c` for a later take() (its values are dropped, its capacity
    // kept). A column with no capacity (moved from, never filled) is not
    // worth keeping and is dropped.
    void give(column&& c);
    // Every column of `c`; `c` is left with none.
    void give(chunk&& c);

    // Spare columns held, all layouts.
    size_t spare() const;

  private:
    std::array<std::vector<column>, std::variant_size_v<column_values>> _spare;
    size_t _max;
};

}  // namespace spate::sql
