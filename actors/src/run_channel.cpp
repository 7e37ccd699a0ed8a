#include "lockstep/detail/run_channel.hpp"

#include <algorithm>
#include <cmath>

namespace lockstep::detail {

run_channel::run_channel(std::optional<std::size_t> buffer,
                         std::optional<std::size_t> buffer_bytes, bool in_order)
    : buffer_(buffer), buffer_bytes_(buffer_bytes), in_order_(in_order) {}

void run_channel::reset_run() {
  outstanding_ = 0;
  run_issued_ = 0;
  run_delivered_ = 0;
  feeder_waiting_ = false;
  ready_.clear();
  ready_batches_ = 0;
  oldest_.reset();
  stuck_.clear();
  watermark_ = 0;
  taken_above_.clear();
}

std::uint64_t run_channel::open() {
  std::uint64_t epoch;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto now = live_epoch_.load();
    epoch = now % 2 == 1 ? now + 2 : now + 1;
    live_epoch_.store(epoch, std::memory_order_release);
    reset_run();
    status_ = {run_status::running, {}};
    ++stats_.restarts;
  }
  cv_.notify_all();  // a pop of the replaced run returns
  return epoch;
}

void run_channel::close(run_status s, std::string error) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto now = live_epoch_.load();
    if (now % 2 == 1)
      live_epoch_.store(now + 1, std::memory_order_release);
    reset_run();
    status_ = {s, std::move(error)};
  }
  cv_.notify_all();
}

bool run_channel::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (live_epoch_.load() % 2 == 0)
      return false;
  }
  close(run_status::closed);
  return true;
}

std::optional<delivery> run_channel::pop(std::uint64_t epoch) {
  std::unique_lock<std::mutex> guard{mtx_};
  if (live(epoch) && ready_.empty()) {
    // Clock reads only when the client has to wait.
    auto since = std::chrono::steady_clock::now();
    cv_.wait(guard, [&] { return !live(epoch) || !ready_.empty(); });
    stats_.take_wait_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  }
  if (!live(epoch))
    return std::nullopt;
  return take_front(guard);
}

std::optional<delivery> run_channel::try_pop(std::uint64_t epoch) {
  std::unique_lock<std::mutex> guard{mtx_};
  if (!live(epoch) || ready_.empty())
    return std::nullopt;
  return take_front(guard);
}

delivery run_channel::take_front(std::unique_lock<std::mutex>& guard) {
  auto d = std::move(ready_.front());
  ready_.pop_front();
  if (d.what == delivery::kind::end || (in_order_ && d.what != delivery::kind::batch))
    return d;
  if (d.what == delivery::kind::batch) {
    ++stats_.delivered;
    ++run_delivered_;
    --ready_batches_;
  }
  auto freed = in_order_ ? 1 : settle(d.seq);
  outstanding_ -= std::min(freed, outstanding_);
  if (freed > 0 && feeder_may_go()) {
    auto epoch = live_epoch_.load();
    guard.unlock();
    wake(epoch);
  }
  return d;
}

std::size_t run_channel::settle(std::uint64_t seq) {
  if (seq < watermark_)
    return 0;
  auto i = static_cast<std::size_t>(seq - watermark_);
  if (i >= taken_above_.size())
    taken_above_.resize(i + 1, false);
  taken_above_[i] = true;
  std::size_t freed = 0;
  while (!taken_above_.empty() && taken_above_.front()) {
    taken_above_.pop_front();
    ++watermark_;
    ++freed;
  }
  return freed;
}

bool run_channel::feeder_may_go() {
  if (!feeder_waiting_)
    return false;
  auto w = window();
  if (outstanding_ >= w || w - outstanding_ < std::min(feeder_needs_, w))
    return false;
  feeder_waiting_ = false;
  return true;
}

void run_channel::wake(std::uint64_t epoch) {
  std::function<void(std::uint64_t)> f;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    f = waker_;
  }
  if (f)
    f(epoch);
}

void run_channel::mark_done() {
  std::lock_guard<std::mutex> guard{mtx_};
  status_ = {run_status::done, {}};
}

void run_channel::pause() {
  paused_.store(true, std::memory_order_release);
}

void run_channel::resume() {
  if (!paused_.exchange(false, std::memory_order_acq_rel))
    return;
  auto epoch = live_epoch();
  if (epoch % 2 == 1)
    wake(epoch);  // after the store: a feeder that saw the pause runs again
}

status_report run_channel::status() const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto r = status_;
  r.paused = paused();
  return r;
}

namespace {

using time_point = std::chrono::steady_clock::time_point;

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

void recent_rate::sample(time_point now, double count, double most) {
  auto dt = now - at_;
  if (dt < stats_rate_sample)
    return;
  auto secs = seconds(dt);
  auto keep = std::exp(-secs / seconds(stats_rate_tau));
  sum_ = keep * sum_ + (1 - keep) * std::clamp((count - last_) / secs, 0.0, most);
  weight_ = keep * weight_ + (1 - keep);
  at_ = now;
  last_ = count;
}

run_stats run_channel::stats() const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto now = std::chrono::steady_clock::now();
  auto delivered = static_cast<double>(stats_.delivered);
  if (!rate_.started())
    rate_.start(now, delivered);
  else
    rate_.sample(now, delivered, HUGE_VAL);
  auto r = stats_;
  r.rate = rate_.value();
  r.bytes_delivered = delivered_bytes_.load(std::memory_order_relaxed);
  r.issued = run_issued_;
  r.run_delivered = run_delivered_;
  r.ahead = ready_batches_;
  r.in_flight = outstanding_ > ready_batches_ ? outstanding_ - ready_batches_ : 0;
  auto view = [&](const out_report& o) {
    return in_flight_batch{o.index, o.state, o.worker, o.attempt,
                           std::max(0.0, std::chrono::duration<double>(now - o.since).count())};
  };
  if (oldest_)
    r.oldest = view(*oldest_);
  for (auto& o : stuck_)
    r.stuck.push_back(view(o));
  r.workers.reserve(workers_.size());
  for (auto& w : workers_) {
    auto& rep = w.report;
    auto busy = static_cast<double>(rep.busy_ns) * 1e-9;
    if (rep.running_from)
      busy += std::max(0.0, seconds(now - *rep.running_from));
    if (!w.busy.started())
      w.busy.start(now, busy);
    else
      w.busy.sample(now, busy, 1.0);
    auto life = seconds(now - rep.joined);
    auto fraction = w.busy.sampled() ? w.busy.value()  // until then: its whole life so far
                                     : (life > 0 ? std::clamp(busy / life, 0.0, 1.0) : 0.0);
    r.workers.push_back({rep.worker, rep.node, fraction, busy, rep.jobs});
  }
  return r;
}

void run_channel::report_workers(std::vector<worker_report> workers) {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<worker_entry> next;
  next.reserve(workers.size());
  auto old = workers_.begin();
  for (auto& w : workers) {  // both by worker number: keep the samples of those that stay
    while (old != workers_.end() && old->report.worker < w.worker)
      ++old;
    worker_entry e{std::move(w), {}};
    if (old != workers_.end() && old->report.worker == e.report.worker)
      e.busy = old->busy;
    next.push_back(std::move(e));
  }
  workers_ = std::move(next);
}

void run_channel::set_waker(std::function<void(std::uint64_t)> wake) {
  std::lock_guard<std::mutex> guard{mtx_};
  waker_ = std::move(wake);
}

std::size_t run_channel::acquire(std::uint64_t epoch, std::size_t want, std::size_t at_least) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!live(epoch) || want == 0)
    return 0;
  auto w = window();
  auto free = outstanding_ < w ? w - outstanding_ : 0;
  if (free == 0 || free < std::min(std::max<std::size_t>(at_least, 1), w)) {
    feeder_waiting_ = true;
    feeder_needs_ = std::max<std::size_t>(at_least, 1);
    return 0;
  }
  auto n = std::min(free, want);
  outstanding_ += n;
  run_issued_ += n;
  return n;
}

void run_channel::give_back(std::uint64_t epoch, std::size_t n) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!live(epoch))
    return;
  n = std::min(n, outstanding_);
  outstanding_ -= n;
  run_issued_ -= n;
}

void run_channel::push(std::uint64_t epoch, std::vector<delivery>& ds) {
  if (ds.empty())
    return;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!live(epoch))
      return;
    for (auto& d : ds) {
      ready_batches_ += d.what == delivery::kind::batch ? 1 : 0;
      ready_.push_back(std::move(d));
    }
  }
  cv_.notify_one();
}

void run_channel::set_pool(std::size_t workers) {
  std::uint64_t epoch;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    pool_ = workers;
    if (!feeder_may_go())
      return;
    epoch = live_epoch_.load();
  }
  wake(epoch);
}

void run_channel::report_out(std::uint64_t epoch, std::optional<out_report> oldest,
                             std::vector<out_report> stuck, std::uint64_t newly_stuck) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!live(epoch))
    return;
  oldest_ = std::move(oldest);
  stuck_ = std::move(stuck);
  stats_.stuck_reported += newly_stuck;
}

void run_channel::count_hedge(bool won) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++(won ? stats_.hedges_won : stats_.hedges);
}

void run_channel::count_retry() {
  std::lock_guard<std::mutex> guard{mtx_};
  ++stats_.retries;
}

void run_channel::count_worker_lost() {
  std::lock_guard<std::mutex> guard{mtx_};
  ++stats_.workers_lost;
}

std::size_t run_channel::window() const {
  auto count = buffer_.value_or(default_buffer(pool_)) + pool_;
  auto largest = largest_output_.load(std::memory_order_relaxed);
  if (!buffer_bytes_ || largest == 0)
    return count;
  auto fits = *buffer_bytes_ / (largest + bookkeeping_bytes);
  auto most = buffer_ ? count : max_window;
  return std::clamp(fits, std::min(pool_ + 1, most), most);
}

std::size_t run_channel::pool_size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return pool_;
}

std::size_t run_channel::buffer() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return buffer_.value_or(default_buffer(pool_));
}

std::size_t run_channel::window_now() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return window();
}

std::size_t run_channel::ready() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return ready_.size();
}

}  // namespace lockstep::detail
