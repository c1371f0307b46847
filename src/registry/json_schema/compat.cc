// Confluent's JSON Schema compatibility rules over the node graph: the
// differences between the schema data was written with ("original") and the
// schema reading it ("update"), each classified compatible or not.
//
// Follows the public description and behaviour of Confluent Schema
// Registry's JSON Schema diff (SchemaDiff, ObjectSchemaDiff, ...), with these
// deliberate differences:
//   - reference chains are followed to their end (not one step);
//   - a decreased exclusiveMaximum is compared with the reader's
//     exclusiveMaximum (Confluent reads its maximum there);
//   - the sibling keyword groups of one schema object (Confluent's synthetic
//     allOf) add no "allOf/<i>" step to paths;
//   - when combined subschemas cannot all be matched, the differences of an
//     unmatched pair of the same kind are reported beside
//     COMBINED_TYPE_SUBSCHEMAS_CHANGED, to say what changed;
//   - comparisons deeper than k_max_depth (only reachable through long $ref
//     chains) stop with COMPARISON_TOO_DEEP, an incompatibility.

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "registry/json_schema/model.h"

namespace spate::registry::json_schema {

namespace {

constexpr int k_max_depth = 400;

struct diff_info {
    std::string_view name;
    bool compatible;
};

constexpr diff_info k_diff_info[] = {
#define SPATE_X(name, compatible) {#name, compatible},
    SPATE_JSON_SCHEMA_DIFF_TYPES(SPATE_X)
#undef SPATE_X
};

using dt = diff_type;
using node_pair = std::pair<const node*, const node*>;
using diff_list = std::vector<difference>;

bool all_compatible(const diff_list& diffs) {
    return std::all_of(diffs.begin(), diffs.end(),
                       [](const difference& d) { return is_compatible_change(d.type); });
}

// State shared by every context of one comparison pass.
struct shared_state {
    // Pair-relative differences of every pair compared so far.
    std::map<node_pair, diff_list> memo;
    // Pairs on the comparison stack: meeting one again is a recursive cycle.
    std::set<node_pair> in_progress;
    // Pairs a previous pass found incompatible (see compare()).
    const std::map<node_pair, diff_list>* seed = nullptr;
    // Whether a cycle was assumed compatible in this pass.
    bool optimism_used = false;
    int depth = 0;
};

class context {
  public:
    explicit context(shared_state& s) : state(s) {}

    context sub() const {
        context c(state);
        c._path = _path;
        return c;
    }

    class path_scope {
      public:
        path_scope(context& c, std::string segment) : _c(c) {
            _c._path.push_back(std::move(segment));
        }
        ~path_scope() { _c._path.pop_back(); }
        path_scope(const path_scope&) = delete;
        path_scope& operator=(const path_scope&) = delete;

      private:
        context& _c;
    };

    [[nodiscard]] path_scope enter(std::string segment) {
        return path_scope(*this, std::move(segment));
    }

    void add(dt t) { _diffs.push_back(difference{t, path()}); }
    void add(std::string_view attribute, dt t) {
        auto s = enter(std::string(attribute));
        add(t);
    }
    void add_all(const diff_list& diffs) {
        _diffs.insert(_diffs.end(), diffs.begin(), diffs.end());
    }
    // Adds differences computed relative to a pair, rebased onto this path.
    void add_rebased(const diff_list& relative) {
        if (_path.empty()) {
            add_all(relative);
            return;
        }
        const std::string prefix = path();
        for (const auto& d : relative) {
            _diffs.push_back(
                difference{d.type, d.path.size() <= 2 ? prefix : prefix + "/" + d.path.substr(2)});
        }
    }
    bool compatible() const { return all_compatible(_diffs); }
    const diff_list& diffs() const { return _diffs; }
    diff_list take() { return std::move(_diffs); }

    shared_state& state;

  private:
    std::string path() const {
        std::string p = "#/";
        for (size_t i = 0; i < _path.size(); ++i) {
            if (i > 0) p += '/';
            p += _path[i];
        }
        return p;
    }

    std::vector<std::string> _path;
    diff_list _diffs;
};

void compare(context& ctx, const node* original, const node* update);

// --- helpers ---

bool is_empty_class(const node* n) {
    // EmptySchema, and TrueSchema which extends it.
    return n != nullptr && (n->kind == node_kind::empty || n->kind == node_kind::true_schema);
}

bool is_false(const node* n) {
    return n != nullptr && n->kind == node_kind::false_schema;
}

bool json_equal(const json* a, const json* b) {
    if (a == nullptr || b == nullptr) return a == b;
    return *a == *b;
}

template <typename T>
void compare_limit(context& ctx, std::string_view name, const std::optional<T>& o,
                   const std::optional<T>& u, dt added, dt removed, dt increased, dt decreased) {
    if (!o && !u) return;
    if (!o) {
        ctx.add(name, added);
    } else if (!u) {
        ctx.add(name, removed);
    } else if (*o < *u) {
        ctx.add(name, increased);
    } else if (*o > *u) {
        ctx.add(name, decreased);
    }
}

// A JSON number as an exact decimal mantissa * 10^-scale, when it fits.
struct decimal {
    __int128 mantissa = 0;
    int scale = 0;
};

std::optional<decimal> to_decimal(const json& v) {
    if (v.is_number_integer() || v.is_number_unsigned()) {
        decimal d;
        d.mantissa = v.is_number_unsigned() ? static_cast<__int128>(v.get<uint64_t>())
                                            : static_cast<__int128>(v.get<int64_t>());
        return d;
    }
    const std::string text = v.dump();  // shortest round-trip form
    decimal d;
    bool negative = false, in_fraction = false;
    int digits = 0;
    size_t i = 0;
    if (i < text.size() && text[i] == '-') {
        negative = true;
        ++i;
    }
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            if (++digits > 30) return std::nullopt;
            d.mantissa = d.mantissa * 10 + (c - '0');
            if (in_fraction) ++d.scale;
        } else if (c == '.') {
            in_fraction = true;
        } else if (c == 'e' || c == 'E') {
            int exponent = std::atoi(text.c_str() + i + 1);
            if (exponent > 30 || exponent < -30) return std::nullopt;
            d.scale -= exponent;
            break;
        } else {
            return std::nullopt;
        }
    }
    if (negative) d.mantissa = -d.mantissa;
    return d;
}

// Both at one scale, or nullopt when that overflows.
std::optional<std::pair<__int128, __int128>> common_scale(decimal a, decimal b) {
    auto raise = [](decimal& d, int to) {
        while (d.scale < to) {
            if (d.mantissa > static_cast<__int128>(1e36) ||
                d.mantissa < -static_cast<__int128>(1e36))
                return false;
            d.mantissa *= 10;
            ++d.scale;
        }
        return true;
    };
    int to = std::max(a.scale, b.scale);
    if (!raise(a, to) || !raise(b, to)) return std::nullopt;
    return std::pair{a.mantissa, b.mantissa};
}

void compare_multiple_of(context& ctx, const json* o, const json* u) {
    if (o == nullptr && u == nullptr) return;
    if (o == nullptr) return ctx.add("multipleOf", dt::MULTIPLE_OF_ADDED);
    if (u == nullptr) return ctx.add("multipleOf", dt::MULTIPLE_OF_REMOVED);
    bool equal, update_multiple, original_multiple;
    auto da = to_decimal(*o), db = to_decimal(*u);
    std::optional<std::pair<__int128, __int128>> both;
    if (da && db) both = common_scale(*da, *db);
    if (both) {
        auto [a, b] = *both;
        equal = a == b;
        update_multiple = a != 0 && b % a == 0;
        original_multiple = b != 0 && a % b == 0;
    } else {
        double a = o->get<double>(), b = u->get<double>();
        auto divides = [](double x, double y) {  // y is a multiple of x
            if (x == 0) return false;
            double q = y / x;
            return std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
        };
        equal = a == b;
        update_multiple = divides(a, b);
        original_multiple = divides(b, a);
    }
    if (equal) return;
    if (update_multiple) {
        ctx.add("multipleOf", dt::MULTIPLE_OF_EXPANDED);
    } else if (original_multiple) {
        ctx.add("multipleOf", dt::MULTIPLE_OF_REDUCED);
    } else {
        ctx.add("multipleOf", dt::MULTIPLE_OF_CHANGED);
    }
}

// --- per kind ---

void compare_string(context& ctx, const node& o, const node& u) {
    compare_limit(ctx, "maxLength", o.max_length, u.max_length, dt::MAX_LENGTH_ADDED,
                  dt::MAX_LENGTH_REMOVED, dt::MAX_LENGTH_INCREASED, dt::MAX_LENGTH_DECREASED);
    compare_limit(ctx, "minLength", o.min_length, u.min_length, dt::MIN_LENGTH_ADDED,
                  dt::MIN_LENGTH_REMOVED, dt::MIN_LENGTH_INCREASED, dt::MIN_LENGTH_DECREASED);
    if (!o.pattern && u.pattern) {
        ctx.add("pattern", dt::PATTERN_ADDED);
    } else if (o.pattern && !u.pattern) {
        ctx.add("pattern", dt::PATTERN_REMOVED);
    } else if (o.pattern && *o.pattern != *u.pattern) {
        ctx.add("pattern", dt::PATTERN_CHANGED);
    }
}

void compare_number(context& ctx, const node& o, const node& u) {
    compare_limit(ctx, "maximum", o.maximum, u.maximum, dt::MAXIMUM_ADDED, dt::MAXIMUM_REMOVED,
                  dt::MAXIMUM_INCREASED, dt::MAXIMUM_DECREASED);
    compare_limit(ctx, "minimum", o.minimum, u.minimum, dt::MINIMUM_ADDED, dt::MINIMUM_REMOVED,
                  dt::MINIMUM_INCREASED, dt::MINIMUM_DECREASED);
    compare_limit(ctx, "exclusiveMaximum", o.exclusive_maximum, u.exclusive_maximum,
                  dt::EXCLUSIVE_MAXIMUM_ADDED, dt::EXCLUSIVE_MAXIMUM_REMOVED,
                  dt::EXCLUSIVE_MAXIMUM_INCREASED, dt::EXCLUSIVE_MAXIMUM_DECREASED);
    compare_limit(ctx, "exclusiveMinimum", o.exclusive_minimum, u.exclusive_minimum,
                  dt::EXCLUSIVE_MINIMUM_ADDED, dt::EXCLUSIVE_MINIMUM_REMOVED,
                  dt::EXCLUSIVE_MINIMUM_INCREASED, dt::EXCLUSIVE_MINIMUM_DECREASED);
    compare_multiple_of(ctx, o.multiple_of, u.multiple_of);
    if (o.requires_integer != u.requires_integer)
        ctx.add(o.requires_integer ? dt::TYPE_EXTENDED : dt::TYPE_NARROWED);
}

// The values sorted and without duplicates (nlohmann's order: numbers by
// value across integer and float, so 1 and 1.0 are one value, as they are equal).
std::vector<const json*> value_set(const std::vector<const json*>& values) {
    std::vector<const json*> out(values);
    auto less = [](const json* a, const json* b) { return *a < *b; };
    std::sort(out.begin(), out.end(), less);
    out.erase(
        std::unique(out.begin(), out.end(), [](const json* a, const json* b) { return *a == *b; }),
        out.end());
    return out;
}

bool contains_all(const std::vector<const json*>& set, const std::vector<const json*>& subset) {
    return std::includes(set.begin(), set.end(), subset.begin(), subset.end(),
                         [](const json* a, const json* b) { return *a < *b; });
}

void compare_enum(context& ctx, const node& o, const node& u) {
    const auto ov = value_set(o.values), uv = value_set(u.values);
    const bool extends = contains_all(uv, ov);
    const bool narrows = contains_all(ov, uv);
    if (extends && narrows) return;  // the same set of values
    if (extends) {
        ctx.add("enum", dt::ENUM_ARRAY_EXTENDED);
    } else if (narrows) {
        ctx.add("enum", dt::ENUM_ARRAY_NARROWED);
    } else {
        ctx.add("enum", dt::ENUM_ARRAY_CHANGED);
    }
}

// The subschemas of a combined node without duplicates (Confluent compares
// them as a set of schemas).
std::vector<const node*> distinct_subschemas(const node& n) {
    std::vector<const node*> out;
    for (const node* s : n.subschemas) {
        bool duplicate = std::any_of(out.begin(), out.end(), [&](const node* seen) {
            return seen == s ||
                   (seen->source != nullptr && s->source != nullptr && *seen->source == *s->source);
        });
        if (!duplicate) out.push_back(s);
    }
    return out;
}

// Maximum bipartite matching (augmenting paths): match_of_right[j] = i.
size_t max_matching(const std::vector<std::vector<bool>>& edge, size_t right,
                    std::vector<int>& match_of_right) {
    match_of_right.assign(right, -1);
    size_t size = 0;
    for (size_t i = 0; i < edge.size(); ++i) {
        std::vector<bool> seen(right, false);
        auto augment = [&](auto&& self, size_t left) -> bool {
            for (size_t j = 0; j < right; ++j) {
                if (!edge[left][j] || seen[j]) continue;
                seen[j] = true;
                if (match_of_right[j] < 0 || self(self, static_cast<size_t>(match_of_right[j]))) {
                    match_of_right[j] = static_cast<int>(left);
                    return true;
                }
            }
            return false;
        };
        if (augment(augment, i)) ++size;
    }
    return size;
}

void compare_combined(context& ctx, const node& o, const node& u) {
    const bool o_single = o.subschemas.size() == 1, u_single = u.subschemas.size() == 1;
    if (o.crit != u.crit) {
        if (u.crit == criterion::any_of || (o_single && u_single) ||
            (o_single && u.crit == criterion::one_of) ||
            (u_single && o.crit == criterion::all_of)) {
            ctx.add(dt::COMBINED_TYPE_EXTENDED);
        } else {
            ctx.add(dt::COMBINED_TYPE_CHANGED);
            return;
        }
    }
    const auto os = distinct_subschemas(o), us = distinct_subschemas(u);
    if (os.size() < us.size()) {
        ctx.add(u.crit == criterion::all_of ? dt::PRODUCT_TYPE_EXTENDED : dt::SUM_TYPE_EXTENDED);
    } else if (os.size() > us.size()) {
        ctx.add(o.crit == criterion::all_of ? dt::PRODUCT_TYPE_NARROWED : dt::SUM_TYPE_NARROWED);
    }

    std::vector<std::vector<bool>> edge(os.size(), std::vector<bool>(us.size(), false));
    std::vector<std::vector<diff_list>> diffs(os.size(), std::vector<diff_list>(us.size()));
    for (size_t i = 0; i < os.size(); ++i) {
        std::optional<context::path_scope> scope;
        if (!o.synthetic)
            scope.emplace(ctx, std::string(criterion_name(o.crit)) + "/" + std::to_string(i));
        for (size_t j = 0; j < us.size(); ++j) {
            context sub = ctx.sub();
            compare(sub, os[i], us[j]);
            edge[i][j] = sub.compatible();
            diffs[i][j] = sub.take();
        }
    }
    std::vector<int> match_of_right;
    const size_t matched = max_matching(edge, us.size(), match_of_right);
    std::vector<bool> left_matched(os.size(), false);
    for (size_t j = 0; j < us.size(); ++j) {
        if (match_of_right[j] < 0) continue;
        left_matched[match_of_right[j]] = true;
        ctx.add_all(diffs[match_of_right[j]][j]);
    }
    if (matched < std::min(os.size(), us.size())) {
        // Say what differs between an unmatched subschema and the one
        // unmatched counterpart of its kind, if there is exactly one.
        for (size_t i = 0; i < os.size(); ++i) {
            if (left_matched[i]) continue;
            std::optional<size_t> counterpart;
            size_t candidates = 0;
            for (size_t j = 0; j < us.size(); ++j) {
                if (match_of_right[j] >= 0 || deref(us[j])->kind != deref(os[i])->kind) continue;
                ++candidates;
                counterpart = j;
            }
            if (candidates != 1) continue;
            for (const auto& d : diffs[i][*counterpart])
                if (!is_compatible_change(d.type)) ctx.add_all({d});
        }
        ctx.add(dt::COMBINED_TYPE_SUBSCHEMAS_CHANGED);
    }
}

void compare_not(context& ctx, const node& o, const node& u) {
    auto scope = ctx.enter("not");
    context sub = ctx.sub();
    // A narrower "not" accepts more: compare the wrapped schemas reversed.
    compare(sub, u.must_not, o.must_not);
    ctx.add(sub.compatible() ? dt::NOT_TYPE_NARROWED : dt::NOT_TYPE_EXTENDED);
}

bool pattern_matches(const std::string& pattern, const std::string& key) {
    try {
        return std::regex_search(key, std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
        return false;  // a pattern std::regex cannot compile covers nothing
    }
}

// Open: anything may appear beyond the declared properties.
bool open_object(const node& n) {
    if (!n.permits_additional_properties || n.additional_properties != nullptr ||
        !n.pattern_properties.empty())
        return false;
    return n.unevaluated_properties == nullptr || is_empty_class(deref(n.unevaluated_properties));
}

// Partially open: undeclared properties must match a schema.
const node* partial_object_schema(const node& n, const std::string& key) {
    for (const auto& [pattern, schema] : n.pattern_properties)
        if (pattern_matches(pattern, key)) return schema;
    if (n.additional_properties != nullptr) return n.additional_properties;
    if (n.permits_additional_properties && n.unevaluated_properties != nullptr) {
        const node* u = deref(n.unevaluated_properties);
        if (!is_false(u) && !is_empty_class(u)) return n.unevaluated_properties;
    }
    return nullptr;
}

void compare_required(context& ctx, const node& o, const node& u) {
    auto scope = ctx.enter("required");
    for (const auto& [key, schema] : o.properties) {
        auto it = u.properties.find(key);
        if (it == u.properties.end()) continue;
        const bool was = o.required.contains(key), is = u.required.contains(key);
        if (was && !is) {
            ctx.add(key, dt::REQUIRED_ATTRIBUTE_REMOVED);
        } else if (!was && is) {
            ctx.add(key, it->second->default_value != nullptr
                             ? dt::REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                             : dt::REQUIRED_ATTRIBUTE_ADDED);
        }
    }
}

void compare_properties(context& ctx, const node& o, const node& u) {
    auto scope = ctx.enter("properties");
    std::set<std::string> keys;
    for (const auto& [k, s] : o.properties)
        keys.insert(k);
    for (const auto& [k, s] : u.properties)
        keys.insert(k);
    for (const std::string& key : keys) {
        auto key_scope = ctx.enter(key);
        auto oi = o.properties.find(key);
        auto ui = u.properties.find(key);
        const node* os = oi == o.properties.end() ? nullptr : oi->second;
        const node* us = ui == u.properties.end() ? nullptr : ui->second;
        if (us == nullptr) {
            // Removing is up to the reader's content model.
            if (open_object(u)) {
                ctx.add(dt::PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL);
            } else if (const node* partial = partial_object_schema(u, key)) {
                context sub = ctx.sub();
                compare(sub, os, partial);
                ctx.add_all(sub.diffs());
                ctx.add(sub.compatible()
                            ? dt::PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                            : dt::PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            } else {
                ctx.add(is_false(deref(os))
                            ? dt::PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                            : dt::PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL);
            }
        } else if (os == nullptr) {
            // Adding is up to the writer's content model.
            const bool required = u.required.contains(key);
            const bool has_default = us->default_value != nullptr;
            if (open_object(o)) {
                if (is_empty_class(deref(us))) {
                    ctx.add(dt::PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL);
                } else if (required) {
                    ctx.add(has_default
                                ? dt::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
                                : dt::REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL);
                } else {
                    ctx.add(dt::OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL);
                }
            } else {
                if (const node* partial = partial_object_schema(o, key)) {
                    context sub = ctx.sub();
                    compare(sub, partial, us);
                    ctx.add_all(sub.diffs());
                    ctx.add(sub.compatible()
                                ? dt::PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                                : dt::PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
                }
                if (required) {
                    ctx.add(has_default
                                ? dt::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
                                : dt::REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL);
                } else {
                    ctx.add(dt::OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL);
                }
            }
        } else {
            compare(ctx, os, us);
        }
    }
}

void compare_dependencies(context& ctx, const node& o, const node& u) {
    auto scope = ctx.enter("dependencies");
    std::set<std::string> keys;
    for (const auto& [k, v] : o.property_dependencies)
        keys.insert(k);
    for (const auto& [k, v] : u.property_dependencies)
        keys.insert(k);
    for (const std::string& key : keys) {
        auto oi = o.property_dependencies.find(key);
        auto ui = u.property_dependencies.find(key);
        if (ui == u.property_dependencies.end()) {
            ctx.add(key, dt::DEPENDENCY_ARRAY_REMOVED);
        } else if (oi == o.property_dependencies.end()) {
            ctx.add(key, dt::DEPENDENCY_ARRAY_ADDED);
        } else if (oi->second != ui->second) {
            const auto& od = oi->second;
            const auto& ud = ui->second;
            if (std::includes(ud.begin(), ud.end(), od.begin(), od.end())) {
                ctx.add(key, dt::DEPENDENCY_ARRAY_EXTENDED);
            } else if (std::includes(od.begin(), od.end(), ud.begin(), ud.end())) {
                ctx.add(key, dt::DEPENDENCY_ARRAY_NARROWED);
            } else {
                ctx.add(key, dt::DEPENDENCY_ARRAY_CHANGED);
            }
        }
    }
    keys.clear();
    for (const auto& [k, v] : o.schema_dependencies)
        keys.insert(k);
    for (const auto& [k, v] : u.schema_dependencies)
        keys.insert(k);
    for (const std::string& key : keys) {
        auto key_scope = ctx.enter(key);
        auto oi = o.schema_dependencies.find(key);
        auto ui = u.schema_dependencies.find(key);
        if (ui == u.schema_dependencies.end()) {
            ctx.add(dt::DEPENDENCY_SCHEMA_REMOVED);
        } else if (oi == o.schema_dependencies.end()) {
            ctx.add(dt::DEPENDENCY_SCHEMA_ADDED);
        } else {
            compare(ctx, oi->second, ui->second);
        }
    }
}

// unevaluatedProperties / unevaluatedItems: absent, false, true/{} or a schema.
void compare_unevaluated(context& ctx, const char* keyword, const node* o, const node* u, dt added,
                         dt removed, dt extended, dt narrowed) {
    if (o == nullptr && u == nullptr) return;
    auto scope = ctx.enter(keyword);
    const node* od = deref(o);
    const node* ud = deref(u);
    if (o == nullptr) {
        ctx.add(is_false(ud) ? removed : narrowed);
    } else if (u == nullptr) {
        ctx.add(is_false(od) ? added : extended);
    } else if (is_false(od) && !is_false(ud)) {
        ctx.add(added);
    } else if (!is_false(od) && is_false(ud)) {
        ctx.add(removed);
    } else if (is_empty_class(od) && !is_empty_class(ud)) {
        ctx.add(narrowed);
    } else if (!is_empty_class(od) && is_empty_class(ud)) {
        ctx.add(extended);
    } else {
        compare(ctx, o, u);
    }
}

void compare_object(context& ctx, const node& o, const node& u) {
    compare_required(ctx, o, u);
    compare_properties(ctx, o, u);
    compare_dependencies(ctx, o, u);
    {
        auto scope = ctx.enter("additionalProperties");
        if (o.permits_additional_properties != u.permits_additional_properties) {
            ctx.add(u.permits_additional_properties ? dt::ADDITIONAL_PROPERTIES_ADDED
                                                    : dt::ADDITIONAL_PROPERTIES_REMOVED);
        } else if (o.additional_properties == nullptr && u.additional_properties != nullptr) {
            ctx.add(dt::ADDITIONAL_PROPERTIES_NARROWED);
        } else if (o.additional_properties != nullptr && u.additional_properties == nullptr) {
            ctx.add(dt::ADDITIONAL_PROPERTIES_EXTENDED);
        } else {
            compare(ctx, o.additional_properties, u.additional_properties);
        }
    }
    compare_unevaluated(ctx, "unevaluatedProperties", o.unevaluated_properties,
                        u.unevaluated_properties, dt::UNEVALUATED_PROPERTIES_ADDED,
                        dt::UNEVALUATED_PROPERTIES_REMOVED, dt::UNEVALUATED_PROPERTIES_EXTENDED,
                        dt::UNEVALUATED_PROPERTIES_NARROWED);
    compare_limit(ctx, "maxProperties", o.max_properties, u.max_properties,
                  dt::MAX_PROPERTIES_ADDED, dt::MAX_PROPERTIES_REMOVED,
                  dt::MAX_PROPERTIES_INCREASED, dt::MAX_PROPERTIES_DECREASED);
    compare_limit(ctx, "minProperties", o.min_properties, u.min_properties,
                  dt::MIN_PROPERTIES_ADDED, dt::MIN_PROPERTIES_REMOVED,
                  dt::MIN_PROPERTIES_INCREASED, dt::MIN_PROPERTIES_DECREASED);
}

bool open_array(const node& n) {
    if (!n.permits_additional_items || n.additional_items != nullptr) return false;
    return n.unevaluated_items == nullptr || is_empty_class(deref(n.unevaluated_items));
}

const node* partial_array_schema(const node& n) {
    if (n.additional_items != nullptr) return n.additional_items;
    if (n.permits_additional_items && n.unevaluated_items != nullptr) {
        const node* u = deref(n.unevaluated_items);
        if (!is_false(u) && !is_empty_class(u)) return n.unevaluated_items;
    }
    return nullptr;
}

void compare_tuple(context& ctx, const node& o, const node& u) {
    const size_t on = o.item_schemas.size(), un = u.item_schemas.size();
    for (size_t i = 0; i < std::min(on, un); ++i) {
        auto scope = ctx.enter("items/" + std::to_string(i));
        compare(ctx, o.item_schemas[i], u.item_schemas[i]);
    }
    for (size_t i = un; i < on; ++i) {
        // An item the reader no longer declares.
        auto scope = ctx.enter("items/" + std::to_string(i));
        const node* os = o.item_schemas[i];
        if (open_array(u)) {
            ctx.add(dt::ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL);
        } else if (const node* partial = partial_array_schema(u)) {
            context sub = ctx.sub();
            compare(sub, os, partial);
            ctx.add_all(sub.diffs());
            ctx.add(sub.compatible()
                        ? dt::ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        : dt::ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
        } else {
            ctx.add(is_false(deref(os)) ? dt::ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                                        : dt::ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL);
        }
    }
    for (size_t i = on; i < un; ++i) {
        // An item the writer did not declare.
        auto scope = ctx.enter("items/" + std::to_string(i));
        const node* us = u.item_schemas[i];
        if (open_array(o)) {
            ctx.add(is_empty_class(deref(us))
                        ? dt::ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                        : dt::ITEM_ADDED_TO_OPEN_CONTENT_MODEL);
        } else if (const node* partial = partial_array_schema(o)) {
            context sub = ctx.sub();
            compare(sub, partial, us);
            ctx.add_all(sub.diffs());
            ctx.add(sub.compatible() ? dt::ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                                     : dt::ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
        } else {
            ctx.add(dt::ITEM_ADDED_TO_CLOSED_CONTENT_MODEL);
        }
    }
}

void compare_array(context& ctx, const node& o, const node& u) {
    {
        auto scope = ctx.enter("items");
        compare(ctx, o.all_items, u.all_items);
    }
    compare_tuple(ctx, o, u);
    {
        auto scope = ctx.enter("additionalItems");
        if (o.permits_additional_items != u.permits_additional_items) {
            ctx.add(o.permits_additional_items ? dt::ADDITIONAL_ITEMS_REMOVED
                                               : dt::ADDITIONAL_ITEMS_ADDED);
        } else if (o.additional_items == nullptr && u.additional_items != nullptr) {
            ctx.add(dt::ADDITIONAL_ITEMS_NARROWED);
        } else if (o.additional_items != nullptr && u.additional_items == nullptr) {
            ctx.add(dt::ADDITIONAL_ITEMS_EXTENDED);
        } else {
            compare(ctx, o.additional_items, u.additional_items);
        }
    }
    compare_unevaluated(ctx, "unevaluatedItems", o.unevaluated_items, u.unevaluated_items,
                        dt::UNEVALUATED_ITEMS_ADDED, dt::UNEVALUATED_ITEMS_REMOVED,
                        dt::UNEVALUATED_ITEMS_EXTENDED, dt::UNEVALUATED_ITEMS_NARROWED);
    compare_limit(ctx, "maxItems", o.max_items, u.max_items, dt::MAX_ITEMS_ADDED,
                  dt::MAX_ITEMS_REMOVED, dt::MAX_ITEMS_INCREASED, dt::MAX_ITEMS_DECREASED);
    compare_limit(ctx, "minItems", o.min_items, u.min_items, dt::MIN_ITEMS_ADDED,
                  dt::MIN_ITEMS_REMOVED, dt::MIN_ITEMS_INCREASED, dt::MIN_ITEMS_DECREASED);
    if (o.unique_items != u.unique_items)
        ctx.add("uniqueItems", o.unique_items ? dt::UNIQUE_ITEMS_REMOVED : dt::UNIQUE_ITEMS_ADDED);
    compare_limit(ctx, "maxContains", o.max_contains, u.max_contains, dt::MAX_CONTAINS_ADDED,
                  dt::MAX_CONTAINS_REMOVED, dt::MAX_CONTAINS_INCREASED, dt::MAX_CONTAINS_DECREASED);
    compare_limit(ctx, "minContains", o.min_contains, u.min_contains, dt::MIN_CONTAINS_ADDED,
                  dt::MIN_CONTAINS_REMOVED, dt::MIN_CONTAINS_INCREASED, dt::MIN_CONTAINS_DECREASED);
}

bool connect_bytes(const node& n) {
    if (n.source == nullptr || !n.source->is_object()) return false;
    auto it = n.source->find("connect.type");
    return it != n.source->end() && *it == "bytes";
}

void compare_types(context& ctx, const node& o, const node& u) {
    const bool oc = o.kind == node_kind::combined, uc = u.kind == node_kind::combined;
    if (!oc && uc) {
        if (u.subschemas.size() == 1) {
            context sub = ctx.sub();
            compare(sub, &o, u.subschemas[0]);
            if (sub.compatible()) return ctx.add_all(sub.diffs());
        } else if (u.crit != criterion::all_of) {
            // Data of the writer's type fits one alternative of the reader's.
            for (const node* s : u.subschemas) {
                context sub = ctx.sub();
                compare(sub, &o, s);
                if (sub.compatible()) {
                    ctx.add_all(sub.diffs());
                    return ctx.add(dt::SUM_TYPE_EXTENDED);
                }
            }
        }
    } else if (oc && !uc) {
        if (o.subschemas.size() == 1) {
            context sub = ctx.sub();
            compare(sub, o.subschemas[0], &u);
            if (sub.compatible()) return ctx.add_all(sub.diffs());
        } else if (o.crit == criterion::all_of) {
            // The writer's data satisfied every part; one part may suffice.
            for (const node* s : o.subschemas) {
                context sub = ctx.sub();
                compare(sub, s, &u);
                if (sub.compatible()) {
                    ctx.add_all(sub.diffs());
                    return ctx.add(dt::PRODUCT_TYPE_NARROWED);
                }
            }
        }
    }

    if (o.kind != u.kind) {
        // Nothing was written (false), or the reader accepts anything.
        if (o.kind == node_kind::false_schema || is_empty_class(&u)) return;
        if (connect_bytes(o) && connect_bytes(u)) return;
        return ctx.add(dt::TYPE_CHANGED);
    }

    if (o.id != u.id) ctx.add(dt::ID_CHANGED);
    if (o.title != u.title) ctx.add(dt::TITLE_CHANGED);
    if (o.description != u.description) ctx.add(dt::DESCRIPTION_CHANGED);
    if (!json_equal(o.default_value, u.default_value)) ctx.add(dt::DEFAULT_CHANGED);

    switch (o.kind) {
        case node_kind::string:
            return compare_string(ctx, o, u);
        case node_kind::number:
            return compare_number(ctx, o, u);
        case node_kind::constant:
            if (!json_equal(o.const_value, u.const_value)) ctx.add("const", dt::ENUM_ARRAY_CHANGED);
            return;
        case node_kind::enumeration:
            return compare_enum(ctx, o, u);
        case node_kind::combined:
            return compare_combined(ctx, o, u);
        case node_kind::negation:
            return compare_not(ctx, o, u);
        case node_kind::object:
            return compare_object(ctx, o, u);
        case node_kind::array:
            return compare_array(ctx, o, u);
        default:
            return;
    }
}

// Compares a pair once per pass: later meetings reuse its differences, and
// meeting a pair still being compared (a recursive $ref) assumes it
// compatible unless an earlier pass found it not.
diff_list compare_memoized(context& ctx, const node* o, const node* u) {
    shared_state& s = ctx.state;
    const node_pair key{o, u};
    if (auto it = s.memo.find(key); it != s.memo.end()) return it->second;
    if (!s.in_progress.insert(key).second) {
        if (auto it = s.seed->find(key); it != s.seed->end()) return it->second;
        s.optimism_used = true;
        return {};
    }
    diff_list result;
    if (s.depth >= k_max_depth) {
        result.push_back(difference{dt::COMPARISON_TOO_DEEP, "#/"});
    } else {
        context sub(s);
        ++s.depth;
        compare_types(sub, *o, *u);
        --s.depth;
        result = sub.take();
    }
    s.in_progress.erase(key);
    s.memo.emplace(key, result);
    return result;
}

void compare(context& ctx, const node* original, const node* update) {
    if (original == nullptr && update == nullptr) return;
    if (original == nullptr) return ctx.add(dt::SCHEMA_ADDED);
    if (update == nullptr) return ctx.add(dt::SCHEMA_REMOVED);
    ctx.add_rebased(compare_memoized(ctx, deref(original), deref(update)));
}

std::string description(const difference& d) {
    const std::string at = "'" + d.path + "'";
    switch (d.type) {
        case dt::MAXIMUM_ADDED:
        case dt::MINIMUM_ADDED:
        case dt::EXCLUSIVE_MAXIMUM_ADDED:
        case dt::EXCLUSIVE_MINIMUM_ADDED:
        case dt::MULTIPLE_OF_ADDED:
        case dt::MAX_LENGTH_ADDED:
        case dt::MIN_LENGTH_ADDED:
        case dt::PATTERN_ADDED:
        case dt::REQUIRED_ATTRIBUTE_ADDED:
        case dt::MAX_PROPERTIES_ADDED:
        case dt::MIN_PROPERTIES_ADDED:
        case dt::DEPENDENCY_ARRAY_ADDED:
        case dt::DEPENDENCY_SCHEMA_ADDED:
        case dt::MAX_ITEMS_ADDED:
        case dt::MIN_ITEMS_ADDED:
        case dt::MAX_CONTAINS_ADDED:
        case dt::MIN_CONTAINS_ADDED:
        case dt::UNIQUE_ITEMS_ADDED:
        case dt::ADDITIONAL_ITEMS_REMOVED:
        case dt::ADDITIONAL_PROPERTIES_REMOVED:
        case dt::UNEVALUATED_PROPERTIES_REMOVED:
        case dt::UNEVALUATED_ITEMS_REMOVED:
            return "The keyword at path " + at +
                   " in the reader schema is not present in the writer schema";
        case dt::MIN_LENGTH_INCREASED:
        case dt::MINIMUM_INCREASED:
        case dt::EXCLUSIVE_MINIMUM_INCREASED:
        case dt::MIN_PROPERTIES_INCREASED:
        case dt::MULTIPLE_OF_EXPANDED:
        case dt::MIN_ITEMS_INCREASED:
        case dt::MIN_CONTAINS_INCREASED:
            return "The value at path " + at +
                   " in the reader schema is more than its value in the writer schema";
        case dt::MAX_LENGTH_DECREASED:
        case dt::MAXIMUM_DECREASED:
        case dt::MAX_ITEMS_DECREASED:
        case dt::MAX_CONTAINS_DECREASED:
        case dt::EXCLUSIVE_MAXIMUM_DECREASED:
        case dt::MAX_PROPERTIES_DECREASED:
            return "The value at path " + at +
                   " in the reader schema is less than its value in the writer schema";
        case dt::PATTERN_CHANGED:
        case dt::MULTIPLE_OF_CHANGED:
        case dt::DEPENDENCY_ARRAY_CHANGED:
            return "The value at path " + at + " is different between the reader and writer schema";
        case dt::ADDITIONAL_ITEMS_NARROWED:
        case dt::ENUM_ARRAY_NARROWED:
        case dt::SUM_TYPE_NARROWED:
        case dt::ADDITIONAL_PROPERTIES_NARROWED:
        case dt::UNEVALUATED_PROPERTIES_NARROWED:
        case dt::UNEVALUATED_ITEMS_NARROWED:
            return "An array or combined type at path " + at +
                   " has fewer elements in the reader schema than the writer schema";
        case dt::DEPENDENCY_ARRAY_EXTENDED:
        case dt::PRODUCT_TYPE_EXTENDED:
        case dt::SUM_TYPE_EXTENDED:
        case dt::NOT_TYPE_EXTENDED:
            return "An array or combined type at path " + at +
                   " has more elements in the reader schema than the writer schema";
        case dt::TYPE_CHANGED:
        case dt::TYPE_NARROWED:
        case dt::COMBINED_TYPE_CHANGED:
        case dt::COMBINED_TYPE_SUBSCHEMAS_CHANGED:
        case dt::ENUM_ARRAY_CHANGED:
            return "A type at path " + at +
                   " is different between the reader schema and the writer schema";
        case dt::REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL:
        case dt::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL:
        case dt::OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL:
        case dt::ITEM_ADDED_TO_OPEN_CONTENT_MODEL:
            return "The writer schema has an open content model and has a property or item at "
                   "path " +
                   at + " which is missing in the reader schema";
        case dt::REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL:
            return "The reader schema has a required property at path " + at +
                   " which is missing in the writer schema, whose content model is not open";
        case dt::PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL:
        case dt::ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL:
            return "The reader schema has a closed content model and is missing a property or "
                   "item present at path " +
                   at + " in the writer schema";
        case dt::PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL:
        case dt::ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL:
            return "A property or item is missing in the reader schema but present at path " + at +
                   " in the writer schema and is not covered by its partially open content model";
        case dt::PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL:
        case dt::ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL:
            return "The reader schema has a property or item at path " + at +
                   " which is missing in the writer schema and is not covered by its partially "
                   "open content model";
        case dt::SCHEMA_ADDED:
            return "The reader schema has a schema at path " + at +
                   " where the writer schema has none";
        case dt::COMPARISON_TOO_DEEP:
            return "The schemas nest too deeply below path " + at + " to compare";
        default:
            return "The reader and writer schema differ at path " + at;
    }
}

}  // namespace

std::string_view diff_type_name(diff_type t) {
    return k_diff_info[static_cast<size_t>(t)].name;
}

bool is_compatible_change(diff_type t) {
    return k_diff_info[static_cast<size_t>(t)].compatible;
}

std::string format_difference(const difference& d) {
    return "{errorType:\"" + std::string(diff_type_name(d.type)) + "\", description:\"" +
           description(d) + "\", path:\"" + d.path + "\"}";
}

// Confluent's fixpoint over recursive schemas: a pass that assumed a cycle
// compatible is repeated with the pairs it found incompatible as a seed,
// until no assumption was needed or the incompatible pairs stop growing.
std::vector<difference> compare(const node* writer, const node* reader) {
    std::map<node_pair, diff_list> seed;
    while (true) {
        shared_state s;
        s.seed = &seed;
        context ctx(s);
        compare(ctx, writer, reader);
        std::map<node_pair, diff_list> incompatible;
        for (auto& [pair, diffs] : s.memo)
            if (!all_compatible(diffs)) incompatible.emplace(pair, diffs);
        auto same_keys = [&] {
            if (incompatible.size() != seed.size()) return false;
            for (auto a = incompatible.begin(), b = seed.begin(); a != incompatible.end(); ++a, ++b)
                if (a->first != b->first) return false;
            return true;
        };
        if (!s.optimism_used || same_keys()) return ctx.take();
        seed = std::move(incompatible);
    }
}

}  // namespace spate::registry::json_schema
