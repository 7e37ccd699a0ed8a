// How actors report events worth a log line without depending on a logger.
#pragma once

#include <functional>
#include <string>

namespace lockstep::detail {

enum class event_level { info, warning, error };

/// Installed by the runtime, which forwards to lockstep's log.
using event_log = std::function<void(event_level, const std::string&)>;

}  // namespace lockstep::detail
