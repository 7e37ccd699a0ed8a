#include "remote.hpp"

#include <functional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "../peers/raw_tcp.hpp"
#include "../peers/take_loop.hpp"
#include "throughput.hpp"
#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/log.hpp"
#include "lockstep/detail/node_process.hpp"
#include "lockstep/runtime/node_server.hpp"
#include "lockstep/sources/builtin.hpp"

namespace lockstep::bench {

namespace {

constexpr std::size_t nodes = 2;
constexpr std::size_t workers_per_node = 2;

enum class where { local, nodes_socket, nodes_shm };

// Batches/s of `w` through a batcher, and what a batch cost this process;
// nodes are spawned (this program, as `lockstep_bench node ...`) and only
// their workers used, their outputs on the socket or in shared memory.
throughput batcher_rate(workload w, where at) {
  config cfg;
  cfg.buffer = w.buffer();
  if (at == where::local) {
    cfg.workers = w.workers;
  } else {
    cfg.workers = 0;
    cfg.remote.spawn = nodes;
    cfg.remote.node_workers = workers_per_node;
    cfg.remote.node_program = detail::current_program();
    if (at == where::nodes_socket)
      cfg.remote.shm_bytes = 0;
  }
  batcher<synthetic> b{synthetic{w.params}, cfg};
  auto t = take_rate(b, w);
  b.stop();
  return t;
}

row remote_row(context& ctx, const char* name, std::uint64_t item_bytes) {
  row r;
  r.name = name;
  r.unit = "MB/s";
  workload w;
  w.params.item_bytes = item_bytes;
  w.workers = nodes * workers_per_node;
  w.warmup = 2 * (w.buffer() + w.workers);
  auto mb = static_cast<double>(item_bytes) / 1e6;
  w.batches = static_cast<std::size_t>((ctx.opt.quick ? 400.0 : 1500.0) / mb);
  // Figures in MB/s: each system's batches/s times the batch size.
  auto in_mb = [mb](std::function<throughput()> f) {
    return [mb, f](const workload&) {
      auto t = f();
      t.batches_per_s *= mb;
      return t;
    };
  };
  measure(ctx, r,
          {{"lockstep_nodes", w, in_mb([&] { return batcher_rate(w, where::nodes_socket); })},
           {"lockstep_nodes_shm", w, in_mb([&] { return batcher_rate(w, where::nodes_shm); })},
           {"lockstep_local", w, in_mb([&] { return batcher_rate(w, where::local); })},
           {"raw_tcp", w, in_mb([&] { return raw_tcp_rate(w); })}});
  r.add_ratio_goal("lockstep_nodes", "lockstep_local", 0.6, true);
  r.add_ratio_goal("lockstep_nodes", "raw_tcp", 0.7, true);
  // Same-host nodes: shared memory beats the socket, and the raw stream.
  r.add_ratio_goal("lockstep_nodes_shm", "lockstep_nodes", 1.0, true);
  r.add_ratio_goal("lockstep_nodes_shm", "raw_tcp", 0.7, true);
  r.setup = fmt::format(
    "{} B batches, latency 0; lockstep_nodes: {} loopback node processes "
    "with {} workers each (--workers 0 locally), outputs on the socket "
    "(shm_bytes 0); lockstep_nodes_shm: the same, outputs in the default "
    "64 MiB of shared memory per node; lockstep_local: {} local "
    "workers; buffer {}; raw_tcp: the same count of {} B batches streamed "
    "by a second process over loopback TCP, read whole into one reused "
    "buffer (the transport alone: no fill, no serialization); {} warm-up "
    "then {} timed batches. CPU and context switches per batch are this "
    "process's only: for lockstep_nodes the manager's (the nodes are other "
    "processes), for raw_tcp the receiver's",
    item_bytes, nodes, workers_per_node, w.workers, w.buffer(), item_bytes, w.warmup, w.batches);
  return r;
}

}  // namespace

std::vector<row> remote_rows(context& ctx) {
  std::vector<row> rows;
  if (ctx.selected("remote_1mb"))
    rows.push_back(remote_row(ctx, "remote_1mb", 1'000'000));
  if (ctx.selected("remote_8mb"))
    rows.push_back(remote_row(ctx, "remote_8mb", 8'000'000));
  return rows;
}

int serve_node_child(int argc, char** argv) {
  node_options o;
  for (int i = 2; i + 1 < argc; ++i)
    if (std::string_view{argv[i]} == "--workers")
      o.workers = static_cast<std::size_t>(std::stoul(argv[i + 1]));
  set_log_level(log_level::warning);
  return serve_node(o, builtin_sources());
}

}  // namespace lockstep::bench
