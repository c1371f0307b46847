#include "sql/state/changelog_restore.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "base/log.h"
#include "kafka/client/consumer.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

namespace {

constexpr size_t k_poll_records = 4096;
constexpr int k_poll_ms = 100;
constexpr size_t k_write_bytes = 4u << 20;  // a restore batch's size before it is written

std::string partition_text(const state_options& o) {
    return o.changelog_topic + "[" + std::to_string(o.partition) + "]";
}

sql_error read_error(const state_options& o, const std::string& what, const error& e) {
    return make_error(sql_errc::io_error,
                      "state: " + what + " of changelog " + partition_text(o) + ": " + e.message);
}

result<kc::consumer> restore_consumer(const state_options& o, kc::isolation isolation) {
    kc::consumer_options co;
    co.client = o.client;
    co.client.timeout_ms = o.timeout_ms;
    co.group_id = "spate-state-restore";  // assign only: never joined nor committed
    co.isolation = isolation;
    co.reset = kc::offset_reset::error;
    co.client.properties.emplace_back("fetch.wait.max.ms", "50");
    return kc::consumer::create(co);
}

sql_error stalled_error(const state_options& o, int64_t position, int64_t to) {
    return make_error(sql_errc::io_error,
                      "state: restore of changelog " + partition_text(o) +
                          " made no progress at offset " + std::to_string(position) + " (of " +
                          std::to_string(to) + ") for " + std::to_string(o.timeout_ms) +
                          " ms (a transaction left open by a previous owner?)");
}

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

sql_status write_checkpoint(state_db& db, int64_t position) {
    db.stage_checkpoint({position, wall_ms()});
    return db.write_staged();
}

// Stages one changelog record; false when it has no key (skipped).
bool stage_record(const state_options& o, state_db& db, const kc::message& m) {
    auto key = m.key();
    if (!key) {
        logging::get("sql").warn("state: changelog {} record at offset {} has no key; skipped",
                                 partition_text(o), m.offset());
        return false;
    }
    if (auto v = m.value())
        db.stage_put(*key, *v);
    else
        db.stage_remove(*key);
    return true;
}

}  // namespace

sql_result<changelog_ends> read_changelog_ends(const state_options& o) {
    auto cons = restore_consumer(o, kc::isolation::read_uncommitted);
    if (!cons.ok()) return read_error(o, "consumer", cons.err());
    auto wm = cons->query_watermarks({o.changelog_topic, o.partition}, o.timeout_ms);
    cons->close();
    if (!wm.ok()) return read_error(o, "end offsets", wm.err());
    return changelog_ends{wm->low, wm->high};
}

sql_result<replay_result> replay_changelog(const state_options& o, state_db& db, int64_t from,
                                           int64_t to, std::string_view identity) {
    replay_result r{from, 0};
    if (!identity.empty()) db.stage_identity(identity);
    if (from >= to) {
        if (auto s = write_checkpoint(db, r.position); !s.ok()) return s.error();
        return r;
    }
    auto cons = restore_consumer(o, kc::isolation::read_committed);
    if (!cons.ok()) return read_error(o, "consumer", cons.err());
    kc::topic_partition tp{o.changelog_topic, o.partition};
    if (auto s = cons->assign({{tp.topic, tp.partition, from, {}}}); !s.ok())
        return read_error(o, "assign", s.err());
    using clock = std::chrono::steady_clock;
    const auto patience = std::chrono::milliseconds(o.timeout_ms);
    auto stalled_since = clock::now();
    // A failed replay keeps what it applied: the next open() resumes there.
    auto keep_progress = [&](sql_error e) -> sql_error {
        if (auto s = write_checkpoint(db, r.position); !s.ok())
            logging::get("sql").warn("state: saving restore progress: {}", s.error().message);
        return e;
    };
    while (r.position < to) {
        auto batch = cons->poll_batch(k_poll_records, k_poll_ms);
        if (!batch.ok()) return keep_progress(read_error(o, "read", batch.err()));
        int64_t before = r.position;
        for (const auto& m : *batch) {
            if (stage_record(o, db, m)) ++r.records;
            r.position = m.offset() + 1;
        }
        // Transaction markers and aborted or compacted-away records are
        // never delivered; the consumer's position moves past them.
        if (batch->empty()) {
            auto pos = cons->positions({tp});
            if (pos.ok() && !pos->empty() && (*pos)[0].offset >= 0)
                r.position = std::max(r.position, (*pos)[0].offset);
        }
        if (r.position > before) {
            stalled_since = clock::now();
        } else if (clock::now() - stalled_since > patience) {
            return keep_progress(stalled_error(o, r.position, to));
        }
        if (db.staged_bytes() >= k_write_bytes) {
            if (auto s = write_checkpoint(db, r.position); !s.ok()) return s.error();
        }
    }
    cons->close();
    if (auto s = write_checkpoint(db, r.position); !s.ok()) return s.error();
    return r;
}

}  // namespace spate::sql::detail
