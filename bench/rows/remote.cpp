#include "remote.hpp"

namespace lockstep::bench {

std::vector<row> remote_rows(context& ctx) {
  std::vector<row> rows;
  for (const char* name : {"remote_1mb", "remote_8mb"})
    if (ctx.selected(name))
      rows.push_back(skipped_row(name, "MB/s", true,
                                 "needs remote nodes (lockstep node), which have not landed"));
  return rows;
}

}  // namespace lockstep::bench
