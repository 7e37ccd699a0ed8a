#include "probe_source.hpp"

namespace lockstep::test {

void probe::close_gate(std::set<std::uint64_t> indices) {
  std::lock_guard<std::mutex> guard{mtx_};
  gated_ = std::move(indices);
}

void probe::open_gate() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    gated_.clear();
  }
  cv_.notify_all();
}

void probe::wait_gate(std::uint64_t index) {
  std::unique_lock<std::mutex> guard{mtx_};
  if (gated_.count(index) == 0)
    return;
  ++waiting_;
  cv_.wait(guard, [&] { return gated_.count(index) == 0; });
  --waiting_;
}

live_token::live_token(std::shared_ptr<probe> p) : p_(std::move(p)) {
  if (!p_)
    return;
  auto now = ++p_->live_outputs;
  auto seen = p_->max_live_outputs.load();
  while (now > seen && !p_->max_live_outputs.compare_exchange_weak(seen, now)) {
  }
}

live_token::live_token(const live_token& other) : live_token(other.p_) {
}

live_token::~live_token() {
  if (p_)
    --p_->live_outputs;
}

probe_source::probe_source(synthetic_params params, std::shared_ptr<probe> p)
    : inner_(params), probe_(std::move(p)) {
}

std::optional<std::pair<synthetic_batch, synthetic_state>>
probe_source::iterate(const synthetic_state& s) const {
  ++probe_->iterations;
  return inner_.iterate(s);
}

probe_output probe_source::materialize(const synthetic_batch& b) const {
  ++probe_->materializations;
  probe_->wait_gate(b.index);
  if (probe_->kill_index == b.index && !probe_->killed.exchange(true))
    throw 42;  // not a std::exception: escapes the worker's handler
  auto out = inner_.materialize(b);
  return {out.index, std::move(out.bytes), live_token{probe_}};
}

}  // namespace lockstep::test
