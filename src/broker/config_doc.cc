#include "broker/config_doc.h"

#include "broker/config_keys.h"
#include "storage/config.h"

namespace spate::broker {

namespace {

constexpr const char* k_intro = R"(# Configuration

<!-- Generated from src/broker/config_keys.cc and src/storage/config.cc by
     spate_config_doc; do not edit. Regenerate: cmake --build build --target docs -->

`spate serve --config FILE` reads a Kafka-style properties file: one
`key=value` (or `key: value`) per line; blank lines and lines starting with
`#` or `!` are skipped. An unknown key or a bad value stops `spate serve` with
exit status 2 and a message naming the file, the line and the key (for a bad
value also the valid values). Command-line options (`--data-dir`,
`--kafka-listen`, `--advertise`, `--node-id`) override the file.

## Broker keys

DescribeConfigs on the BROKER resource (resource type 4, name = the node id)
reports every key below with its type and, when asked, its description.
*Dynamic* marks the keys Kafka can change at run time; DescribeConfigs reports
the others read-only. AlterConfigs and IncrementalAlterConfigs on the BROKER
resource (name "": every broker's default; the node id: this broker's) set
dynamic keys only (others: INVALID_REQUEST "Cannot update these configs
dynamically"). They are stored in the data directory
(`dynamic-broker-configs.properties`), reported by DescribeConfigs at once
(DYNAMIC_BROKER_CONFIG / DYNAMIC_DEFAULT_BROKER_CONFIG) and win over the
file's values. The topic defaults (`log.retention.ms`, `log.retention.bytes`,
`log.segment.bytes`, `message.max.bytes`, every `log.*` key a topic config
inherits), `log.cleaner.backoff.ms` and `num.io.threads` /
`num.network.threads` (one I/O pool serves both: threads are added, or leave
after their current task) take effect at once: a topic without its own
override uses the new default immediately (retention deletes at its next
check, every `log.retention.check.interval.ms`). The other dynamic key
(`log.cleaner.dedupe.buffer.size`) takes effect at the next start.

Topic configs Kafka 3.9 accepts but Spate has no use for (replication
throttles, tiered storage, the deprecated `message.format.version`, codec
levels, timestamp bounds, `preallocate`, ...) are accepted, validated as
Kafka does and described; their description says Spate ignores them. The
deprecated `message.downconversion.enable` is honoured: old Fetch versions
(v0-v3) of a topic with it false get UNSUPPORTED_VERSION.

| Key | Type | Default | Valid values | Dynamic | Description |
|---|---|---|---|---|---|
)";

constexpr const char* k_topics = R"(
## Topic configs

Set per topic by CreateTopics, AlterConfigs, IncrementalAlterConfigs or
`spate topic create --config KEY=VALUE`. A topic without an override uses the
broker-wide default, set in the properties file by the broker key (the
*Broker key* column) or by the topic config name itself.

| Key | Type | Default | Valid values | Broker key | Description |
|---|---|---|---|---|---|
)";

// One table cell: pipes escaped, empty as "".
std::string cell(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '|') out += '\\';
        out += ch;
    }
    return out.empty() ? "\"\"" : out;
}

std::string code(const std::string& s) {
    return "`" + s + "`";
}

std::string row(const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& c : cells)
        out += " " + c + " |";
    return out + "\n";
}

}  // namespace

std::string render_configuration_markdown() {
    std::string out = k_intro;
    for (const auto& k : broker_keys()) {
        out += row({code(k.name), kind_name(k.kind), cell(default_value(k)), cell(k.range),
                    k.dynamic ? "yes" : "no", cell(k.doc)});
    }
    out += k_topics;
    for (const auto& d : storage::topic_config_definitions()) {
        out += row({code(d.name), kind_name(kind_of(d.type)), cell(d.default_value),
                    cell(storage::range_text(d)), code(broker_config_name(d.name)), cell(d.doc)});
    }
    return out;
}

}  // namespace spate::broker
