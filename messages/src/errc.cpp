#include "lockstep/messages/errc.hpp"

namespace lockstep {

std::string_view to_string(errc e) {
  switch (e) {
    case errc::batch_failed:
      return "batch_failed";
    case errc::no_workers:
      return "no_workers";
    case errc::invalid_config:
      return "invalid_config";
    case errc::invalid_state:
      return "invalid_state";
    case errc::source_mismatch:
      return "source_mismatch";
    case errc::version_mismatch:
      return "version_mismatch";
    case errc::invalid_dataset:
      return "invalid_dataset";
    case errc::unknown_source:
      return "unknown_source";
    case errc::node_unreachable:
      return "node_unreachable";
    case errc::not_authorized:
      return "not_authorized";
    case errc::io_error:
      return "io_error";
    case errc::stopped:
      return "stopped";
    case errc::rejected:
      return "rejected";
    case errc::queue_full:
      return "queue_full";
    case errc::timed_out:
      return "timed_out";
  }
  return "unknown";
}

}  // namespace lockstep
