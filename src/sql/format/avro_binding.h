#pragma once

// A registered Avro schema bound for decoding and encoding: avro-c's schema
// and generic value (which hold the bytes) with the avro_model (which says
// what they mean). Owned by one decoder or encoder; not thread-safe.

#include <avro.h>

#include <memory>
#include <string>

#include "sql/format/avro_model.h"
#include "sql/format/registry_format.h"
#include "sql/format/scalar.h"

namespace spate::sql::format_detail {

class avro_binding {
  public:
    // Errors: invalid_parameter_value when avro-c or the model refuses the
    // schema; feature_not_supported for schemas with references.
    static sql_result<std::unique_ptr<avro_binding>> create(const registered_schema& s);
    ~avro_binding();
    avro_binding(const avro_binding&) = delete;
    avro_binding& operator=(const avro_binding&) = delete;

    const avro_node& root() const { return _model.root(); }
    // The generic value of the root type, reused for every record.
    avro_value_t& value() { return _value; }

  private:
    explicit avro_binding(avro_model m) : _model(std::move(m)) {}
    avro_model _model;
    avro_schema_t _schema = nullptr;
    avro_value_iface_t* _iface = nullptr;
    avro_value_t _value{};
};

// The scalar of a non-union, non-nested value `v` of type `n`. Errors:
// invalid_text_representation for values the type does not allow (an enum
// index out of range, a decimal wider than 38 digits).
sql_result<scalar> avro_scalar(avro_value_t& v, const avro_node& n);

// Appends `v` (of type `n`) as JSON: records and maps as objects, arrays as
// arrays, unions as their branch's value, scalars as append_scalar_json.
sql_status append_avro_json(avro_value_t& v, const avro_node& n, std::string& out);

// Checks that `payload` is one value of `root` whose every length, count
// and union index fits the bytes given, with nothing left over, nested at
// most 64 deep. avro_value_read needs this first: avro-c allocates a
// string's or array's claimed size before reading it and leaks that memory
// when the bytes run out. Errors: invalid_text_representation.
sql_status avro_check_bounds(std::string_view payload, const avro_node& root);

// The text of avro-c's last error on this thread.
std::string avro_error_text();

}  // namespace spate::sql::format_detail
