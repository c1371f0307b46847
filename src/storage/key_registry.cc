#include "storage/key_registry.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "storage/config.h"
#include "storage/file.h"

namespace spate::storage {

namespace {

namespace fs = std::filesystem;

struct registered_key {
    uint64_t check = 0;
    std::string id;
};

std::string check_hex(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

// Lines "<16 hex digits: check value> <key id>".
result<std::vector<registered_key>> read_registry(const fs::path& dir) {
    std::vector<registered_key> out;
    const auto path = dir / k_key_registry_file;
    if (!fs::exists(path)) return out;
    auto text = read_small_file(path, 1 << 20);
    if (!text.ok()) return text.err();
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        registered_key k;
        size_t used = 0;
        if (line.size() < 18 || line[16] != ' ')
            return make_error(errc::corrupt, path.string() + ": bad line '" + line + "'");
        try {
            k.check = std::stoull(line.substr(0, 16), &used, 16);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != 16) return make_error(errc::corrupt, path.string() + ": bad check value");
        k.id = line.substr(17);
        out.push_back(std::move(k));
    }
    return out;
}

// Whether a topic file under `dir` sets spate.encryption=true.
bool has_encrypted_topic(const fs::path& dir) {
    std::error_code ec;
    const std::string needle = std::string("config.") + k_encryption_config + "=true";
    for (const auto& e : fs::directory_iterator(dir / "topics", ec)) {
        if (e.path().extension() != ".topic") continue;
        auto text = read_small_file(e.path(), 1 << 20);
        if (text.ok() && text->find(needle) != std::string::npos) return true;
    }
    return false;
}

const char* k_key_settings = "spate.encryption.key.file or SPATE_ENCRYPTION_KEY";

}  // namespace

status check_keys_before_open(const fs::path& dir, const key_ring* ring) {
    if (!fs::exists(dir)) return {};
    auto reg = read_registry(dir);
    if (!reg.ok()) return reg.err();
    if (!ring) {
        std::string ids;
        for (const auto& k : *reg)
            ids += (ids.empty() ? "" : ", ") + k.id;
        if (!reg->empty() || has_encrypted_topic(dir))
            return make_error(errc::invalid_argument,
                              dir.string() + " holds encrypted topics" +
                                  (ids.empty() ? "" : " (keys " + ids + ")") +
                                  " but no encryption key is configured (" + k_key_settings +
                                  "): refusing to start");
        return {};
    }
    for (const auto& k : *reg) {
        const auto* key = ring->find(k.id);
        if (!key)
            return make_error(errc::invalid_argument,
                              "encryption key '" + k.id + "' sealed data in " + dir.string() +
                                  " but is not among the configured keys (" + k_key_settings +
                                  "): refusing to start");
        if (key->check != k.check)
            return make_error(errc::invalid_argument,
                              "wrong encryption key: key '" + k.id +
                                  "' is not the key that sealed data in " + dir.string() +
                                  " (check value " + check_hex(key->check) + ", expected " +
                                  check_hex(k.check) + "): refusing to start");
    }
    return {};
}

status register_active_key(const fs::path& dir, const key_ring& ring) {
    auto reg = read_registry(dir);
    if (!reg.ok()) return reg.err();
    const auto& active = ring.active();
    std::string text;
    for (const auto& k : *reg) {
        if (k.id == active.id) return {};
        text += check_hex(k.check) + " " + k.id + "\n";
    }
    if (active.id.find('\n') != std::string::npos)
        return make_error(errc::invalid_argument, "newline in an encryption key id");
    text += check_hex(active.check) + " " + active.id + "\n";
    return write_file_atomic(dir / k_key_registry_file, text);
}

}  // namespace spate::storage
