#include "sql/engine/output_mode.h"

#include <algorithm>
#include <cctype>

namespace spate::sql {

namespace {

const with_option* find(const std::vector<with_option>& opts, std::string_view key) {
    for (const auto& o : opts)
        if (o.key == key) return &o;
    return nullptr;
}

sql_error at(sql_errc code, std::string msg, const with_option* o, int statement_position) {
    return make_error(code, std::move(msg), o ? o->position + 1 : statement_position);
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        return std::string(s.substr(1, s.size() - 2));
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string column_list(const stream_plan& plan, const std::vector<int>& cols) {
    std::string out;
    for (int c : cols)
        out += (out.empty() ? "" : ",") + plan.output_columns[static_cast<size_t>(c)].name;
    return out;
}

// Output column indexes of "col1, col2" (names as in SQL: folded to lower
// case unless double-quoted).
sql_result<std::vector<int>> primary_key_columns(const std::string& sink, const with_option& o,
                                                 const stream_plan& plan) {
    std::vector<int> out;
    size_t begin = 0;
    for (;;) {
        size_t comma = o.value.find(',', begin);
        std::string name = trim(std::string_view(o.value).substr(
            begin, comma == std::string::npos ? std::string::npos : comma - begin));
        if (name.empty())
            return at(sql_errc::invalid_parameter_value,
                      "primary_key must list column names, e.g. primary_key = 'col1,col2'", &o, 0);
        int found = -1;
        for (size_t i = 0; i < plan.output_columns.size(); ++i)
            if (plan.output_columns[i].name == name) found = static_cast<int>(i);
        if (found < 0)
            return at(
                sql_errc::undefined_column,
                "primary_key column \"" + name + "\" is not a column of sink \"" + sink + "\"", &o,
                0);
        if (std::find(out.begin(), out.end(), found) != out.end())
            return at(sql_errc::invalid_parameter_value,
                      "primary_key column \"" + name + "\" is listed twice", &o, 0);
        out.push_back(found);
        if (comma == std::string::npos) break;
        begin = comma + 1;
    }
    return out;
}

sql_result<sink_type> type_option(const with_option* t) {
    if (!t || t->value == "append" || t->value == "append-only" || t->value == "append_only")
        return sink_type::append;
    if (t->value == "upsert") return sink_type::upsert;
    if (t->value == "debezium") return sink_type::debezium;
    return at(sql_errc::invalid_parameter_value,
              "sink type must be 'append', 'upsert' or 'debezium', not '" + t->value + "'", t, 0);
}

std::string why_updating(const std::string& reads_updating_view) {
    if (!reads_updating_view.empty())
        return "it reads materialized view \"" + reads_updating_view + "\", whose rows update";
    return "GROUP BY without EMIT ON WINDOW CLOSE";
}

}  // namespace

sql_result<output_mode> sink_output_mode(const std::string& sink,
                                         const std::vector<with_option>& options,
                                         const stream_plan& plan,
                                         const std::string& reads_updating_view,
                                         int statement_position) {
    const with_option* t = find(options, "type");
    auto type = type_option(t);
    if (!type.ok()) return type.error();
    output_mode m;
    m.type = type.value();
    const with_option* pk = find(options, "primary_key");
    if (pk) {
        auto cols = primary_key_columns(sink, *pk, plan);
        if (!cols.ok()) return cols.error();
        m.key_columns = std::move(cols).value();
    }
    bool updating = !plan.append_only || !reads_updating_view.empty();
    if (m.type == sink_type::append && updating) {
        std::string key = plan.unique_key.empty() ? "..." : column_list(plan, plan.unique_key);
        return at(sql_errc::invalid_parameter_value,
                  "sink \"" + sink + "\" is append-only but its query updates rows (" +
                      why_updating(reads_updating_view) + "): use type = 'upsert' with " +
                      "primary_key = '" + key + "', type = 'debezium', or EMIT ON WINDOW CLOSE",
                  t, statement_position);
    }
    if (m.type == sink_type::append) return m;
    const char* name = m.type == sink_type::upsert ? "upsert" : "debezium";
    if (!pk) {
        std::string key =
            plan.unique_key.empty() ? "col1,col2" : column_list(plan, plan.unique_key);
        return at(sql_errc::invalid_parameter_value,
                  std::string("a sink of type '") + name + "' needs primary_key = '" + key + "'", t,
                  statement_position);
    }
    if (updating)
        for (int u : plan.unique_key)
            if (std::find(m.key_columns.begin(), m.key_columns.end(), u) == m.key_columns.end())
                return at(sql_errc::invalid_parameter_value,
                          "primary_key of sink \"" + sink + "\" must include column \"" +
                              plan.output_columns[static_cast<size_t>(u)].name +
                              "\": rows of the query are identified by (" +
                              column_list(plan, plan.unique_key) + ")",
                          pk, statement_position);
    return m;
}

sql_result<output_mode> view_output_mode(const std::string& view, const stream_plan& plan,
                                         const std::string& reads_updating_view,
                                         int statement_position) {
    output_mode m;
    if (plan.append_only && reads_updating_view.empty()) return m;
    if (plan.unique_key.empty()) {
        // (A query without GROUP BY over an updating view is refused by the
        // planner; an aggregation over one updates rows like any other.)
        std::string msg = "materialized view \"" + view +
                          "\" updates rows but does not select all of its GROUP BY keys, so its "
                          "rows have no key: select every GROUP BY expression";
        if (reads_updating_view.empty()) msg += " (or use EMIT ON WINDOW CLOSE)";
        return make_error(sql_errc::feature_not_supported, msg, statement_position);
    }
    m.type = sink_type::upsert;
    m.key_columns = plan.unique_key;
    return m;
}

std::string updating_view_among(const std::vector<std::string>& relations, const catalog& cat) {
    for (const auto& r : relations) {
        auto rel = cat.find_relation(r);
        if (rel && rel->kind == catalog_kind::view && !rel->upsert_key.empty()) return r;
    }
    return "";
}

}  // namespace spate::sql
