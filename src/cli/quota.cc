// `spate quota alter|describe` over kafka/client's raw quota calls.

#include <cstdio>

#include "cli/commands.h"
#include "cli/quota_args.h"

namespace spate::cli {

namespace kc = kafka::client;

status quota_alter(const quota_args& a) {
    auto entity = quota_entity(a);
    SPATE_TRY(entity);
    if (entity->empty())
        return make_error(errc::invalid_argument,
                          "give --user, --user-default, --client-id or --client-default");
    auto ops = quota_ops(a);
    SPATE_TRY(ops);
    auto config = client_config_of(a);
    SPATE_TRY(config);
    SPATE_TRY(kc::alter_client_quotas(*config, *entity, *ops, a.validate_only));
    std::printf("%s the quotas of %s.\n", a.validate_only ? "Validated" : "Completed updating",
                format_quota_entity(*entity).c_str());
    return {};
}

status quota_describe(const quota_args& a) {
    auto filter = quota_filter(a);
    SPATE_TRY(filter);
    auto config = client_config_of(a);
    SPATE_TRY(config);
    auto got = kc::describe_client_quotas(*config, *filter, !filter->empty());
    SPATE_TRY(got);
    std::fputs(format_quotas(*got).c_str(), stdout);
    return {};
}

}  // namespace spate::cli
