// Rows remote_1mb and remote_8mb: batches from nodes over loopback.
#pragma once

#include <vector>

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// MB/s of 1 MB and 8 MB batches from two loopback node processes
/// (lockstep_nodes) against the same number of local workers
/// (lockstep_local) and a raw TCP stream of the same batches between two
/// processes (raw_tcp, the transport bound). Goals: lockstep_nodes >= 0.6 x
/// lockstep_local and >= 0.7 x raw_tcp.
std::vector<row> remote_rows(context& ctx);

/// `lockstep_bench node --listen 127.0.0.1:0 ... [--workers W]`: the node
/// processes the remote rows spawn, serving the built-in sources.
int serve_node_child(int argc, char** argv);

}  // namespace lockstep::bench
