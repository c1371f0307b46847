#pragma once

// Deleting topics a dropped SQL object owned (a view's output, a query's
// repartition and changelog topics).

#include <string>
#include <string_view>
#include <vector>

#include "kafka/client/config.h"

namespace spate::sql {

// Deletes each of `topics` through an admin client of `client`; a topic
// already gone counts as deleted. Failures are logged against `owner` (the
// object's name) and otherwise ignored: the drop that asked stands.
void delete_owned_topics(const kafka::client::client_config& client, std::string_view owner,
                         const std::vector<std::string>& topics);

}  // namespace spate::sql
