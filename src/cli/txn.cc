#include "cli/txn.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/client.h"
#include "cli/txn_format.h"
#include "kafka/protocol/frame.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/describe_transactions_request.h"
#include "kafka/protocol/generated/describe_transactions_response.h"
#include "kafka/protocol/generated/find_coordinator_request.h"
#include "kafka/protocol/generated/find_coordinator_response.h"
#include "kafka/protocol/generated/list_transactions_request.h"
#include "kafka/protocol/generated/list_transactions_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"

namespace spate::cli {

namespace {

namespace proto = kafka::protocol;
using steady = std::chrono::steady_clock;

constexpr int k_connect_timeout_ms = 5000;
constexpr size_t k_max_response_frame = 100u << 20;
// How long coordinator errors that Kafka clients retry (loading, not
// available, moved) are retried before they are reported.
constexpr int k_coordinator_retry_ms = 5000;
constexpr int k_retry_backoff_ms = 200;

constexpr int16_t k_not_found = 105;  // TRANSACTIONAL_ID_NOT_FOUND

bool retriable_coordinator_error(int16_t code) {
    return code == 14 || code == 15 || code == 16;  // LOAD_IN_PROGRESS, NOT_AVAILABLE, NOT_COORD.
}

std::string kafka_err(int16_t code, const std::optional<std::string>& msg) {
    std::string s = kafka_error_name(code);
    if (msg && !msg->empty()) s += ": " + *msg;
    return s;
}

std::string addr_text(const host_port& hp) {
    return hp.host.find(':') != std::string::npos ? "[" + hp.host + "]:" + std::to_string(hp.port)
                                                  : hp.host + ":" + std::to_string(hp.port);
}

int remaining_ms(steady::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// A blocking Kafka protocol connection to one broker: ApiVersions on open,
// then one request at a time, each bounded by the admin timeout. Errors name
// the broker's address. An interrupted wait (SIGINT/SIGTERM) fails the call.
class kafka_connection {
  public:
    kafka_connection(const kafka_connection&) = delete;
    kafka_connection& operator=(const kafka_connection&) = delete;
    ~kafka_connection() {
        if (_fd >= 0) ::close(_fd);
    }

    // Connects to `hp` and reads the broker's API versions.
    static result<std::unique_ptr<kafka_connection>> open(const host_port& hp) {
        std::unique_ptr<kafka_connection> c(new kafka_connection(hp));
        SPATE_TRY(c->connect());
        proto::api_versions_request req;
        auto resp = c->call<proto::api_versions_response>(req, 0);
        SPATE_TRY(resp);
        if (resp->error_code != 0) {
            return failed("ApiVersions at " + c->address() + ": " +
                          kafka_err(resp->error_code, std::nullopt));
        }
        for (const auto& v : resp->api_keys)
            c->_versions[v.api_key] = {v.min_version, v.max_version};
        return c;
    }

    const std::string& address() const { return _address; }

    // The highest version of `Request` both this codec and the broker
    // support; `unsupported` naming `what` when there is none at or above
    // `min_wanted`.
    template <typename Request>
    result<int16_t> version(const char* what, int16_t min_wanted = Request::k_min_version) {
        auto it = _versions.find(static_cast<int16_t>(Request::k_api_key));
        if (it != _versions.end()) {
            int16_t v = std::min(it->second.second, Request::k_max_version);
            if (v >= it->second.first && v >= min_wanted) return v;
        }
        return make_error(errc::unsupported, "the broker at " + _address + " does not support " +
                                                 what + " (API " +
                                                 std::to_string(int(Request::k_api_key)) + ")");
    }

    // Sends `req` as `version` and decodes the answer.
    template <typename Response, typename Request>
    result<Response> call(const Request& req, int16_t version) {
        const proto::api_info* api = proto::find_api(static_cast<int16_t>(Request::k_api_key));
        const std::string api_name = api ? std::string(api->name) : std::string("request");
        const char* name = api_name.c_str();
        std::vector<std::byte> out;
        int32_t id = _next_id++;
        proto::append_request_frame(out, id, std::string("spate-cli"), version, req);
        auto deadline = steady::now() + std::chrono::milliseconds(k_admin_timeout_ms);
        SPATE_TRY(write_all(out, deadline, name));
        auto frame = read_frame(deadline, name);
        SPATE_TRY(frame);
        auto h =
            proto::parse_response_header(*frame, static_cast<int16_t>(Request::k_api_key), version);
        if (!h.ok())
            return failed(std::string(name) + " from " + _address + ": " + h.err().message);
        if (h->correlation_id != id) {
            return failed(std::string(name) + " from " + _address +
                          ": response to another request (correlation id " +
                          std::to_string(h->correlation_id) + ", want " + std::to_string(id) + ")");
        }
        // Bytes after the message are ignored, as newer brokers may add fields.
        proto::reader r(std::span<const std::byte>(*frame).subspan(h->header_size));
        Response resp;
        if (auto s = resp.decode(r, version); !s.ok())
            return failed(std::string(name) + " from " + _address + ": " + s.err().message);
        return resp;
    }

  private:
    explicit kafka_connection(host_port hp) : _hp(std::move(hp)), _address(addr_text(_hp)) {}

    error unreachable(const std::string& why) const {
        return make_error(errc::io_error, "cannot reach the broker at " + _address + " (" + why +
                                              "); is a broker listening at the --bootstrap "
                                              "address?");
    }

    status connect() {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        std::string port = std::to_string(_hp.port);
        if (int rc = ::getaddrinfo(_hp.host.c_str(), port.c_str(), &hints, &res); rc != 0)
            return unreachable(::gai_strerror(rc));
        std::string last = "no address";
        auto deadline = steady::now() + std::chrono::milliseconds(k_connect_timeout_ms);
        for (addrinfo* ai = res; ai; ai = ai->ai_next) {
            int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                              ai->ai_protocol);
            if (fd < 0) {
                last = std::strerror(errno);
                continue;
            }
            int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
            if (rc != 0 && errno == EINPROGRESS) {
                pollfd p{fd, POLLOUT, 0};
                rc = ::poll(&p, 1, remaining_ms(deadline));
                int err = 0;
                socklen_t len = sizeof err;
                if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0) {
                    rc = err == 0 ? 0 : -1;
                    errno = err;
                } else if (rc == 0) {
                    rc = -1;
                    errno = ETIMEDOUT;
                } else {
                    rc = -1;
                }
            }
            if (rc == 0) {
                int one = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                _fd = fd;
                ::freeaddrinfo(res);
                return {};
            }
            last = std::strerror(errno);
            ::close(fd);
        }
        ::freeaddrinfo(res);
        return unreachable(last);
    }

    // Waits until the socket is ready for `events`.
    status wait(short events, steady::time_point deadline, const char* what) {
        pollfd p{_fd, events, 0};
        int rc = ::poll(&p, 1, remaining_ms(deadline));
        if (rc > 0) return {};
        if (rc == 0) {
            return make_error(errc::timed_out,
                              std::string("no answer to ") + what + " from " + _address);
        }
        if (errno == EINTR) return failed("interrupted");
        return failed(std::string(what) + " to " + _address + ": " + std::strerror(errno));
    }

    status write_all(const std::vector<std::byte>& bytes, steady::time_point deadline,
                     const char* what) {
        size_t off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::send(_fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n > 0) {
                off += static_cast<size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                SPATE_TRY(wait(POLLOUT, deadline, what));
            } else if (n < 0 && errno != EINTR) {
                return failed(std::string(what) + " to " + _address + ": " + std::strerror(errno));
            }
        }
        return {};
    }

    status read_exact(std::byte* dst, size_t len, steady::time_point deadline, const char* what) {
        size_t off = 0;
        while (off < len) {
            ssize_t n = ::recv(_fd, dst + off, len - off, 0);
            if (n > 0) {
                off += static_cast<size_t>(n);
            } else if (n == 0) {
                return failed("the broker at " + _address + " closed the connection (" + what +
                              " not understood?)");
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                SPATE_TRY(wait(POLLIN, deadline, what));
            } else if (errno != EINTR) {
                return failed(std::string(what) + " from " + _address + ": " +
                              std::strerror(errno));
            }
        }
        return {};
    }

    result<std::vector<std::byte>> read_frame(steady::time_point deadline, const char* what) {
        std::byte prefix[proto::k_frame_size_prefix];
        SPATE_TRY(read_exact(prefix, sizeof prefix, deadline, what));
        auto size = proto::frame_size(prefix, k_max_response_frame);
        if (!size.ok())
            return failed(std::string(what) + " from " + _address + ": " + size.err().message);
        std::vector<std::byte> body(*size);
        SPATE_TRY(read_exact(body.data(), body.size(), deadline, what));
        return body;
    }

    host_port _hp;
    std::string _address;
    int _fd = -1;
    int32_t _next_id = 1;
    std::map<int16_t, std::pair<int16_t, int16_t>> _versions;  // api key → [min, max]
};

using conn_ptr = std::unique_ptr<kafka_connection>;

// The first bootstrap address that accepts a connection.
result<conn_ptr> connect_bootstrap(const std::string& bootstrap) {
    auto addrs = parse_bootstrap(bootstrap);
    if (!addrs.ok()) return failed(addrs.err().message);
    std::optional<error> first;
    for (const auto& hp : *addrs) {
        auto c = kafka_connection::open(hp);
        if (c.ok()) return c;
        if (!first) first = c.err();
    }
    return *first;
}

// ---- list ----

struct broker_node {
    int32_t id = -1;
    host_port addr;
};

result<std::vector<broker_node>> cluster_brokers(kafka_connection& c) {
    auto v = c.version<proto::metadata_request>("Metadata");
    SPATE_TRY(v);
    proto::metadata_request req;
    req.topics = std::vector<proto::metadata_request::metadata_request_topic>();  // no topics
    req.allow_auto_topic_creation = false;
    auto resp = c.call<proto::metadata_response>(req, *v);
    SPATE_TRY(resp);
    std::vector<broker_node> out;
    for (const auto& b : resp->brokers)
        out.push_back({b.node_id, {b.host, static_cast<uint16_t>(b.port)}});
    if (out.empty()) return failed("the broker at " + c.address() + " reported no brokers");
    return out;
}

// ListTransactions on one broker (the coordinator of the ids it lists).
status list_on(kafka_connection& c, const txn_list_args& a, std::vector<txn_listing>* out) {
    auto v = c.version<proto::list_transactions_request>("ListTransactions");
    SPATE_TRY(v);
    proto::list_transactions_request req;
    req.state_filters = a.states;
    req.producer_id_filters = a.producer_ids;
    auto resp = c.call<proto::list_transactions_response>(req, *v);
    SPATE_TRY(resp);
    if (resp->error_code != 0) {
        return failed("ListTransactions at " + c.address() + ": " +
                      kafka_err(resp->error_code, std::nullopt));
    }
    if (!resp->unknown_state_filters.empty()) {
        std::string names;
        for (const auto& s : resp->unknown_state_filters)
            names += (names.empty() ? "" : ", ") + s;
        std::fprintf(stderr,
                     "spate txn list: warning: the broker at %s does not know the state(s) %s\n",
                     c.address().c_str(), names.c_str());
    }
    for (const auto& t : resp->transaction_states) {
        // Filtered here too, in case a broker ignores the filters.
        bool state_ok = a.states.empty();
        for (const auto& s : a.states)
            state_ok = state_ok || s == t.transaction_state;
        bool pid_ok = a.producer_ids.empty();
        for (int64_t p : a.producer_ids)
            pid_ok = pid_ok || p == t.producer_id;
        if (state_ok && pid_ok)
            out->push_back({t.transactional_id, t.producer_id, t.transaction_state});
    }
    return {};
}

status txn_list(const txn_list_args& a) {
    auto boot = connect_bootstrap(a.bootstrap);
    SPATE_TRY(boot);
    auto brokers = cluster_brokers(**boot);
    SPATE_TRY(brokers);
    std::vector<txn_listing> txns;
    std::string incomplete;
    for (const auto& b : *brokers) {
        status s;
        if (addr_text(b.addr) == (*boot)->address()) {
            s = list_on(**boot, a, &txns);
        } else {
            auto c = kafka_connection::open(b.addr);
            s = c.ok() ? list_on(**c, a, &txns) : status(c.err());
        }
        if (s.ok()) continue;
        // Without ListTransactions nothing can be listed: fail outright.
        if (s.err().code == errc::unsupported) return s.err();
        incomplete += (incomplete.empty() ? "" : "; ") + std::string("broker ") +
                      std::to_string(b.id) + ": " + s.err().message;
    }
    std::fputs(format_txn_list(std::move(txns)).c_str(), stdout);
    if (!incomplete.empty()) return failed("the list may be incomplete: " + incomplete);
    return {};
}

// ---- describe ----

struct coordinator_node {
    int32_t id = -1;
    host_port addr;
    std::string text() const { return addr_text(addr) + " (id " + std::to_string(id) + ")"; }
};

// The outcome of FindCoordinator for one id: a node, or a Kafka error code.
struct found_coordinator {
    coordinator_node node;
    int16_t error = 0;
    std::optional<std::string> message;
};

found_coordinator found(int32_t node_id, const std::string& host, int32_t port, int16_t error,
                        const std::optional<std::string>& message) {
    found_coordinator f;
    f.node.id = node_id;
    f.node.addr.host = host;
    f.node.addr.port = static_cast<uint16_t>(port);
    f.error = error;
    f.message = message;
    return f;
}

// FindCoordinator (key type 1: transaction) for `ids`: batched from v4 on,
// one request per id before.
result<std::map<std::string, found_coordinator>> find_coordinators(
    kafka_connection& c, const std::vector<std::string>& ids) {
    auto v = c.version<proto::find_coordinator_request>("FindCoordinator for transactions", 1);
    SPATE_TRY(v);
    std::map<std::string, found_coordinator> out;
    if (*v >= 4) {
        proto::find_coordinator_request req;
        req.key_type = 1;
        req.coordinator_keys = ids;
        auto resp = c.call<proto::find_coordinator_response>(req, *v);
        SPATE_TRY(resp);
        for (const auto& k : resp->coordinators) {
            out[k.key] = found(k.node_id, k.host, k.port, k.error_code, k.error_message);
        }
        for (const auto& id : ids) {
            if (!out.count(id)) out[id] = found(-1, "", 0, -1, "no coordinator in the answer");
        }
        return out;
    }
    for (const auto& id : ids) {
        proto::find_coordinator_request req;
        req.key_type = 1;
        req.key = id;
        auto resp = c.call<proto::find_coordinator_response>(req, *v);
        SPATE_TRY(resp);
        out[id] =
            found(resp->node_id, resp->host, resp->port, resp->error_code, resp->error_message);
    }
    return out;
}

txn_details to_details(const proto::describe_transactions_response::transaction_state_data& s,
                       const coordinator_node& coordinator) {
    txn_details d;
    d.transactional_id = s.transactional_id;
    d.state = s.transaction_state;
    d.producer_id = s.producer_id;
    d.producer_epoch = s.producer_epoch;
    d.timeout_ms = s.transaction_timeout_ms;
    d.start_time_ms = s.transaction_start_time_ms;
    d.coordinator = coordinator.text();
    for (const auto& t : s.topics) {
        for (int32_t p : t.partitions)
            d.partitions.emplace_back(t.topic, p);
    }
    return d;
}

std::string id_error(const std::string& id, int16_t code, const std::optional<std::string>& msg) {
    if (code == k_not_found) {
        return "transactional id '" + id + "' does not exist (" + kafka_err(code, msg) + ")";
    }
    return "transactional id '" + id + "': " + kafka_err(code, msg);
}

status txn_describe(const txn_describe_args& a) {
    auto boot = connect_bootstrap(a.bootstrap);
    SPATE_TRY(boot);
    // Connections by address; the bootstrap one is reused for its own address.
    std::map<std::string, conn_ptr> conns;
    auto conn_to = [&](const host_port& hp) -> result<kafka_connection*> {
        std::string key = addr_text(hp);
        if (key == (*boot)->address()) return boot->get();
        auto it = conns.find(key);
        if (it != conns.end()) return it->second.get();
        auto c = kafka_connection::open(hp);
        SPATE_TRY(c);
        return (conns[key] = std::move(*c)).get();
    };

    std::map<std::string, txn_details> described;
    std::map<std::string, std::string> errors;
    std::vector<std::string> pending = a.transactional_ids;
    auto retry_deadline = steady::now() + std::chrono::milliseconds(k_coordinator_retry_ms);
    while (!pending.empty()) {
        // Ids that hit a retriable coordinator error this round, with the error.
        std::map<std::string, std::string> retry;
        auto found = find_coordinators(**boot, pending);
        SPATE_TRY(found);
        std::map<std::string, std::vector<std::string>> by_node;  // address → ids
        std::map<std::string, coordinator_node> nodes;
        for (const auto& id : pending) {
            const found_coordinator& f = (*found)[id];
            if (f.error != 0) {
                (retriable_coordinator_error(f.error) ? retry : errors)[id] =
                    "FindCoordinator for transactional id '" + id +
                    "': " + kafka_err(f.error, f.message);
                continue;
            }
            by_node[addr_text(f.node.addr)].push_back(id);
            nodes[addr_text(f.node.addr)] = f.node;
        }
        for (const auto& [addr, ids] : by_node) {
            const coordinator_node& node = nodes[addr];
            auto fail_all = [&](const std::string& msg) {
                for (const auto& id : ids)
                    errors[id] =
                        "transactional id '" + id + "': coordinator " + node.text() + ": " + msg;
            };
            auto c = conn_to(node.addr);
            if (!c.ok()) {
                fail_all(c.err().message);
                continue;
            }
            auto v = (*c)->version<proto::describe_transactions_request>("DescribeTransactions");
            if (!v.ok()) return v.err();  // nothing can be described
            proto::describe_transactions_request req;
            req.transactional_ids = ids;
            auto resp = (*c)->call<proto::describe_transactions_response>(req, *v);
            if (!resp.ok()) {
                conns.erase(addr);
                fail_all(resp.err().message);
                continue;
            }
            std::set<std::string> answered;
            for (const auto& s : resp->transaction_states) {
                answered.insert(s.transactional_id);
                if (s.error_code == 0) {
                    described[s.transactional_id] = to_details(s, node);
                } else if (retriable_coordinator_error(s.error_code)) {
                    retry[s.transactional_id] =
                        id_error(s.transactional_id, s.error_code, std::nullopt);
                } else {
                    errors[s.transactional_id] =
                        id_error(s.transactional_id, s.error_code, std::nullopt);
                }
            }
            for (const auto& id : ids) {
                if (!answered.count(id))
                    errors[id] = "transactional id '" + id + "': not in the answer of " + addr;
            }
        }
        pending.clear();
        if (retry.empty()) break;
        if (steady::now() >= retry_deadline) {
            for (auto& [id, msg] : retry)
                errors[id] =
                    msg + " (retried for " + std::to_string(k_coordinator_retry_ms / 1000) + " s)";
            break;
        }
        for (const auto& [id, msg] : retry)
            pending.push_back(id);
        std::this_thread::sleep_for(std::chrono::milliseconds(k_retry_backoff_ms));
    }

    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    std::string out;
    for (const auto& id : a.transactional_ids) {
        auto it = described.find(id);
        if (it == described.end()) continue;
        if (!out.empty()) out += "\n";
        out += format_txn_description(it->second, now_ms);
    }
    std::fputs(out.c_str(), stdout);
    std::string msg;
    for (const auto& id : a.transactional_ids) {
        auto it = errors.find(id);
        if (it != errors.end()) msg += (msg.empty() ? "" : "; ") + it->second;
    }
    if (!msg.empty()) return make_error(errc::not_found, msg);
    return {};
}

}  // namespace

const char* txn_usage_text() {
    return "  txn list [--state S]... [--producer-id N]...\n"
           "  txn describe TRANSACTIONAL-ID...\n";
}

int run_txn(const std::vector<std::string>& args) {
    if (args.empty()) {
        std::fprintf(stderr, "spate txn: missing sub-command (list, describe)\n");
        return 2;
    }
    const std::string& sub = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "list") return run_parsed("txn list", parse_txn_list(rest), txn_list);
    if (sub == "describe")
        return run_parsed("txn describe", parse_txn_describe(rest), txn_describe);
    std::fprintf(stderr, "spate txn: unknown sub-command '%s'\n", sub.c_str());
    return 2;
}

}  // namespace spate::cli
