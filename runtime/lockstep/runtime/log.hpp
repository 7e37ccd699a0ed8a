// What lockstep logs, and where it goes. API.
#pragma once

#include <functional>
#include <string_view>

namespace lockstep {

enum class log_level { debug, info, warning, error, off };

/// Lines below `level` are dropped. Default: warning — a library run logs
/// nothing unless something is wrong (a restart on a mismatched take, a lost
/// node); info adds run starts and stops and nodes joining.
void set_log_level(log_level level);
log_level get_log_level();

/// Where lines go: called from lockstep's threads, one line at a time, with
/// no lock of the caller's held. Null (the default): stderr, as
/// "[12:00:00.000] [lockstep] [warning] text".
using log_sink = std::function<void(log_level level, std::string_view line)>;
void set_log_sink(log_sink sink);

/// Reads a level's name ("debug", "info", "warning" or "warn", "error",
/// "off"); false for anything else, leaving `level` alone.
bool parse_log_level(std::string_view text, log_level& level);

}  // namespace lockstep
