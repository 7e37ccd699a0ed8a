#!/usr/bin/env bash
# How long a user's translation unit takes to compile: a minimal lockstep
# program (a source of its own and a batcher), against an empty TU and a
# oneTBB parallel_pipeline TU of the same size, at -O0 and -O2. Prints the
# median of N compiles of each and the headers each pulls in (of them CAF's).
# Usage: bench/compile_time.sh [N]   (default 7; run on a quiet machine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs=${1:-7}
bash "$root/scripts/setup.sh" libtbb-dev bc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The generated version header lives in a build tree; a copy stands in here.
mkdir -p "$work/gen/lockstep/runtime"
sed 's/@PROJECT_VERSION@/0/' "$root/runtime/version.hpp.in" >"$work/gen/lockstep/runtime/version.hpp"
includes=(-I"$root/messages" -I"$root/actors" -I"$root/runtime" -I"$root/sources" -I"$work/gen")

cat >"$work/empty.cpp" <<'EOF'
int main() { return 0; }
EOF
cat >"$work/tbb.cpp" <<'EOF'
#include <tbb/parallel_pipeline.h>
int main() {
  long next = 0, sum = 0;
  tbb::parallel_pipeline(8,
    tbb::make_filter<void, long>(tbb::filter_mode::serial_in_order,
      [&](tbb::flow_control& fc) { if (next >= 1000) { fc.stop(); return 0L; } return next++; }) &
    tbb::make_filter<long, long>(tbb::filter_mode::parallel, [](long x) { return x * x; }) &
    tbb::make_filter<long, void>(tbb::filter_mode::serial_in_order, [&](long x) { sum += x; }));
  return sum == 0;
}
EOF
cat >"$work/lockstep.cpp" <<'EOF'
#include <lockstep/lockstep.hpp>
struct squares {
  using state_type = std::uint64_t;
  using batch_type = std::uint64_t;
  using output_type = std::vector<float>;
  static constexpr std::string_view name = "squares";
  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    if (s >= 1000) return std::nullopt;
    return std::make_pair(s, s + 1);
  }
  output_type materialize(const batch_type& b) const { return output_type(16, float(b * b)); }
};
int main() {
  lockstep::batcher b{squares{}, {.workers = 2}};
  std::uint64_t s = 0;
  double sum = 0;
  while (auto next = b.take(s)) { sum += next->output[0]; s = next->state; }
  return sum == 0;
}
EOF

median_seconds() {  # flags file
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N)
    g++ -std=c++20 $1 "${includes[@]}" -c "$work/$2" -o /dev/null
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}
headers() {
  local all caf
  all=$(g++ -std=c++20 "${includes[@]}" -H -c "$work/$1" -o /dev/null 2>&1 | grep -c '^\.' || true)
  caf=$(g++ -std=c++20 "${includes[@]}" -H -c "$work/$1" -o /dev/null 2>&1 | grep '^\.' | grep -c '/caf/' || true)
  echo "$all headers ($caf of CAF)"
}

printf '%-10s %8s %8s  %s\n' TU "-O0 (s)" "-O2 (s)" "includes"
for tu in empty tbb lockstep; do
  printf '%-10s %8.2f %8.2f  %s\n' "$tu" "$(median_seconds -O0 $tu.cpp)" \
    "$(median_seconds -O2 $tu.cpp)" "$(headers $tu.cpp)"
done
