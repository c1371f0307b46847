// TEMPORARY (issue 12, part 2 built in parallel): weak stand-ins for
// interfaces whose implementations land from other branches (the change
// encoder), so this
// branch links before they merge. Each real (strong) definition overrides
// its stand-in; this file is deleted once all of them are on main.

#include "sql/stream/change_encoder.h"

namespace spate::sql {

namespace {

sql_error not_built(const std::string& what) {
    return make_error(sql_errc::feature_not_supported, what + " is not built into this server");
}

}  // namespace

__attribute__((weak)) sql_result<std::unique_ptr<change_encoder>> change_encoder::create(
    const query_spec&, int32_t) {
    return not_built("the change encoder");
}

}  // namespace spate::sql
