#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sql/catalog/catalog.h"

namespace spate::sql {
namespace catalog_json_test {
namespace {

catalog_object a_view() {
    catalog_object o;
    o.kind = catalog_kind::view;
    o.name = "v";
    o.create_sql = "CREATE MATERIALIZED VIEW v AS SELECT 1 EMIT ON WINDOW CLOSE";
    o.relation.kind = catalog_kind::view;
    o.relation.topic = "__spate_view_v";
    return o;
}

TEST(catalog_json, emit_on_window_close_round_trips) {
    catalog_object o = a_view();
    o.emit_on_window_close = true;
    auto back = catalog_object_from_json(to_json(o));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(back.value().emit_on_window_close);
    o.emit_on_window_close = false;
    auto off = catalog_object_from_json(to_json(o));
    ASSERT_TRUE(off.ok()) << off.error().message;
    EXPECT_FALSE(off.value().emit_on_window_close);
}

TEST(catalog_json, records_written_before_the_flag_read_as_false) {
    catalog_object o = a_view();
    o.emit_on_window_close = true;
    auto j = nlohmann::json::parse(to_json(o));
    j.erase("emit_on_window_close");
    auto back = catalog_object_from_json(j.dump());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_FALSE(back.value().emit_on_window_close);
}

}  // namespace
}  // namespace catalog_json_test
}  // namespace spate::sql
