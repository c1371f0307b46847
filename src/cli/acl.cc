// `spate acl create|list|delete` over kafka/client's raw ACL calls.

#include <algorithm>
#include <cstdio>

#include "cli/acl_args.h"
#include "cli/commands.h"

namespace spate::cli {

namespace kc = kafka::client;

status acl_create(const acl_args& a) {
    auto bindings = acl_bindings(a);
    SPATE_TRY(bindings);
    auto client = client_config_of(a);
    SPATE_TRY(client);
    SPATE_TRY(kc::create_acls(*client, *bindings));
    std::printf("Adding ACLs:\n%s", format_acls(*bindings).c_str());
    return {};
}

status acl_list(const acl_args& a) {
    auto filters = acl_list_filters(a);
    SPATE_TRY(filters);
    auto client = client_config_of(a);
    SPATE_TRY(client);
    std::vector<kc::acl_binding_spec> all;
    for (const auto& f : *filters) {
        auto got = kc::describe_acls(*client, f);
        SPATE_TRY(got);
        for (auto& b : *got)
            if (std::find(all.begin(), all.end(), b) == all.end()) all.push_back(std::move(b));
    }
    std::fputs(format_acls(std::move(all)).c_str(), stdout);
    return {};
}

status acl_delete(const acl_args& a) {
    auto filters = acl_delete_filters(a);
    SPATE_TRY(filters);
    auto client = client_config_of(a);
    SPATE_TRY(client);
    auto removed = kc::delete_acls(*client, *filters);
    SPATE_TRY(removed);
    std::printf("Removed ACLs:\n%s", format_acls(std::move(*removed)).c_str());
    return {};
}

}  // namespace spate::cli
