// Fetch (key 1). v0-v13. v4+ return magic-2 batches (whole batches only,
// zero-copy when the connection allows). v0-v3 clients read only legacy
// message sets: their records are copied and down-converted (magic 0 for
// v0, magic 1 for v1-v3; records from the fetch offset on, control batches
// dropped; model/legacy_message_set.h), or, on a topic with
// message.downconversion.enable=false, the partition gets UNSUPPORTED_VERSION
// as from Kafka. A converted set may exceed the partition's max bytes (the
// batch it came from did not), as Kafka's down-conversion may.
//
// - High watermark = log end offset: on one node every appended batch is
//   committed (acks=all durability is a produce concern). The last stable
//   offset is the first offset of the oldest open transaction (else the
//   high watermark); isolation_level=1 (read_committed) reads only below it
//   and gets the aborted transactions of the returned range.
// - Limits: the response max_bytes and each partition's max bytes are
//   honoured except that the first partition with data always returns at
//   least one whole batch (KIP-74).
// - Long poll: with fewer than min_bytes available and no partition error the
//   request waits up to max_wait_ms, woken by appends to its partitions.
// - Sessions (v7+, KIP-227): see fetch_session.h. Incremental responses list
//   only partitions with records, an error or a changed high watermark / log
//   start offset. Bad sessions get FETCH_SESSION_ID_NOT_FOUND or
//   INVALID_FETCH_SESSION_EPOCH at the top level.
// - v13+: topics by id (UNKNOWN_TOPIC_ID).
// - __spate_credentials (users' salted credentials) is never served:
//   UNKNOWN_TOPIC_OR_PARTITION.
// - Encrypted topics (spate.encryption=true) are always served by the copy
//   path: their batches are opened (decrypted) into the response, whole;
//   one that fails to open answers KAFKA_STORAGE_ERROR, never its bytes.

#include <chrono>
#include <deque>
#include <map>
#include <set>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/assert.h"
#include "base/log.h"
#include "broker/access_control.h"
#include "broker/credential_log.h"
#include "broker/handlers/handler_util.h"
#include "broker/request_buffer.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka/protocol/records_sink.h"
#include "model/legacy_message_set.h"
#include "storage/log_types.h"

namespace spate::broker::handlers {

namespace fetch_impl {
namespace {

namespace asio = boost::asio;
using resp = proto::fetch_response;

// The first version whose records are magic-2 batches; v0 reads magic 0.
constexpr int16_t k_first_v2_records_version = 4;
constexpr int16_t k_first_magic1_version = 1;
constexpr int16_t k_first_session_version = 7;
constexpr int16_t k_first_topic_id_version = 13;

struct work_item {
    std::string topic;  // empty when a topic id did not resolve
    proto::uuid topic_id;
    int32_t partition = 0;
    int64_t fetch_offset = 0;
    int32_t max_bytes = 0;
    int32_t current_leader_epoch = -1;
    error_code pre_error = error_code::none;
    // Last values sent on the session; -2 when none (always included).
    int64_t sent_hwm = -2;
    int64_t sent_log_start = -2;
};

// Record buffers of the copy path, from the shared pool: a steady consumer
// reuses the same memory instead of faulting in fresh pages per Fetch.
struct copied_records {
    std::deque<request_buffer> list;
    copied_records() = default;
    copied_records(const copied_records&) = delete;
    copied_records& operator=(const copied_records&) = delete;
    copied_records& operator=(copied_records&& o) noexcept {
        release();
        list = std::move(o.list);
        o.list.clear();
        return *this;
    }
    ~copied_records() { release(); }
    void release() {
        for (auto& b : list)
            request_buffer_pool::shared().give(std::move(b));
        list.clear();
    }
};

struct built {
    resp response;
    // What response records point into: copied records (pooled, given back
    // when `built` goes) and down-conversions.
    copied_records buffers;
    std::deque<std::vector<std::byte>> converted;
    // For each included partition, in encode order: the segment bytes sent
    // as its records (send_files), else nullopt (records in `buffers`).
    std::vector<std::optional<storage::read_chunk>> chunks;
    size_t bytes = 0;
    bool any_error = false;
    // For each included item: index into the work list, hwm, log start.
    std::vector<std::tuple<size_t, int64_t, int64_t>> included;

    // Bytes of records held in memory (encoded into the frame).
    size_t copied_bytes() const {
        size_t n = 0;
        for (const auto& b : buffers.list)
            n += b.size();
        for (const auto& b : converted)
            n += b.size();
        return n;
    }
};

// Leaves the chunks' bytes out of the frame: the k-th records field encoded
// is the k-th included partition's; one with a chunk gets its length prefix
// written and the chunk as a file range at that point of the frame.
class chunk_sink final : public proto::records_sink {
  public:
    chunk_sink(const std::vector<std::optional<storage::read_chunk>>& chunks,
               std::vector<file_range>& out)
        : _chunks(chunks), _out(out) {}

    bool write_records(proto::writer& w, const proto::records_view&, bool compact) override {
        SPATE_ASSERT(_next < _chunks.size());
        const auto& c = _chunks[_next++];
        if (!c) return false;
        proto::write_records_length(w, c->size, compact);
        _out.push_back({c->data_file, c->position, c->size, w.size()});
        _external += c->size;
        return true;
    }
    size_t external_bytes() const override { return _external; }
    size_t consumed() const { return _next; }

  private:
    const std::vector<std::optional<storage::read_chunk>>& _chunks;
    std::vector<file_range>& _out;
    size_t _next = 0;
    size_t _external = 0;
};

// A response carrying `copied` bytes of records in its frame encodes into a
// pooled buffer (given back by the connection once written).
void reserve_frame(handler_outcome& o, size_t copied) {
    constexpr size_t k_pooled_from = size_t{64} << 10;
    if (copied < k_pooled_from) return;
    o.frame = response_buffer_pool::shared().take_empty(copied + 4096);
    o.pooled_frame = true;
}

handler_outcome respond_with_files(const request_context& ctx, const built& out) {
    handler_outcome o;
    o.what = handler_outcome::kind::respond;
    reserve_frame(o, out.copied_bytes());
    chunk_sink sink(out.chunks, o.files);
    proto::append_response_frame_with_sink(o.frame, ctx.header.correlation_id, ctx.version(),
                                           out.response, sink);
    SPATE_ASSERT(sink.consumed() == out.chunks.size());
    return o;
}

// Replaces `batches` (copied v2 batches) by their down-conversion, which
// becomes the partition's records.
error_code down_convert(std::span<const std::byte> batches, int64_t fetch_offset, int8_t magic,
                        built& out, resp::partition_data& pd) {
    std::vector<std::byte> scratch;
    auto& converted = out.converted.emplace_back();
    auto st = model::down_convert_to_legacy(batches, fetch_offset, magic, converted, scratch);
    if (!st.ok()) {
        logging::get("broker").error("fetch down-conversion at offset {}: {}", fetch_offset,
                                     st.err().message);
        return error_code::corrupt_message;
    }
    pd.records = std::span<const std::byte>(converted);
    return error_code::none;
}

// Reads one partition's records from the work item's offset into `pd` (or,
// with `send_files`, into `chunk`), within `remaining` of the response's
// bytes; sets the partition's offsets. Returns the partition's error.
// `legacy_magic` (0 or 1): the request reads legacy message sets (v0-v3),
// -1 otherwise.
error_code read_partition(storage::log& log, const work_item& it, bool read_committed,
                          bool send_files, int8_t legacy_magic, size_t& remaining, built& out,
                          resp::partition_data& pd, std::optional<storage::read_chunk>& chunk) {
    error_code ec = error_code::none;
    const int64_t start = log.log_start_offset().value();
    const int64_t hwm = log.log_end_offset().value();
    const int64_t lso = std::min(log.last_stable_offset().value(), hwm);
    const int64_t visible_end = read_committed ? lso : hwm;
    pd.high_watermark = hwm;
    pd.last_stable_offset = lso;
    pd.log_start_offset = start;
    if (legacy_magic >= 0 && !log.config().message_downconversion_enable) {
        ec = error_code::unsupported_version;
    } else if (it.fetch_offset < start || it.fetch_offset > hwm) {
        ec = error_code::offset_out_of_range;
    } else if (it.fetch_offset < visible_end) {
        const bool first = out.bytes == 0;
        size_t limit = std::min<size_t>(static_cast<size_t>(std::max(it.max_bytes, 0)), remaining);
        if (limit > 0 || first) {
            auto rd = log.read(model::offset(it.fetch_offset), std::max<size_t>(limit, 1),
                               model::offset(visible_end));
            if (!rd.ok()) {
                // Retention moved the start between the check and the read.
                ec = rd.err().code == errc::out_of_range ? error_code::offset_out_of_range
                                                         : to_error_code(rd.err());
            } else if (rd->chunk && (first || rd->chunk->size <= limit)) {
                // Encrypted topics' chunks hold sealed batches: copied (and
                // opened), never sent from the file.
                if (send_files && !rd->chunk->cipher) {
                    chunk = rd->chunk;
                } else {
                    auto& buf = out.buffers.list.emplace_back(
                        request_buffer_pool::shared().take(rd->chunk->size));
                    auto n = rd->copy_into(buf);
                    if (!n.ok()) {
                        logging::get("broker").error("fetch {}-{} at {}: {}", it.topic,
                                                     it.partition, it.fetch_offset,
                                                     n.err().to_string());
                        ec = error_code::kafka_storage_error;
                    } else {
                        buf.resize(*n);
                        if (legacy_magic >= 0) {
                            ec = down_convert(buf, it.fetch_offset, legacy_magic, out, pd);
                        } else {
                            pd.records = std::span<const std::byte>(buf);
                        }
                    }
                }
                if (ec == error_code::none) {
                    out.bytes += rd->chunk->size;
                    remaining -= std::min(remaining, rd->chunk->size);
                    if (read_committed) {
                        auto aborted = log.aborted_transactions(model::offset(it.fetch_offset),
                                                                model::offset(visible_end));
                        if (!aborted.ok()) {
                            ec = to_error_code(aborted.err());
                        } else {
                            for (const auto& a : *aborted)
                                pd.aborted_transactions->push_back(
                                    {a.producer_id.value(), a.first_offset.value()});
                        }
                    }
                }
            }
        }
    }
    return ec;
}

// Reads the partitions' records into `out`: copied into buffers, or, with
// `send_files`, kept as segment chunks the connection sends from the file.
void build(handler_deps& b, const std::vector<work_item>& items, bool incremental,
           bool read_committed, bool send_files, int8_t legacy_magic, size_t max_bytes,
           built& out) {
    out = built{};
    size_t remaining = max_bytes;
    for (size_t i = 0; i < items.size(); ++i) {
        const auto& it = items[i];
        resp::partition_data pd;
        pd.partition_index = it.partition;
        pd.records = std::span<const std::byte>();
        error_code ec = it.pre_error;
        std::optional<storage::read_chunk> chunk;
        std::shared_ptr<storage::log> log;
        if (ec == error_code::none)
            log = partition_log(b, it.topic, it.partition, it.current_leader_epoch, ec);
        if (ec == error_code::none)
            ec = read_partition(*log, it, read_committed, send_files, legacy_magic, remaining, out,
                                pd, chunk);
        pd.error_code = code(ec);
        if (ec != error_code::none) {
            out.any_error = true;
            pd.records = std::span<const std::byte>();
            chunk.reset();
        }
        const bool changed = ec != error_code::none || !pd.records->empty() || chunk ||
                             pd.high_watermark != it.sent_hwm ||
                             pd.log_start_offset != it.sent_log_start;
        if (incremental && !changed) continue;
        out.included.emplace_back(i, pd.high_watermark, pd.log_start_offset);
        out.chunks.push_back(std::move(chunk));
        if (out.response.responses.empty() || out.response.responses.back().topic != it.topic ||
            out.response.responses.back().topic_id != it.topic_id) {
            auto& t = out.response.responses.emplace_back();
            t.topic = it.topic;
            t.topic_id = it.topic_id;
        }
        out.response.responses.back().partitions.push_back(std::move(pd));
    }
}

struct wake_state {
    explicit wake_state(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool fired = false;
};

// Names the work item's topic from a request's name (v12-) or id (v13+).
void resolve(handler_deps& b, bool by_id, const std::string& name, const proto::uuid& id,
             work_item& w) {
    if (by_id) {
        w.topic_id = id;
        auto t = b.topics.find_by_id(id);
        if (t) {
            w.topic = t->name;
        } else {
            w.pre_error = error_code::unknown_topic_id;
        }
    } else {
        w.topic = name;
        if (auto t = b.topics.describe(name)) w.topic_id = to_uuid(t->id);
    }
    // Users' salted credentials are never served to clients.
    if (w.topic == k_credentials_topic) w.pre_error = error_code::unknown_topic_or_partition;
}

// The partitions of a session fetch: the request's changes applied to the
// session (added/updated partitions, forgotten ones removed), then every
// partition the session holds. Unresolvable ids are answered but not kept.
std::vector<work_item> session_items(handler_deps& b, const proto::fetch_request& req, bool by_id,
                                     fetch_session& session) {
    std::vector<work_item> items;
    std::lock_guard lk(session.mu);
    for (const auto& t : req.topics) {
        for (const auto& p : t.partitions) {
            work_item w;
            resolve(b, by_id, t.topic, t.topic_id, w);
            if (w.pre_error != error_code::none) {
                w.partition = p.partition;
                items.push_back(w);
                continue;
            }
            auto& sp = session.partitions[{w.topic, p.partition}];
            sp.topic_id = w.topic_id;
            sp.fetch_offset = p.fetch_offset;
            sp.max_bytes = p.partition_max_bytes;
        }
    }
    for (const auto& f : req.forgotten_topics_data) {
        std::string name = f.topic;
        if (by_id) {
            auto t = b.topics.find_by_id(f.topic_id);
            if (!t) continue;
            name = t->name;
        }
        for (int32_t p : f.partitions)
            session.partitions.erase({name, p});
    }
    for (const auto& [key, sp] : session.partitions) {
        work_item w;
        w.topic = key.first;
        w.partition = key.second;
        w.topic_id = sp.topic_id;
        w.fetch_offset = sp.fetch_offset;
        w.max_bytes = sp.max_bytes;
        w.sent_hwm = sp.high_watermark;
        w.sent_log_start = sp.log_start_offset;
        items.push_back(std::move(w));
    }
    return items;
}

// The partitions of a sessionless fetch, as the request lists them.
std::vector<work_item> request_items(handler_deps& b, const proto::fetch_request& req, bool by_id) {
    std::vector<work_item> items;
    for (const auto& t : req.topics) {
        for (const auto& p : t.partitions) {
            work_item w;
            resolve(b, by_id, t.topic, t.topic_id, w);
            w.partition = p.partition;
            w.fetch_offset = p.fetch_offset;
            w.max_bytes = p.partition_max_bytes;
            w.current_leader_epoch = p.current_leader_epoch;
            items.push_back(std::move(w));
        }
    }
    return items;
}

// The response as it stands, its throttle already taken (throttle_time()
// is called once per request).
handler_outcome encoded(const request_context& ctx, const resp& r, int64_t throttle,
                        size_t copied = 0) {
    handler_outcome o;
    o.what = handler_outcome::kind::respond;
    reserve_frame(o, copied);
    proto::append_response_frame(o.frame, ctx.header.correlation_id, ctx.version(), r);
    set_throttle(ctx, o, throttle);
    return o;
}

// Records in the session what this response told the client, so the next
// incremental fetch leaves out partitions with nothing new.
void remember_sent(fetch_session& session, const std::vector<work_item>& items, built& out) {
    std::lock_guard lk(session.mu);
    for (const auto& [i, hwm, start] : out.included) {
        const auto& w = items[i];
        auto it = session.partitions.find({w.topic, w.partition});
        if (it == session.partitions.end()) continue;
        it->second.high_watermark = hwm;
        it->second.log_start_offset = start;
    }
    out.response.session_id = session.id;
}

// READ on each topic (checked once per topic name, every fetch: a session
// keeps no grant): TOPIC_AUTHORIZATION_FAILED for the partitions of topics
// the principal may not read.
void deny_unreadable(request_context& ctx, std::vector<work_item>& items) {
    if (ctx.svc.access.unrestricted()) return;
    std::map<std::string, bool, std::less<>> readable;
    for (auto& w : items) {
        if (w.topic.empty() || w.pre_error != error_code::none) continue;
        auto [it, fresh] = readable.try_emplace(w.topic, true);
        if (fresh) it->second = authorize_topic(ctx, proto::acl_operation::read, w.topic);
        if (!it->second) w.pre_error = error_code::topic_authorization_failed;
    }
}

// The answer to a Fetch whose records are in `out`. Client quotas: the
// records sent count against consumer_byte_rate. As Kafka does (KIP-219), a
// throttled client gets no records, and what they would have taken is given
// back, unless they could never fit its burst (then they are sent: an empty
// answer would be all it ever got).
handler_outcome answer(request_context& ctx, const std::shared_ptr<fetch_session>& session,
                       bool incremental, const std::vector<work_item>& items, bool send_files,
                       built& out) {
    const double sent = double(out.bytes);
    record_quota(ctx, security::quota_kind::consumer_byte_rate, sent);
    const int64_t throttle = throttle_time(ctx);
    if (throttle > 0 && out.bytes > 0 &&
        within_burst(ctx, security::quota_kind::consumer_byte_rate, sent)) {
        record_quota(ctx, security::quota_kind::consumer_byte_rate, -sent);
        resp empty;
        empty.throttle_time_ms = static_cast<int32_t>(throttle);
        if (session && incremental) {
            empty.session_id = session->id;
        } else if (session) {
            // A full fetch's new session: Kafka answers id 0.
            ctx.svc.fetch_sessions.remove(session->id);
        }
        return encoded(ctx, empty, throttle);
    }
    if (session) remember_sent(*session, items, out);
    out.response.throttle_time_ms = static_cast<int32_t>(throttle);
    if (!send_files) return encoded(ctx, out.response, throttle, out.copied_bytes());
    auto o = respond_with_files(ctx, out);
    set_throttle(ctx, o, throttle);
    return o;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::fetch_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    const bool by_id = ctx.version() >= k_first_topic_id_version;

    // Session handling (KIP-227).
    std::shared_ptr<fetch_session> session;
    bool incremental = false;
    if (ctx.version() >= k_first_session_version) {
        const int32_t sid = req->session_id;
        const int32_t epoch = req->session_epoch;
        if (epoch == -1 || epoch == 0) {
            if (sid != 0) b.fetch_sessions.remove(sid);
            if (epoch == 0) session = b.fetch_sessions.create();
        } else {
            auto [s, err] = b.fetch_sessions.acquire(sid, epoch);
            if (err != error_code::none) {
                resp r;
                r.error_code = code(err);
                co_return respond(ctx, r);
            }
            session = std::move(s);
            incremental = true;
        }
    }
    std::vector<work_item> items =
        session ? session_items(b, *req, by_id, *session) : request_items(b, *req, by_id);
    deny_unreadable(ctx, items);

    const size_t max_bytes = static_cast<size_t>(std::max(req->max_bytes, 0));
    const size_t min_bytes = static_cast<size_t>(std::max(req->min_bytes, 0));
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(req->max_wait_ms, 0));

    auto wake = std::make_shared<wake_state>(ctx.executor);
    wake->timer.expires_at(deadline);
    std::set<append_notifier::partition_key> keys;
    for (const auto& w : items)
        if (!w.topic.empty()) keys.insert({w.topic, w.partition});
    append_notifier::subscription sub;
    if (req->max_wait_ms > 0 && min_bytes > 0) {
        auto ex = ctx.executor;
        sub = b.appends.subscribe(std::move(keys), [wake, ex] {
            asio::post(ex, [wake] {
                wake->fired = true;
                wake->timer.cancel();
            });
        });
    }

    // Down-conversion needs the bytes in memory: old versions take the copy path.
    const bool legacy = ctx.version() < k_first_v2_records_version;
    const int8_t legacy_magic = !legacy                                  ? int8_t{-1}
                                : ctx.version() < k_first_magic1_version ? model::k_magic_v0
                                                                         : model::k_magic_v1;
    const bool send_files = ctx.send_files && !legacy;
    built out;
    for (;;) {
        wake->fired = false;
        build(b, items, incremental, req->isolation_level == 1, send_files, legacy_magic, max_bytes,
              out);
        if (out.bytes >= min_bytes || out.any_error || items.empty() ||
            std::chrono::steady_clock::now() >= deadline || req->max_wait_ms <= 0)
            break;
        while (!wake->fired && std::chrono::steady_clock::now() < deadline) {
            boost::system::error_code ec;
            co_await wake->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }
    sub.reset();

    co_return answer(ctx, session, incremental, items, send_files, out);
}

}  // namespace
}  // namespace fetch_impl

const handler_spec fetch{
    proto::api_key::fetch,      0, 13, &fetch_impl::handle, proto::acl_operation::read,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
