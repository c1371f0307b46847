// Source chunks built from a column_pool (as a continuous query's router
// does) decode and transform to the same rows as fresh chunks, whatever the
// earlier runs left in the reused buffers.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sql/exec/transform.h"
#include "sql/format/format_detail.h"
#include "sql/types/column_pool.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace column_reuse_test {
namespace {

const std::vector<column_def> k_cols{
    {"id", data_type::of(type_id::int64)},
    {"name", data_type::of(type_id::text)},
    {"score", data_type::of(type_id::int32)},
    {"note", data_type::of(type_id::text)},
};

// Run `run`'s records: ids from `first`, strings of `len` bytes, every
// `null_every`th row's strings and score null (0: none).
std::vector<std::string> records(int64_t first, size_t count, size_t len, size_t null_every) {
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) {
        auto id = first + static_cast<int64_t>(i);
        nlohmann::json j{{"id", id}};
        bool null = null_every != 0 && i % null_every == 0;
        std::string s(len, static_cast<char>('a' + i % 26));
        j["name"] = null ? nlohmann::json() : nlohmann::json(s + std::to_string(id));
        j["score"] = null ? nlohmann::json() : nlohmann::json(id % 1000);
        j["note"] = null ? nlohmann::json() : nlohmann::json(std::string(len / 2 + 1, 'n'));
        out.push_back(j.dump());
    }
    return out;
}

std::vector<std::string> cells(const chunk& c) {
    std::vector<std::string> out;
    for (size_t r = 0; r < c.rows(); ++r) {
        for (size_t col = 0; col < c.width(); ++col) {
            std::string t = "NULL";
            if (!c.at(col).is_null(r)) {
                t.clear();
                format_text(c.at(col), r, t);
            }
            out.push_back(std::move(t));
        }
    }
    return out;
}

// note, id, name (score and the hidden columns dropped): decode, project.
std::vector<std::string> run_once(const std::vector<std::string>& texts, chunk source,
                                  column_pool* pool) {
    std::vector<record_view> views(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
        views[i].value = texts[i];
        views[i].proctime_micros = 1;
    }
    auto decoder = format_detail::make_json_decoder(k_cols, true, 0);
    std::vector<decode_failure> failures;
    decoder->decode(views, source, failures);
    source.sync_rows();
    EXPECT_TRUE(failures.empty());
    std::vector<expr_ptr> exprs;
    exprs.push_back(expr::make_column(3, k_cols[3].type, "note"));
    exprs.push_back(expr::make_column(0, k_cols[0].type, "id"));
    exprs.push_back(expr::make_column(1, k_cols[1].type, "name"));
    eval_context ctx;
    ctx.spare = pool;
    auto out = make_project(std::move(exprs))->apply(std::move(source), ctx);
    EXPECT_TRUE(out.ok());
    if (!out.ok()) return {};
    for (const column& col : out.value().columns())
        EXPECT_EQ(col.size(), out.value().rows());
    auto result = cells(out.value());
    if (pool) pool->give(std::move(out.value()));
    return result;
}

// A source chunk from `pool`, reserved as record_router::take_source does.
chunk pooled_source(column_pool& pool, size_t rows, size_t bytes_per_row) {
    std::vector<column> cols;
    for (const auto& d : k_cols)
        cols.push_back(pool.take(d.type, rows, bytes_per_row * rows));
    for (const auto& d : hidden_columns())
        cols.push_back(pool.take(d.type, rows, 0));
    return chunk(std::move(cols));
}

TEST(column_reuse, pooled_runs_match_fresh_ones_across_sizes_strings_and_nulls) {
    struct run_shape {
        size_t count, len, null_every;
    };
    // Long strings first, then short ones, NULLs, a single row, long again.
    const std::vector<run_shape> runs{{500, 3000, 0}, {3, 1, 0},    {50, 10, 2}, {1, 0, 1},
                                      {200, 40, 7},   {7, 5000, 3}, {1000, 2, 0}};
    column_pool pool;
    int64_t first = 0;
    size_t hint = 0;
    for (const auto& r : runs) {
        auto texts = records(first, r.count, r.len, r.null_every);
        auto fresh = run_once(texts, make_source_chunk(k_cols), nullptr);
        auto pooled = run_once(texts, pooled_source(pool, r.count, hint), &pool);
        ASSERT_EQ(fresh.size(), r.count * 3);
        EXPECT_EQ(pooled, fresh) << "run of " << r.count << " rows, strings of " << r.len;
        // Dropped and output columns come back for the next run.
        EXPECT_EQ(pool.spare(), k_cols.size() + hidden_columns().size());
        hint = r.len;
        first += static_cast<int64_t>(r.count);
    }
}

TEST(column_pool, take_resets_the_type_and_prefers_the_best_fitting_capacity) {
    column_pool pool;
    for (size_t bytes : {10u, 1000u, 100u}) {
        column c(data_type::of(type_id::jsonb));
        c.push_string(std::string(bytes, 'x'));
        c.push_null();
        pool.give(std::move(c));
    }
    column moved(data_type::of(type_id::text));
    column keep = std::move(moved);
    pool.give(std::move(moved));  // no capacity: dropped
    EXPECT_EQ(pool.spare(), 3u);
    column t = pool.take(data_type::of(type_id::text), 4, 50);
    EXPECT_EQ(t.type().id, type_id::text);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.strings().size(), 0u);
    EXPECT_GE(t.strings().bytes.capacity(), 100u);
    EXPECT_LT(t.strings().bytes.capacity(), 1000u);
    t.push_string("ab");
    EXPECT_EQ(t.strings().at(0), "ab");
    EXPECT_EQ(pool.take(data_type::of(type_id::bytea), 1, 5000).strings().bytes.capacity() >= 1000u,
              true);
    EXPECT_EQ(pool.spare(), 1u);
    // Another layout has no spare: a new column.
    column i = pool.take(data_type::of(type_id::date), 8, 0);
    EXPECT_EQ(i.type().id, type_id::date);
    EXPECT_GE(i.values<int32_t>().capacity(), 8u);
    for (auto id : {type_id::boolean, type_id::int16, type_id::int64, type_id::timestamptz,
                    type_id::float32, type_id::numeric, type_id::interval, type_id::text})
        EXPECT_EQ(physical_layout(id), column(data_type::of(id)).raw().index());
}

}  // namespace
}  // namespace column_reuse_test
}  // namespace spate::sql
