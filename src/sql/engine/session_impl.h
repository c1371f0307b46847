#pragma once

// The engine's session (session.h): statement preparation and execution.

#include <memory>

#include "sql/engine/engine.h"
#include "sql/engine/session.h"

namespace spate::sql {

std::unique_ptr<session> make_session(std::shared_ptr<engine> e, const session_options& o);

}  // namespace spate::sql
