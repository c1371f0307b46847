#pragma once

// A structural check of an uncompressed batch's records for the produce path:
// the batch header and CRC prove the bytes arrived as the client sent them;
// this proves they are well-formed records without materialising them (no
// record views, no header ranges, no per-record branches beyond the bounds
// checks).

#include "base/result.h"
#include "model/record_batch.h"

namespace spate::model {

// Refuses (errc::corrupt, naming the record) exactly what record_reader would
// for an uncompressed batch: a records count that does not match the records,
// bytes after the last record, a length outside the remaining bytes, a
// truncated or overlong varint, an offset delta outside [0, last_offset_delta],
// a key, value or header length outside its record (a header key may not be
// null), a negative header count, or fields that end before the record's
// length. errc::invalid_argument for a compressed batch (use validate_records).
status check_uncompressed_records(const record_batch_view& batch);

}  // namespace spate::model
