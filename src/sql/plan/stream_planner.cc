#include "sql/plan/stream_planner.h"

#include "sql/exec/transform.h"

namespace spate::sql {

namespace {

const char* unsupported_name(plan_kind k) {
    switch (k) {
        case plan_kind::sort:
            return "ORDER BY";
        case plan_kind::limit:
            return "LIMIT/OFFSET";
        case plan_kind::values:
            return "a query without FROM";
        default:
            return "this operator";
    }
}

// Walks down from `p` collecting transforms (outermost first) until a scan.
sql_status collect(const plan_ptr& p, std::vector<const plan_node*> chain, stream_plan& out) {
    switch (p->kind) {
        case plan_kind::filter:
        case plan_kind::project:
            chain.push_back(p.get());
            return collect(p->inputs[0], std::move(chain), out);
        case plan_kind::union_all:
            for (const auto& in : p->inputs)
                if (auto s = collect(in, chain, out); !s.ok()) return s;
            return {};
        case plan_kind::scan: {
            input_spec in;
            const relation_def& r = p->relation;
            in.topic = r.topic;
            in.format = r.format;
            std::vector<int> decoded = decoded_declared_columns(*p);
            for (int c : decoded)
                in.columns.push_back(r.columns[static_cast<size_t>(c)]);
            in.decoding = r.decoding;
            in.start_earliest = r.start_earliest;
            in.dead_letter_topic = r.dead_letter_topic;
            std::vector<transform_ptr> transforms;
            transforms.push_back(make_scan_select(*p, decoded));
            for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
                const plan_node* n = *it;
                transforms.push_back(n->kind == plan_kind::filter ? make_filter(n->predicate)
                                                                  : make_project(n->exprs));
            }
            in.processor = make_pipeline(std::move(transforms));
            for (const auto& other : out.inputs)
                if (other.topic == in.topic)
                    return make_error(
                        sql_errc::feature_not_supported,
                        "a continuous query may read relation \"" + r.name + "\" only once yet");
            out.inputs.push_back(std::move(in));
            out.relations.push_back(r.name);
            return {};
        }
        default:
            return make_error(sql_errc::feature_not_supported,
                              std::string(unsupported_name(p->kind)) +
                                  " is not supported in materialized views and sinks yet");
    }
}

}  // namespace

sql_result<stream_plan> plan_stream(const plan_ptr& optimised) {
    stream_plan out;
    out.output_columns = optimised->schema;
    if (auto s = collect(optimised, {}, out); !s.ok()) return s.error();
    return out;
}

}  // namespace spate::sql
