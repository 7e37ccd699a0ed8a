// remote_workers: your own source, materialized on a node process.
//
//   remote_workers node [PORT]      serve workers for `squares` runs on 127.0.0.1
//   remote_workers run HOST:PORT    take 100 batches from that node
//   remote_workers                  both, in one process (CI runs this)
//
// A source can run on nodes when it describes itself (params, JSON text, and
// from_params), its batch and output serialize (here: built-in types), and
// the node's binary registers it (serve_node with a source_registry).
#include <cstdio>
#include <string>

#include <boost/json.hpp>
#include <lockstep/lockstep.hpp>

// Batch i holds i, and its output the squares of i .. i+size-1.
struct squares {
  using state_type = std::uint64_t;
  using batch_type = std::uint64_t;
  using output_type = std::vector<std::uint64_t>;
  static constexpr std::string_view name = "squares";
  std::uint64_t size = 4;

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    return std::make_pair(s, s + 1);
  }
  output_type materialize(const batch_type& b) const {
    output_type out;
    for (auto x = b; x < b + size; ++x)
      out.push_back(x * x);
    return out;
  }
  std::string params() const { return boost::json::serialize(boost::json::object{{"size", size}}); }
  static squares from_params(const boost::json::value& v) {
    return {boost::json::value_to<std::uint64_t>(v.at("size"))};
  }
};

lockstep::source_registry my_sources() {
  lockstep::source_registry r;
  r.add<squares>();
  return r;
}

int run(const std::string& node) {
  lockstep::batcher batches{squares{}, {.workers = 0, .remote = {.nodes = {node}}}};  // nodes only
  std::uint64_t state = 0, sum = 0;
  for (int i = 0; i < 100; ++i) {
    auto next = batches.take(state);
    sum += next->output.back();
    state = next->state;
  }
  std::printf("100 batches from %s, last squares sum to %llu\n", node.c_str(),
              static_cast<unsigned long long>(sum));
  return sum == 358950 ? 0 : 1;  // 3² + 4² + ... + 102²
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "node") {
    lockstep::node_options options;
    if (argc > 2)
      options.port = static_cast<std::uint16_t>(std::stoi(argv[2]));
    return lockstep::serve_node(options, my_sources());
  }
  if (mode == "run" && argc > 2)
    return run(argv[2]);
  lockstep::node_server node{lockstep::node_options{}, my_sources()};
  return run(node.address());
}
