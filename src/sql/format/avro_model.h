#pragma once

// An Avro schema as the SQL formats see it: the type tree with the logical
// types avro-c does not keep (date, time-*, timestamp-*, decimal, uuid).
// avro-c decodes and encodes the bytes; this tree, walked in step with
// avro-c's values (record field i, union branch d, array items, map
// values), says what the values mean. Immutable once parsed; internal to
// the record formats.

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "sql/types/error.h"
#include "sql/types/types.h"

namespace spate::sql::format_detail {

enum class avro_kind {
    null,
    boolean,
    int32,
    int64,
    float32,
    float64,
    bytes,
    string,
    fixed,
    enumeration,
    record,
    array,
    map,
    union_of,
};

enum class avro_logical {
    none,
    date,
    time_millis,
    time_micros,
    timestamp_millis,
    timestamp_micros,
    local_timestamp_millis,
    local_timestamp_micros,
    decimal,
};

struct avro_node {
    avro_kind kind = avro_kind::null;
    avro_logical logical = avro_logical::none;
    int precision = 0;                       // decimal
    int scale = 0;                           // decimal
    size_t size = 0;                         // fixed: bytes
    std::string name;                        // named types: the full name
    std::vector<std::string> symbols;        // enum
    std::vector<std::string> field_names;    // record
    std::vector<const avro_node*> children;  // record fields, union branches
    const avro_node* items = nullptr;        // array items, map values
};

class avro_model {
  public:
    // Parses Avro schema JSON. Errors: invalid_parameter_value naming what
    // is wrong (unknown type names included).
    static sql_result<avro_model> parse(std::string_view text);

    const avro_node& root() const { return *_root; }

    avro_model(avro_model&&) = default;
    avro_model& operator=(avro_model&&) = default;

  private:
    avro_model() = default;
    friend class avro_model_parser;
    std::deque<avro_node> _nodes;  // stable addresses; recursive types point back
    const avro_node* _root = nullptr;
};

// The one non-null branch of a ["null", T] union (either order), else null.
const avro_node* nullable_branch(const avro_node& n);

// The SQL type a value of `n` reads as (docs/sql.md's mapping): nullable
// unions as their branch, nested and multi-branch values as JSONB.
data_type sql_type_of(const avro_node& n);

// Whether `name` is a valid Avro name (letters, digits, '_'; not a digit
// first).
bool valid_avro_name(std::string_view name);

}  // namespace spate::sql::format_detail
