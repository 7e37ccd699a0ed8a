#include "lockstep/detail/request_former.hpp"

#include <algorithm>
#include <deque>
#include <utility>

#include <caf/actor.hpp>
#include <caf/spawn_options.hpp>

namespace lockstep::detail {

std::size_t due_batch_size(std::size_t queued, bool oldest_due, std::size_t max_batch_size,
                           const std::vector<std::size_t>& preferred_sizes) {
  if (queued >= max_batch_size)
    return max_batch_size;
  for (auto it = preferred_sizes.rbegin(); it != preferred_sizes.rend(); ++it)
    if (queued >= *it)
      return *it;
  return oldest_due ? queued : 0;
}

namespace {

using time_point = request_slot::clock::time_point;
constexpr auto never = time_point::max();

class former {
 public:
  former(caf::event_based_actor* self, former_config cfg) : self_(self), cfg_(std::move(cfg)) {
    for (std::size_t i = 0; i < cfg_.instances.size(); ++i) {
      auto run = std::move(cfg_.instances[i]);
      instances_.push_back(cfg_.detach_instances
                             ? self_->spawn<caf::detached + caf::linked>(model_instance, i, run)
                             : self_->spawn<caf::linked>(model_instance, i, run));
      idle_.push_back(instances_.size() - 1);
    }
    cfg_.instances.clear();
  }

  void arrive(slot_ptr s) {
    if (stopped_) {
      s->fail(errc::stopped, "request batcher stopped");
      cfg_.gate->release(1);
      return;
    }
    auto now = self_->clock().now();
    s->enqueued = now;
    if (s->timeout.count() > 0) {
      s->expires = now + s->timeout;
      next_expiry_ = std::min(next_expiry_, s->expires);
    }
    queues_[s->high_priority ? 0 : 1].push_back(std::move(s));
    dispatch(now);
    arm(now);
  }

  void instance_idle(std::size_t index) {
    idle_.push_back(index);
    auto now = self_->clock().now();
    expire(now);
    dispatch(now);
    arm(now);
  }

  void tick(time_point at) {
    if (at == armed_)
      armed_ = never;
    auto now = self_->clock().now();
    expire(now);
    dispatch(now);
    arm(now);
  }

  void stop() {
    stopped_ = true;
    std::size_t n = 0;
    for (auto& q : queues_) {
      for (auto& s : q)
        s->fail(errc::stopped, "request batcher stopped");
      n += q.size();
      q.clear();
    }
    cfg_.gate->release(n);
  }

 private:
  std::size_t queued() const { return queues_[0].size() + queues_[1].size(); }

  time_point oldest() const {
    auto t = never;
    for (auto& q : queues_)
      if (!q.empty())
        t = std::min(t, q.front()->enqueued);
    return t;
  }

  // Hands due batches to idle instances.
  void dispatch(time_point now) {
    while (!idle_.empty() && queued() > 0) {
      auto n = due_batch_size(queued(), now - oldest() >= cfg_.max_delay, cfg_.max_batch_size,
                              cfg_.preferred_sizes);
      if (n == 0)
        return;
      msg::request_batch b;
      std::vector<std::chrono::nanoseconds> waits;
      std::size_t taken = 0;
      while (b.slots.size() < n && queued() > 0) {
        auto& q = queues_[queues_[0].empty() ? 1 : 0];
        auto s = std::move(q.front());
        q.pop_front();
        ++taken;
        if (s->expires <= now) {
          s->fail(errc::timed_out, "request timed out before it ran");
          continue;
        }
        waits.push_back(now - s->enqueued);
        b.slots.push_back(std::move(s));
      }
      cfg_.gate->release(taken);
      if (b.slots.empty())
        continue;
      cfg_.meter->batch(waits);
      // The longest idle first: a just-reported instance may still be
      // answering its last batch's callers.
      auto instance = idle_.front();
      idle_.pop_front();
      self_->send(instances_[instance], std::move(b));
    }
  }

  // Answers the requests past their timeout, wherever they are queued.
  void expire(time_point now) {
    if (now < next_expiry_)
      return;
    next_expiry_ = never;
    std::size_t n = 0;
    for (auto& q : queues_) {
      auto keep = std::stable_partition(q.begin(), q.end(),
                                        [&](const slot_ptr& s) { return s->expires > now; });
      for (auto it = keep; it != q.end(); ++it)
        (*it)->fail(errc::timed_out, "request timed out before it ran");
      n += static_cast<std::size_t>(q.end() - keep);
      q.erase(keep, q.end());
      for (auto& s : q)
        next_expiry_ = std::min(next_expiry_, s->expires);
    }
    cfg_.gate->release(n);
  }

  // One timer for the earliest of: the oldest request's deadline (when an
  // instance could take its batch) and the earliest timeout.
  void arm(time_point now) {
    auto at = next_expiry_;
    if (!idle_.empty() && queued() > 0)
      at = std::min(at, oldest() + cfg_.max_delay);
    if (at == never || at >= armed_)
      return;
    armed_ = at;
    self_->delayed_send(self_, std::max(at - now, caf::timespan::zero()), msg::former_tick{at});
  }

  caf::event_based_actor* self_;
  former_config cfg_;
  std::deque<slot_ptr> queues_[2];  // [0] high priority, [1] normal
  std::vector<caf::actor> instances_;
  std::deque<std::size_t> idle_;
  time_point armed_ = never;        // the earliest tick on its way
  time_point next_expiry_ = never;  // no queued request expires before it
  bool stopped_ = false;
};

}  // namespace

caf::behavior request_former(caf::event_based_actor* self, former_config cfg) {
  auto f = std::make_shared<former>(self, std::move(cfg));
  return {
    [=](msg::request_in& r) { f->arrive(std::move(r.slot)); },
    [=](const msg::instance_idle& i) { f->instance_idle(i.instance); },
    [=](const msg::former_tick& t) { f->tick(t.at); },
    [=](const msg::former_stop& s) {
      f->stop();
      if (s.done)
        s.done();
    },
  };
}

}  // namespace lockstep::detail
