#pragma once

// Kafka wire primitives, everything a message codec needs: reader.h (decoding
// the protocol's field types), writer.h (encoding them), codec.h (array and
// struct helpers) and message.h (whole-message decode/encode).

#include "kafka/protocol/codec.h"
#include "kafka/protocol/message.h"
#include "kafka/protocol/reader.h"
#include "kafka/protocol/writer.h"
