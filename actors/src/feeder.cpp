#include "lockstep/detail/feeder.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>

#include <algorithm>
#include <exception>
#include <string>

#include <fmt/format.h>

#include "lockstep/detail/retry_schedule.hpp"

namespace lockstep::detail {

namespace {

using self_ptr = msg::feeder_actor::stateful_pointer<feeder_state>;

// A failed attempt: retry after a backoff (on another worker), or give up
// and tell the collector.
void attempt_failed(self_ptr self, pending_job job, std::string error,
                    std::optional<worker_id> failed_on, bool permanent) {
  auto& st = self->state;
  if (permanent || job.attempt > st.cfg.retry.max_retries) {
    self->send(st.cfg.collector,
               msg::batch_failed{st.epoch, job.seq, job.attempt, std::move(error)});
    return;
  }
  st.cfg.channel->count_retry();
  auto delay = retry_delay(st.cfg.retry, job.attempt,
                           std::uniform_real_distribution<double>{0.0, 1.0}(st.jitter));
  ++job.attempt;
  job.avoid = failed_on;
  auto seq = job.seq;
  st.backing_off.insert_or_assign(seq, std::move(job));
  self->delayed_send(self, delay, msg::retry_due{st.epoch, seq});
}

// Batches per job: chunk_work's worth at the measured speed, at most a
// quarter of the window per worker, so that every worker can hold two jobs
// while the client still finds batches ready.
std::size_t chunk_length(const feeder_state& st) {
  if (st.ns_per_batch <= 0)
    return 1;
  auto fits = static_cast<double>(st.cfg.chunk_work.count()) / st.ns_per_batch;
  auto pool = std::max<std::size_t>(1, st.cfg.channel->pool_size());
  auto most = std::max<std::size_t>(1, st.cfg.channel->window_now() / (4 * pool));
  return std::clamp<std::size_t>(static_cast<std::size_t>(fits), 1, most);
}

// Iterates while the run_channel grants credit and fewer batches wait than
// two jobs for every worker, up to issue_limit batches a handler (then it
// goes on in a message of its own, after what else has arrived). Batches
// already waiting need no credit, so a feeder with enough of them is not
// woken by every batch the client takes; it iterates again when a worker
// reports. Credit is asked for a chunk at a time, so a waiting feeder is
// woken once a chunk's worth is free.
void issue(self_ptr self) {
  auto& st = self->state;
  auto enough = 2 * std::max<std::size_t>(1, st.jobs.workers()) * st.jobs.chunk();
  std::size_t issued = 0;
  while (!st.source_ended && st.jobs.waiting() < enough) {
    if (issued >= st.cfg.issue_limit) {
      self->send(self, msg::credit_returned{st.epoch});
      return;
    }
    auto want = std::min(st.cfg.issue_limit - issued, enough - st.jobs.waiting());
    auto granted = st.cfg.channel->acquire(st.epoch, want, std::min(want, st.jobs.chunk()));
    if (granted == 0)
      return;
    for (; granted > 0; --granted, ++issued) {
      std::optional<erased_step> step;
      try {
        step = st.cfg.source->iterate(st.next_state);
      } catch (const std::exception& e) {
        st.source_ended = true;
        self->send(st.cfg.collector, msg::batch_failed{st.epoch, st.next_seq, 0,
                                                       std::string{"iterate failed: "} + e.what()});
      }
      if (!st.source_ended && !step) {
        st.source_ended = true;
        self->send(st.cfg.collector, msg::run_end{st.epoch, st.next_seq});
      }
      if (st.source_ended) {
        st.cfg.channel->give_back(st.epoch, granted);
        return;
      }
      st.next_state = step->state_after;
      st.jobs.enqueue({st.next_seq++, 1, std::move(step->batch), std::move(step->state_after),
                       std::nullopt});
    }
  }
}

// The assignment is the dispatcher's copy of the job (it keeps its own, to
// hand out again): its batches and states move into the message.
msg::job to_job(std::uint64_t epoch, assignment&& a) {
  msg::job j{epoch, a.attempt(), {}, std::move(a.claim)};
  j.items.reserve(a.items.size());
  for (auto& item : a.items)
    j.items.push_back({item.seq, std::move(item.batch), std::move(item.state_after)});
  return j;
}

void arm_out_check(self_ptr self);
void maybe_hedge(self_ptr self);
void report_workers(self_ptr self);

// Issues what credit allows, hands waiting batches to free workers, and lets
// an idle worker take a copy of a job queued behind a busy one.
void pump(self_ptr self) {
  auto& st = self->state;
  if (st.epoch == 0 || st.cfg.channel->paused())
    return;  // resume() wakes a paused feeder
  issue(self);
  while (auto a = st.jobs.assign(self->clock().now()))
    self->send(st.workers.at(a->worker), to_job(st.epoch, std::move(*a)));
  auto now = self->clock().now();
  for (auto& [id, worker] : st.workers)
    if (auto a = st.jobs.steal(id, now))
      self->send(worker, to_job(st.epoch, std::move(*a)));
  maybe_hedge(self);
  arm_out_check(self);
}

// Folds a job's materialize time into the estimate chunks are sized by.
void measured(feeder_state& st, const msg::worker_ready& x) {
  if (x.busy_ns == 0 || x.items == 0)
    return;
  auto per_batch = static_cast<double>(x.busy_ns) / x.items;
  st.ns_per_batch = st.ns_per_batch <= 0 ? per_batch : 0.75 * st.ns_per_batch + 0.25 * per_batch;
  st.jobs.set_chunk(chunk_length(st));
  if (st.recent_job_ns.size() < recent_jobs)
    st.recent_job_ns.push_back(x.busy_ns);
  else
    st.recent_job_ns[st.recent_next++ % recent_jobs] = x.busy_ns;
}

std::chrono::nanoseconds stuck_after(const feeder_state& st) {
  if (st.cfg.stuck_after)
    return *st.cfg.stuck_after;
  if (st.recent_job_ns.empty())
    return stuck_floor;
  auto v = st.recent_job_ns;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return std::max<std::chrono::nanoseconds>(stuck_floor, 10 * std::chrono::nanoseconds{*mid});
}

// While jobs are out, one check a quarter of stuck_after (at least 100 ms):
// no timer at all when nothing is.
void arm_out_check(self_ptr self) {
  auto& st = self->state;
  if (st.out_check_armed || st.epoch == 0 || st.jobs.in_flight() == 0)
    return;
  st.out_check_armed = true;
  auto period = std::max<std::chrono::nanoseconds>(std::chrono::milliseconds{100},
                                                   stuck_after(st) / 4);
  self->delayed_send(self, period, msg::out_check{st.epoch});
}

std::chrono::nanoseconds hedge_after(const feeder_state& st) {
  if (st.cfg.hedge_after)
    return *st.cfg.hedge_after;
  if (st.recent_job_ns.size() < hedge_min_samples)
    return std::chrono::nanoseconds::max();
  auto v = st.recent_job_ns;
  auto at = v.begin() + static_cast<std::ptrdiff_t>(v.size() * 95 / 100);
  std::nth_element(v.begin(), at, v.end());
  return std::max<std::chrono::nanoseconds>(hedge_floor, std::chrono::nanoseconds{*at});
}

// A second attempt of the head job on an idle worker, once it has run
// hedge_after; until then a hedge_due is on its way (only while a worker is
// idle, so a busy pool pays no timers).
void maybe_hedge(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.hedge || st.hedges_out >= st.cfg.max_hedges || !st.jobs.idle_worker(1))
    return;  // the common case, a busy pool, costs one scan of the workers
  auto head = st.jobs.head();
  if (!head || (!st.backing_off.empty() && st.backing_off.begin()->first < head->seq))
    return;
  auto idle = st.jobs.idle_worker(head->items);
  auto after = hedge_after(st);
  if (!idle || after == std::chrono::nanoseconds::max())
    return;
  auto now = self->clock().now();
  if (now - head->since < after) {
    if (st.hedge_timer_seq != head->seq) {
      st.hedge_timer_seq = head->seq;
      self->delayed_send(self, head->since + after - now, msg::hedge_due{st.epoch, head->seq});
    }
    return;
  }
  auto a = st.jobs.hedge(head->seq, *idle, now);
  if (!a)
    return;
  st.hedges.insert_or_assign(head->seq, feeder_state::hedge_record{head->worker, *idle});
  ++st.hedges_out;
  st.cfg.channel->count_hedge(false);
  self->send(st.workers.at(*idle), to_job(st.epoch, std::move(*a)));
}

// Worker `id` reported job `seq`: which attempt of a hedged pair came first.
// True when this was the hedge (whose failures are not retried: the first
// attempt carries the retries).
bool hedge_reported(feeder_state& st, worker_id id, const msg::worker_ready& x) {
  if (x.epoch != st.epoch)
    return false;
  auto h = st.hedges.find(x.seq);
  if (h == st.hedges.end())
    return false;
  bool second = h->second.second == id;
  if (!h->second.decided && x.failures.empty()) {
    h->second.decided = true;
    if (second)
      st.cfg.channel->count_hedge(true);
  }
  (second ? h->second.second_done : h->second.first_done) = true;
  if (second)
    --st.hedges_out;
  if (h->second.first_done && h->second.second_done)
    st.hedges.erase(h);
  return second;
}

run_channel::out_report to_report(const feeder_state& st, const out_batch& b) {
  return {b.seq, st.cfg.source->describe_state(b.state_after), b.worker, b.attempt, b.since};
}

// Reports the oldest batch out and the stuck ones; logs each stuck batch once.
void check_out(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto after = stuck_after(st);
  auto stuck = st.jobs.older_than(now - after);
  std::vector<run_channel::out_report> reports;
  std::uint64_t newly = 0;
  for (auto& b : stuck) {
    reports.push_back(to_report(st, b));
    if (!b.first_report)
      continue;
    ++newly;
    if (st.cfg.log)
      st.cfg.log(event_level::warning,
                 fmt::format("batch {} (the state after it: {}) has been at worker {} for more "
                             "than {:.1f} s (attempt {}); the batches after it wait",
                             b.seq, reports.back().state, b.worker,
                             std::chrono::duration<double>(after).count(), b.attempt));
  }
  std::optional<run_channel::out_report> oldest;
  if (auto o = st.jobs.oldest())
    oldest = to_report(st, *o);
  st.cfg.channel->report_out(st.epoch, std::move(oldest), std::move(reports), newly);
  report_workers(self);
}

// What each worker did: reported materialize time, plus the job it works
// on now since it went out or the worker's last report, whichever is later.
void report_workers(self_ptr self) {
  auto& st = self->state;
  std::vector<run_channel::worker_report> ws;
  ws.reserve(st.use.size());
  for (auto& [id, u] : st.use) {
    std::optional<clock_time> running;
    if (auto since = st.jobs.busy_since(id))
      running = std::max(*since, u.last_done);
    ws.push_back({id, u.node, u.busy_ns, u.jobs, running, u.joined});
  }
  st.cfg.channel->report_workers(std::move(ws));
  st.workers_reported = self->clock().now();
}

// The id of a worker in the pool.
std::optional<worker_id> id_of(self_ptr self, const caf::actor_addr& worker) {
  auto& ids = self->state.ids;
  auto i = ids.find(worker);
  if (i == ids.end())
    return std::nullopt;
  return i->second;
}

// A retiring worker that holds nothing more leaves the pool and ends.
void dismiss_if_idle(self_ptr self, worker_id id) {
  auto& st = self->state;
  if (!st.jobs.retired_and_idle(id))
    return;
  st.jobs.remove_worker(id);
  auto w = st.workers.find(id);
  st.ids.erase(w->second.address());
  self->send_exit(w->second, caf::exit_reason::user_shutdown);
  st.workers.erase(w);
  st.use.erase(id);
  report_workers(self);
}

}  // namespace

msg::feeder_actor::behavior_type feeder(self_ptr self, feeder_config cfg) {
  self->state.cfg = std::move(cfg);
  // The collector tells this feeder which workers are free again.
  self->send(self->state.cfg.collector, msg::feeder_hello{caf::actor_cast<msg::feeder_actor>(self)});
  return {
    [=](const msg::begin_run& x) {
      auto& st = self->state;
      st.epoch = x.epoch;
      st.next_state = x.start_state;
      st.next_seq = 0;
      st.source_ended = false;
      st.backing_off.clear();
      st.hedges.clear();
      st.hedges_out = 0;
      st.jobs.new_run(x.epoch);
      pump(self);
    },
    [=](const msg::halt_run& x) {
      auto& st = self->state;
      if (x.epoch != st.epoch)
        return;
      st.epoch = 0;
      st.next_state.reset();
      st.backing_off.clear();
      st.hedges.clear();
      st.hedges_out = 0;
      st.jobs.new_run(0);
    },
    [=](const msg::credit_returned&) { pump(self); },
    [=](const msg::worker_ready& x) {
      auto& st = self->state;
      auto id = id_of(self, x.worker);
      if (!id)
        return;
      measured(st, x);
      auto& use = st.use[*id];
      use.busy_ns += x.busy_ns;
      ++use.jobs;
      auto done_at = use.last_done = self->clock().now();
      bool hedge = hedge_reported(st, *id, x);
      auto items = st.jobs.finish(*id, x.epoch, x.seq);
      if (items && !hedge)
        for (auto& f : x.failures) {
          auto i = std::find_if(items->begin(), items->end(),
                                [&](const pending_job& p) { return p.seq == f.seq; });
          if (i != items->end())
            attempt_failed(self, std::move(*i), f.error, *id, f.permanent);
        }
      dismiss_if_idle(self, *id);  // may erase `use`
      pump(self);
      // At most one report per stats sample, and one when the pool goes idle
      // (no out_check comes then).
      if (st.jobs.in_flight() == 0 || done_at - st.workers_reported >= stats_rate_sample)
        report_workers(self);
    },
    [=](const msg::retry_due& x) {
      auto& st = self->state;
      // A retry of an earlier run must not release this run's job of the
      // same seq before its own backoff ends.
      if (x.epoch != st.epoch)
        return;
      auto i = st.backing_off.find(x.seq);
      if (i == st.backing_off.end())
        return;
      st.jobs.enqueue(std::move(i->second));
      st.backing_off.erase(i);
      pump(self);
    },
    [=](const msg::worker_joined& x) {
      auto& st = self->state;
      auto id = st.next_worker_id++;
      st.ids.emplace(x.worker.address(), id);
      st.workers.emplace(id, x.worker);
      st.jobs.add_worker(id, x.slots, x.max_items);
      auto now = self->clock().now();
      st.use.insert_or_assign(id, feeder_state::worker_use{x.node, now, now});
      pump(self);
      report_workers(self);
    },
    [=](const msg::hedge_due& x) {
      auto& st = self->state;
      if (st.hedge_timer_seq == x.seq)
        st.hedge_timer_seq.reset();
      if (x.epoch == st.epoch)
        pump(self);
    },
    [=](const msg::out_check& x) {
      auto& st = self->state;
      st.out_check_armed = false;
      if (x.epoch != st.epoch)
        return arm_out_check(self);
      check_out(self);
      arm_out_check(self);
    },
    [=](const msg::retire_worker& x) {
      if (auto id = id_of(self, x.worker)) {
        self->state.jobs.retire(*id);
        dismiss_if_idle(self, *id);
      }
    },
    [=](const msg::worker_lost& x) {
      auto& st = self->state;
      auto id = st.ids.find(x.worker);
      if (id == st.ids.end())
        return;
      auto orphans = st.jobs.remove_worker(id->second);
      for (auto h = st.hedges.begin(); h != st.hedges.end();) {
        auto& r = h->second;
        if (r.second == id->second && !r.second_done) {
          r.second_done = true;  // a lost hedge: the first attempt still runs
          --st.hedges_out;
        }
        if (r.first == id->second)
          r.first_done = true;  // its batches are handed out again below
        h = r.first_done && r.second_done ? st.hedges.erase(h) : std::next(h);
      }
      st.workers.erase(id->second);
      st.use.erase(id->second);
      st.ids.erase(id);
      for (auto& job : orphans) {
        if (x.counts_as_attempt)
          attempt_failed(self, std::move(job), "worker died: " + x.reason, std::nullopt, false);
        else
          st.jobs.enqueue(std::move(job));
      }
      pump(self);
      report_workers(self);
    },
  };
}

}  // namespace lockstep::detail
