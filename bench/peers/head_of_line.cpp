#include "head_of_line.hpp"

#include <stdexcept>

#include "take_loop.hpp"

namespace lockstep::bench {

head_of_line::head_of_line(synthetic src, synthetic_state start, std::size_t workers,
                           std::size_t buffer)
    : src_(std::move(src)), channel_(buffer) {
  for (std::size_t i = 0; i < workers; ++i) {
    mailboxes_.push_back(std::make_unique<blocking_queue<task>>());
    pool_.push(i);
  }
  for (std::size_t i = 0; i < workers; ++i)
    threads_.emplace_back([this, i] { work(i); });
  threads_.emplace_back([this] { manage(); });
  threads_.emplace_back([this, start] { feed(start); });
}

head_of_line::~head_of_line() {
  pool_.close();
  jobs_.close();
  channel_.close();
  for (auto& m : mailboxes_)
    m->close();
}

void head_of_line::work(std::size_t id) {
  while (auto t = mailboxes_[id]->pop())
    (*t)();
}

void head_of_line::feed(synthetic_state state) {
  while (auto step = src_.iterate(state)) {
    auto worker = pool_.pop();
    if (!worker)
      return;
    task t{[this, batch = step->first] { return src_.materialize(batch); }};
    auto output = t.get_future();
    if (!mailboxes_[*worker]->push(std::move(t))
        || !jobs_.push(job{*worker, std::move(output), state, step->second}))
      return;
    state = step->second;
  }
}

void head_of_line::manage() {
  while (auto j = jobs_.pop()) {
    result r{{}, j->before, j->after};
    try {
      r.output = j->output.get();
    } catch (...) {
      failure_ = std::current_exception();
      channel_.close();
      return;
    }
    pool_.push(j->worker);
    if (!channel_.push(std::move(r)))
      return;
  }
}

std::optional<head_of_line::taken> head_of_line::take(const synthetic_state& state) {
  auto r = channel_.pop();
  if (!r) {
    if (failure_)
      std::rethrow_exception(failure_);
    return std::nullopt;
  }
  if (!(r->before == state))
    throw std::logic_error("head_of_line: take() with a state the stream does not stand at");
  return taken{std::move(r->output), std::move(r->after)};
}

throughput head_of_line_rate(const workload& w) {
  head_of_line hol{synthetic{w.params}, synthetic_state::seeded(w.seed), w.workers, w.buffer()};
  return take_rate(hol, w);
}

}  // namespace lockstep::bench
