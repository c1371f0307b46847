#include "sql/state/state_db.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <charconv>

#include "base/log.h"

namespace spate::sql::detail {

namespace {

constexpr char k_data_prefix = 'd';
constexpr std::string_view k_data_end = "e";  // the first key after every data key
constexpr std::string_view k_meta_format = "m/format";
constexpr std::string_view k_meta_changelog = "m/changelog";
constexpr std::string_view k_meta_checkpoint = "m/checkpoint";
constexpr int64_t k_meta_keys = 3;

// Shared by every task of the process, so memory stays bounded however
// many tasks a small machine runs.
constexpr size_t k_block_cache_bytes = 32u << 20;
constexpr size_t k_memtable_budget_bytes = 64u << 20;
constexpr size_t k_write_buffer_bytes = 16u << 20;

rocksdb::Slice slice(std::string_view s) {
    return {s.data(), s.size()};
}
std::string_view view(const rocksdb::Slice& s) {
    return {s.data(), s.size()};
}

sql_error db_error(const std::string& what, const rocksdb::Status& s) {
    return make_error(sql_errc::io_error, "state: " + what + ": " + s.ToString());
}

const rocksdb::Options& db_options() {
    static const rocksdb::Options options = [] {
        rocksdb::Options o;
        o.create_if_missing = true;
        o.max_background_jobs = 2;
        o.max_open_files = 64;
        o.keep_log_file_num = 2;
        o.max_log_file_size = 1u << 20;
        o.info_log_level = rocksdb::WARN_LEVEL;
        o.max_manifest_file_size = 4u << 20;
        // Memtables large enough that a group rewritten at every commit is
        // flushed about once per memtable (a flush keeps a key's last
        // version only), and a level base the state of a small machine's
        // task fits under: compaction then merges L0 into one level.
        o.write_buffer_size = k_write_buffer_bytes;
        o.max_write_buffer_number = 2;
        o.target_file_size_base = 32u << 20;
        o.max_bytes_for_level_base = 128u << 20;
        o.level_compaction_dynamic_level_bytes = true;
        // A group's first touch looks up a key that is mostly absent (a
        // new group): a bloom filter over the memtable's keys answers
        // those without walking its skip list.
        o.memtable_prefix_bloom_size_ratio = 0.05;
        o.memtable_whole_key_filtering = true;
        // The write buffer manager charges the memtables to the cache: its
        // capacity is both budgets, or memtables crowd out the filter,
        // index and data blocks that reloading a group reads.
        static auto cache = rocksdb::NewLRUCache(k_block_cache_bytes + k_memtable_budget_bytes);
        o.write_buffer_manager =
            std::make_shared<rocksdb::WriteBufferManager>(k_memtable_budget_bytes, cache);
        auto supported = rocksdb::GetSupportedCompressions();
        if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) !=
            supported.end())
            o.compression = rocksdb::kLZ4Compression;
        else
            o.compression = rocksdb::kNoCompression;
        rocksdb::BlockBasedTableOptions t;
        t.block_cache = cache;
        t.block_size = 16u << 10;
        t.cache_index_and_filter_blocks = true;
        t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
        o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
        return o;
    }();
    return options;
}

// Written without a WAL: see docs/formats/sql_state.md, "Why no WAL".
rocksdb::WriteOptions write_options() {
    rocksdb::WriteOptions w;
    w.disableWAL = true;
    return w;
}

void put_be64(std::string& out, int64_t v) {
    auto u = static_cast<uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((u >> shift) & 0xff));
}

int64_t get_be64(std::string_view in) {
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i)
        u = (u << 8) | static_cast<uint8_t>(in[i]);
    return static_cast<int64_t>(u);
}

}  // namespace

// ---- state_cursor ----

state_cursor::state_cursor(rocksdb::DB* db, std::string_view from, std::string_view to) {
    if (to.empty()) {
        _upper = k_data_end;
    } else {
        _upper.assign(1, k_data_prefix);
        _upper.append(to);
    }
    _bound = std::make_unique<rocksdb::Slice>(slice(_upper));
    rocksdb::ReadOptions r;
    r.iterate_upper_bound = _bound.get();
    _it.reset(db->NewIterator(r));
    std::string start(1, k_data_prefix);
    start.append(from);
    _it->Seek(slice(start));
}

state_cursor::~state_cursor() = default;
bool state_cursor::valid() const {
    return _it->Valid();
}
std::string_view state_cursor::key() const {
    return view(_it->key()).substr(1);
}
std::string_view state_cursor::value() const {
    return view(_it->value());
}
void state_cursor::next() {
    _it->Next();
}
sql_status state_cursor::status() const {
    auto s = _it->status();
    if (!s.ok()) return db_error("scan", s);
    return {};
}

// ---- state_db ----

state_db::state_db(std::string path)
    : _path(std::move(path)), _batch(std::make_unique<rocksdb::WriteBatch>()) {}

state_db::~state_db() {
    close_db();
}

sql_result<std::unique_ptr<state_db>> state_db::open(const std::string& path) {
    std::unique_ptr<state_db> db(new state_db(path));
    if (auto s = db->open_db(); !s.ok()) return s.error();
    return db;
}

sql_status state_db::open_db() {
    auto s = rocksdb::DB::Open(db_options(), _path, &_db);
    if (!s.ok()) return db_error("open " + _path, s);
    return {};
}

void state_db::close_db() {
    if (_db == nullptr) return;
    if (auto s = _db->Flush(rocksdb::FlushOptions()); !s.ok())
        logging::get("sql").warn("state: flush of {} on close: {}", _path, s.ToString());
    if (auto s = _db->Close(); !s.ok())
        logging::get("sql").warn("state: close of {}: {}", _path, s.ToString());
    delete _db;
    _db = nullptr;
}

sql_result<state_meta> state_db::read_meta() const {
    state_meta m;
    std::unique_ptr<rocksdb::Iterator> it(_db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    m.empty = !it->Valid();
    if (!it->status().ok()) return db_error("read " + _path, it->status());
    std::string v;
    auto read = [&](std::string_view key) -> sql_result<bool> {
        auto s = _db->Get(rocksdb::ReadOptions(), slice(key), &v);
        if (s.IsNotFound()) return false;
        if (!s.ok()) return db_error("read " + _path, s);
        return true;
    };
    auto f = read(k_meta_format);
    if (!f.ok()) return f.error();
    int format = 0;
    if (f.value() && std::from_chars(v.data(), v.data() + v.size(), format).ec == std::errc())
        m.format = format;
    auto c = read(k_meta_changelog);
    if (!c.ok()) return c.error();
    if (c.value()) m.changelog = v;
    auto cp = read(k_meta_checkpoint);
    if (!cp.ok()) return cp.error();
    if (cp.value() && v.size() == 16)
        m.checkpoint = state_checkpoint{get_be64(v), get_be64(std::string_view(v).substr(8))};
    return m;
}

sql_status state_db::wipe() {
    close_db();
    _batch->Clear();
    auto s = rocksdb::DestroyDB(_path, db_options());
    if (!s.ok()) return db_error("wipe " + _path, s);
    return open_db();
}

sql_result<bool> state_db::get(std::string_view key, std::string& out) const {
    _key.assign(1, k_data_prefix);
    _key.append(key);
    auto s = _db->Get(rocksdb::ReadOptions(), slice(_key), &out);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return db_error("get", s);
    return true;
}

std::unique_ptr<state_cursor> state_db::scan(std::string_view from, std::string_view to) const {
    return std::make_unique<state_cursor>(_db, from, to);
}

void state_db::stage_put(std::string_view key, std::string_view value) {
    const rocksdb::Slice k[2] = {rocksdb::Slice(&k_data_prefix, 1), slice(key)};
    const rocksdb::Slice v = slice(value);
    _batch->Put(rocksdb::SliceParts(k, 2), rocksdb::SliceParts(&v, 1));
}

void state_db::stage_remove(std::string_view key) {
    const rocksdb::Slice k[2] = {rocksdb::Slice(&k_data_prefix, 1), slice(key)};
    _batch->Delete(rocksdb::SliceParts(k, 2));
}

void state_db::stage_checkpoint(const state_checkpoint& c) {
    std::string v;
    put_be64(v, c.offset);
    put_be64(v, c.wall_ms);
    _batch->Put(slice(k_meta_checkpoint), slice(v));
}

void state_db::stage_identity(std::string_view changelog) {
    _batch->Put(slice(k_meta_format), slice(std::to_string(k_state_format)));
    _batch->Put(slice(k_meta_changelog), slice(changelog));
}

size_t state_db::staged_bytes() const {
    return _batch->GetDataSize();
}

sql_status state_db::write_staged() {
    auto s = _db->Write(write_options(), _batch.get());
    _batch->Clear();
    if (!s.ok()) return db_error("write " + _path, s);
    return {};
}

int64_t state_db::estimated_keys() const {
    uint64_t n = 0;
    _db->GetIntProperty("rocksdb.estimate-num-keys", &n);
    return std::max<int64_t>(0, static_cast<int64_t>(n) - k_meta_keys);
}

int64_t state_db::estimated_bytes() const {
    uint64_t live = 0, mem = 0;
    _db->GetIntProperty("rocksdb.estimate-live-data-size", &live);
    _db->GetIntProperty("rocksdb.cur-size-all-mem-tables", &mem);
    return static_cast<int64_t>(live + mem);
}

}  // namespace spate::sql::detail
