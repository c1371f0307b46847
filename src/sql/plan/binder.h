#pragma once

// The binder: libpg_query trees -> typed expressions and logical plans.
// Resolves names against the catalog and the FROM scope, resolves
// functions and operators (functions.h), inserts implicit casts, types
// unknown literals and parameters from their context, and folds constants.
// Errors carry SQLSTATE-worthy codes and 1-based positions into the query
// string.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/catalog/catalog.h"
#include "sql/expr/expr.h"
#include "sql/parse/parser.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql {

struct bind_context {
    const catalog* cat = nullptr;
    const parsed_statement* statement = nullptr;  // positions
    int tree_offset = 0;                          // offset of the bound tree in the statement
    // $n types: hints in (unknown = infer), inferred types out.
    std::vector<data_type> parameter_types;
    // Session settings for current_setting(), version() and SHOW.
    std::function<std::optional<std::string>(std::string_view)> setting;
    int64_t now_micros = 0;
    // Relations read (for catalog dependencies).
    std::vector<std::string> relations;
    // Hooks set while binding a query block (bind_select.cc): a column name
    // not in scope is looked up in enclosing queries (correlated subqueries;
    // `found` false: not there either), and SubLink nodes bind to a column
    // of the block's apply node.
    std::function<sql_result<expr_ptr>(const std::vector<std::string>& parts, bool& found)>
        outer_column;
    std::function<sql_result<expr_ptr>(const nlohmann::json& sublink)> sublink;
    // Aggregate calls (FuncCall nodes) bind to a column of the block's aggregate node.
    std::function<sql_result<expr_ptr>(const nlohmann::json& func_call)> aggregate;
    int next_outer_parameter = 0;  // numbering of outer references (logical_plan.h)

    int position(int location) const;  // 1-based position in the query string, 0: none
};

// One name in scope: a column of the FROM relation.
struct scope_column {
    std::string name;
    data_type type;
    bool hidden = false;  // _partition etc.: not in SELECT *
    std::string table;    // the FROM item's name or alias (qualified references)
};
using bind_scope = std::vector<scope_column>;

// A query (SelectStmt node, with set operations).
sql_result<plan_ptr> bind_query(const nlohmann::json& select_stmt, bind_context& ctx);

// A scalar expression over `scope` (column i of the scope = input column i).
sql_result<expr_ptr> bind_expression(const nlohmann::json& node, const bind_scope& scope,
                                     bind_context& ctx);

// A type name node (TypeName) -> data_type.
sql_result<data_type> bind_type_name(const nlohmann::json& type_name, bind_context& ctx);

// Coerces `e` to `to` in `cx` (unknown literals parse; parameters of unknown
// type take `to`). Errors: cannot_coerce / datatype_mismatch at `location`.
sql_result<expr_ptr> coerce(expr_ptr e, const data_type& to, cast_context cx, int location,
                            bind_context& ctx);

// Folds constant sub-expressions (not volatile ones) to constants.
sql_result<expr_ptr> fold_constants(const expr_ptr& e, bind_context& ctx);

}  // namespace spate::sql
