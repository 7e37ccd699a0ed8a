// What every row function gets: the options and the shared peers.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "peers/pytorch.hpp"

namespace lockstep::bench {

struct options {
  bool quick = false;
  int reps = 0;                   ///< repetitions per figure; 0: 3 quick, 7 full
  std::vector<std::string> rows;  ///< empty: all rows
  std::vector<std::string> systems;  ///< throughput rows measure only these; empty: all
  std::string python = "/usr/bin/python3";
  std::string pytorch_script;     ///< empty: no pytorch peer
};

struct context {
  const options& opt;
  pytorch_peer& pytorch;

  bool selected(std::string_view row) const { return chosen(opt.rows, row); }
  bool measured(std::string_view system) const { return chosen(opt.systems, system); }

  /// How long one repetition of a throughput figure runs.
  double seconds_per_rep() const { return opt.quick ? 0.4 : 1.5; }

 private:
  static bool chosen(const std::vector<std::string>& names, std::string_view name) {
    return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
  }
};

}  // namespace lockstep::bench
