#include "process_stats.hpp"

#include <filesystem>
#include <fstream>
#include <string>

namespace lockstep::test {

process_stats process_stats::now() {
  process_stats s;
  std::ifstream status{"/proc/self/status"};
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0)
      s.threads = std::stoul(line.substr(8));
    else if (line.rfind("VmRSS:", 0) == 0)
      s.rss_mb = std::stod(line.substr(6)) / 1024;
  }
  for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator{"/proc/self/fd"})
    ++s.fds;
  return s;
}

}  // namespace lockstep::test
