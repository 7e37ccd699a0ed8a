#include "lockstep/messages/status.hpp"

namespace lockstep {

std::string_view to_string(run_status s) {
  switch (s) {
    case run_status::stopped:
      return "stopped";
    case run_status::running:
      return "running";
    case run_status::done:
      return "done";
    case run_status::closed:
      return "closed";
    case run_status::failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace lockstep
