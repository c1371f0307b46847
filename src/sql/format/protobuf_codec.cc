#include "sql/format/registry_codecs.h"

namespace spate::sql::format_detail {

namespace {
sql_error not_yet() {
    return make_error(sql_errc::feature_not_supported, "format 'protobuf' is not supported yet");
}
}  // namespace

sql_result<std::unique_ptr<record_decoder>> make_protobuf_decoder(std::span<const column_def>,
                                                                  std::shared_ptr<schema_lookup>) {
    return not_yet();
}
sql_result<std::unique_ptr<row_encoder>> make_protobuf_encoder(std::span<const column_def>,
                                                               registered_schema_ptr) {
    return not_yet();
}
sql_result<std::vector<column_def>> protobuf_columns(const registered_schema&, std::string_view) {
    return not_yet();
}
sql_result<std::string> protobuf_sink_schema(std::string_view, std::span<const column_def>) {
    return not_yet();
}

}  // namespace spate::sql::format_detail
