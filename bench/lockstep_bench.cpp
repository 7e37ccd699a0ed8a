// lockstep_bench: lockstep against its peers on identical work, side by side
// in one run, printed as one table and written as JSON. bench/run builds and
// runs it; `lockstep_bench --help` lists the options.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include "lockstep/detail/system_config.hpp"
#include "lockstep/runtime/log.hpp"
#include "peers/raw_tcp.hpp"
#include "report.hpp"
#include "rows/checkpointer.hpp"
#include "rows/first_batch.hpp"
#include "rows/grid_first_batch.hpp"
#include "rows/fixed.hpp"
#include "rows/lognormal.hpp"
#include "rows/memory.hpp"
#include "rows/overhead.hpp"
#include "rows/overhead_curve.hpp"
#include "rows/python_signals.hpp"
#include "rows/remote.hpp"
#include "rows/request_batching.hpp"
#include "rows/restart.hpp"
#include "rows/signals.hpp"
#include "rows/sqlite_pages.hpp"
#include "rows/stragglers.hpp"
#include "soak.hpp"

namespace {

using namespace lockstep::bench;

/// Rows measured together (the fixed rows share one scaling sweep), in the
/// order of the table.
struct group {
  std::vector<std::string> rows;
  std::function<std::vector<row>(context&, report&)> run;
};

std::vector<group> groups() {
  auto one = [](auto f) { return [f](context& c, report&) { return std::vector<row>{f(c)}; }; };
  return {
    {{"overhead_trivial"}, one(overhead_row)},
    {{"overhead_curve"}, one(overhead_curve_row)},
    {{"fixed_2ms_w1", "fixed_2ms_w4", "fixed_2ms_w16"},
     [](context& c, report& r) { return fixed_rows(c, r.scaling); }},
    {{"lognormal_w8"}, one(lognormal_row)},
    {{"stragglers_p99"}, one(stragglers_row)},
    {{"signals_mb_s"}, one(signals_row)},
    {{"python_signals_mb_s"}, one(python_signals_row)},
    {{"remote_1mb", "remote_8mb"}, [](context& c, report&) { return remote_rows(c); }},
    {{"restart_ms"}, one(restart_row)},
    {{"first_batch_ms"}, one(first_batch_row)},
    {{"grid_first_batch_ms"}, one(grid_first_batch_row)},
    {{"memory_mb"}, one(memory_row)},
    {{"checkpointer_offer_ns"}, one(checkpointer_row)},
    {{"sqlite_pages_rows_s"}, one(sqlite_pages_row)},
    {{"request_batching"}, one(request_batching_row)},
  };
}

void write_json(const std::string& path, const report& r) {
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << boost::json::serialize(to_json(r)) << '\n';
    if (!out)
      throw std::runtime_error(path + ": cannot be written");
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
  // The remote rows spawn this program as their nodes, and as raw_tcp's sender.
  if (argc > 1 && std::string_view{argv[1]} == "node")
    return serve_node_child(argc, argv);
  if (argc > 1 && std::string_view{argv[1]} == "raw-tcp-send")
    return raw_tcp_send_child(argc, argv);
  CLI::App app{"lockstep against its peers on identical work: one table, and JSON"};
  options opt;
  opt.pytorch_script = LOCKSTEP_BENCH_PYTORCH_SCRIPT;
  std::string json_path;
  bool no_pytorch = false;
  bool list = false;
  bool memory_child_mode = false;
  app.add_flag("--quick", opt.quick, "Fewer batches and repetitions (about 3 minutes on 2 cores)");
  app.add_option("--reps", opt.reps, "Repetitions per figure (default 3 quick, 7 full)")
    ->check(CLI::PositiveNumber);
  app.add_option("--rows", opt.rows, "Only these rows (comma-separated; see --list)")
    ->delimiter(',');
  app.add_option("--systems", opt.systems,
                 "Throughput and request rows measure only these systems (comma-separated; for profiling)")
    ->delimiter(',');
  app.add_option("--json", json_path, "Also write the figures to this file");
  app.add_option("--python", opt.python, "The interpreter with torch")->capture_default_str();
  app.add_option("--pytorch-script", opt.pytorch_script, "The PyTorch peer")
    ->capture_default_str();
  app.add_flag("--no-pytorch", no_pytorch, "Leave the PyTorch peer out");
  app.add_flag("--list", list, "List the rows and exit");
  app.add_flag("--memory-child", memory_child_mode)->group("");  // memory_mb's fresh process
  bool soak_mode = false;
  std::size_t soak_batches = 1'000'000;
  app.add_flag("--soak", soak_mode, "Run the soak test instead (docs/guarantees.md)");
  app.add_option("--soak-batches", soak_batches, "Batches of the soak run")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  lockstep::set_log_level(lockstep::log_level::error);  // restarts warn by design
  // lockstep is measured as its command runs it: one glibc arena
  // (config::tune_allocator), set here once for every system alike. The
  // memory row measures the difference in fresh processes of its own.
  if (!memory_child_mode)
    lockstep::detail::tune_allocator();
  if (memory_child_mode)
    return memory_child();
  if (soak_mode)
    return soak(soak_batches);
  auto all = groups();
  if (list) {
    for (auto& g : all)
      for (auto& name : g.rows)
        std::printf("%s\n", name.c_str());
    return 0;
  }
  for (auto& name : opt.rows) {
    bool known = false;
    for (auto& g : all)
      known = known || std::find(g.rows.begin(), g.rows.end(), name) != g.rows.end();
    if (!known) {
      std::fprintf(stderr, "lockstep_bench: unknown row %s (see --list)\n", name.c_str());
      return 2;
    }
  }
  if (opt.reps == 0)
    opt.reps = opt.quick ? 3 : 7;
  if (no_pytorch)
    opt.pytorch_script.clear();
  // A dead Python peer must fail its request, not kill this process.
  std::signal(SIGPIPE, SIG_IGN);

  pytorch_peer pytorch{opt.python, opt.pytorch_script};
  context ctx{opt, pytorch};
  report rep;
  rep.host = describe_machine();
  rep.quick = opt.quick;
  rep.reps = opt.reps;
  int status = 0;
  for (auto& g : all) {
    bool wanted = false;
    for (auto& name : g.rows)
      wanted = wanted || ctx.selected(name);
    if (!wanted)
      continue;
    std::fprintf(stderr, "lockstep_bench: %s\n", g.rows.front().c_str());
    try {
      for (auto& r : g.run(ctx, rep))
        rep.rows.push_back(std::move(r));
    } catch (const std::exception& e) {
      // A broken measurement is reported in its rows; the others still run.
      status = 1;
      for (auto& name : g.rows)
        if (ctx.selected(name))
          rep.rows.push_back(skipped_row(name, "", true, std::string{"failed: "} + e.what()));
    }
  }
  print_table(stdout, rep);
  if (!json_path.empty())
    write_json(json_path, rep);
  return status;
}
