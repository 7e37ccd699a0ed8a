// Rows remote_1mb and remote_8mb: batches from nodes over loopback.
#pragma once

#include <vector>

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// MB/s of 1 MB and 8 MB batches from two loopback `lockstep node`s
/// (lockstep_nodes) against the same number of local workers
/// (lockstep_local). Goal: lockstep_nodes >= 0.6 x lockstep_local. Skipped
/// until remote nodes land: this function is where their measurement goes.
std::vector<row> remote_rows(context& ctx);

}  // namespace lockstep::bench
