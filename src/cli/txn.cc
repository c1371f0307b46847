// `spate txn list|describe` over kafka/client's raw-protocol admin calls
// (librdkafka 2.0 has no ListTransactions/DescribeTransactions).

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/txn_format.h"
#include "kafka/client/raw_admin.h"

namespace spate::cli {

namespace kc = kafka::client;

status txn_list(const txn_list_args& a) {
    auto client = client_config_of(a);
    SPATE_TRY(client);
    auto listed = kc::list_transactions(*client, a.states, a.producer_ids);
    SPATE_TRY(listed);
    for (const auto& w : listed->warnings)
        std::fprintf(stderr, "spate txn list: warning: %s\n", w.c_str());
    std::fputs(format_txn_list(std::move(listed->transactions)).c_str(), stdout);
    if (!listed->incomplete.empty()) {
        return make_error(errc::io_error, "the list may be incomplete: " + listed->incomplete);
    }
    return {};
}

status txn_describe(const txn_describe_args& a) {
    auto client = client_config_of(a);
    SPATE_TRY(client);
    auto res = kc::describe_transactions(*client, a.transactional_ids);
    SPATE_TRY(res);
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    std::string out;
    std::string msg;
    for (const auto& id : a.transactional_ids) {
        if (auto it = res->described.find(id); it != res->described.end()) {
            if (!out.empty()) out += "\n";
            out += format_txn_description(it->second, now_ms);
        }
        if (auto it = res->errors.find(id); it != res->errors.end())
            msg += (msg.empty() ? "" : "; ") + it->second.message;
    }
    std::fputs(out.c_str(), stdout);
    if (!msg.empty()) return make_error(errc::not_found, msg);
    return {};
}

}  // namespace spate::cli
