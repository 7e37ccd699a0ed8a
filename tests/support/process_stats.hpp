// What this process holds now: threads, open descriptors, resident memory.
#pragma once

#include <cstddef>

namespace lockstep::test {

struct process_stats {
  std::size_t threads = 0;
  std::size_t fds = 0;
  double rss_mb = 0;

  static process_stats now();
};

}  // namespace lockstep::test
