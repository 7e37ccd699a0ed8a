#include "lockstep/actors/feeder.hpp"

#include <caf/actor_cast.hpp>

#include <exception>
#include <string>

#include "lockstep/messages/messages.hpp"

namespace lockstep {

namespace {

using self_ptr = caf::stateful_actor<feeder_state>*;

// The id the dispatcher uses for the feeder itself in zero-worker mode.
constexpr worker_id inline_worker = 0;

bool live(self_ptr self, std::uint64_t epoch) {
  return epoch != 0 && epoch == self->state.epoch;
}

// A failed attempt: retry after a backoff, or give up and tell the collector.
void attempt_failed(self_ptr self, pending_job job, std::string error,
                    std::optional<worker_id> failed_on) {
  auto& st = self->state;
  if (job.attempt > st.cfg.retry.max_retries) {
    self->send(st.cfg.collector,
               msg::batch_failed{st.epoch, job.seq, job.attempt, std::move(error)});
    return;
  }
  st.cfg.queue->count_retry();
  auto delay = retry_delay(st.cfg.retry, job.attempt,
                           std::uniform_real_distribution<double>{0.0, 1.0}(st.jitter));
  ++job.attempt;
  job.avoid = failed_on;
  auto seq = job.seq;
  st.backing_off.insert_or_assign(seq, std::move(job));
  self->delayed_send(self, delay, msg::retry_due{st.epoch, seq});
}

// Iterates while the client queue grants credit.
void issue(self_ptr self) {
  auto& st = self->state;
  while (!st.source_ended && st.cfg.queue->try_acquire(st.epoch)) {
    std::optional<erased_step> step;
    try {
      step = st.cfg.source->iterate(st.next_state);
    } catch (const std::exception& e) {
      st.source_ended = true;
      self->send(st.cfg.collector, msg::batch_failed{st.epoch, st.next_seq, 0,
                                                     std::string{"iterate failed: "} + e.what()});
      return;
    }
    if (!step) {
      st.source_ended = true;
      self->send(st.cfg.collector, msg::run_end{st.epoch, st.next_seq});
      return;
    }
    st.next_state = step->state_after;
    st.jobs.enqueue({st.next_seq++, 1, std::move(step->batch),
                     std::move(step->state_after), std::nullopt, nullptr});
  }
}

// Materializes one waiting job in the feeder itself (zero-worker mode).
void materialize_one(self_ptr self) {
  auto& st = self->state;
  auto assigned = st.jobs.assign();
  if (!assigned)
    return;
  auto& job = assigned->second;
  box output;
  std::string error;
  bool ok = true;
  try {
    output = st.cfg.source->materialize(job.batch);
  } catch (const std::exception& e) {
    ok = false;
    error = e.what();
  } catch (...) {
    // A worker actor would die of this; the feeder must not.
    ok = false;
    error = "materialize threw something that is not a std::exception";
  }
  st.jobs.finish(inline_worker, st.epoch, job.seq);
  if (ok)
    self->send(st.cfg.collector, msg::result{st.epoch, job.seq, std::move(output),
                                             std::move(job.state_after)});
  else
    attempt_failed(self, std::move(job), std::move(error), inline_worker);
}

// Nothing waits, yet a local worker is idle while another holds a job it has
// not started: the idle one takes a copy (see dispatcher::steal).
void steal_for_idle_workers(self_ptr self) {
  auto& st = self->state;
  auto local = [&st](worker_id w) { return !st.workers.at(w).remote; };
  for (auto& [id, worker] : st.workers) {
    if (worker.remote)
      continue;
    if (auto job = st.jobs.steal(id, local))
      self->send(worker.actor, msg::job{st.epoch, job->seq, job->attempt, job->batch,
                                        job->state_after, job->claim});
  }
}

// Issues what credit allows and hands waiting jobs to free workers.
void pump(self_ptr self) {
  auto& st = self->state;
  if (st.epoch == 0)
    return;
  issue(self);
  if (st.cfg.materialize_inline) {
    // One batch per message, so halts and restarts are seen in between.
    if (st.jobs.waiting() > 0 && !st.inline_pending) {
      st.inline_pending = true;
      self->send(self, msg::materialize_next{st.epoch});
    }
    return;
  }
  while (auto assigned = st.jobs.assign()) {
    auto& [w, job] = *assigned;
    auto& worker = st.workers[w];
    if (!worker.remote) {
      self->send(worker.actor, msg::job{st.epoch, job.seq, job.attempt, std::move(job.batch),
                                        std::move(job.state_after), std::move(job.claim)});
      continue;
    }
    std::vector<char> bytes;
    try {
      bytes = st.cfg.source->encode_batch(job.batch);
    } catch (const std::exception& e) {
      st.jobs.finish(w, st.epoch, job.seq);
      attempt_failed(self, std::move(job), e.what(), std::nullopt);
      continue;
    }
    self->send(worker.actor, msg::wire_job{st.epoch, job.seq, job.attempt, std::move(bytes)});
  }
  steal_for_idle_workers(self);
}

// The id of the worker that sent the current message, if it is in the pool.
std::optional<worker_id> sender_id(self_ptr self) {
  auto& ids = self->state.ids;
  auto i = ids.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
  if (i == ids.end())
    return std::nullopt;
  return i->second;
}

}  // namespace

caf::behavior feeder(self_ptr self, feeder_config cfg) {
  if (cfg.materialize_inline)
    self->state.jobs.add_worker(inline_worker);
  self->state.cfg = std::move(cfg);
  return {
    [=](const msg::begin_run& x) {
      auto& st = self->state;
      st.epoch = x.epoch;
      st.next_state = x.start_state;
      st.next_seq = 0;
      st.source_ended = false;
      st.backing_off.clear();
      st.jobs.new_run(x.epoch);
      pump(self);
    },
    [=](const msg::halt_run& x) {
      auto& st = self->state;
      if (!live(self, x.epoch))
        return;
      st.epoch = 0;
      st.next_state.reset();
      st.backing_off.clear();
      st.jobs.new_run(0);
    },
    [=](const msg::credit_returned& x) {
      if (live(self, x.epoch))
        pump(self);
    },
    [=](const msg::materialize_next& x) {
      self->state.inline_pending = false;
      if (!live(self, x.epoch))
        return;
      materialize_one(self);
      pump(self);
    },
    [=](const msg::worker_ready& x) {
      auto id = sender_id(self);
      if (!id)
        return;
      auto job = self->state.jobs.finish(*id, x.epoch, x.seq);
      if (job && x.failed)
        attempt_failed(self, std::move(*job), x.error, *id);
      pump(self);
    },
    [=](msg::wire_result& x) {
      auto& st = self->state;
      auto id = sender_id(self);
      if (!id)
        return;
      if (auto job = st.jobs.finish(*id, x.epoch, x.seq)) {
        if (x.failed)
          attempt_failed(self, std::move(*job), x.error, *id);
        else
          self->send(st.cfg.collector, msg::result{st.epoch, x.seq, std::move(x.output.value),
                                                   std::move(job->state_after)});
      }
      pump(self);
    },
    [=](const msg::retry_due& x) {
      auto& st = self->state;
      if (!live(self, x.epoch))
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
      st.workers.emplace(id, feeder_state::worker_handle{x.worker, x.remote});
      st.jobs.add_worker(id, x.slots);
      pump(self);
    },
    [=](const msg::worker_lost& x) {
      auto& st = self->state;
      auto id = st.ids.find(x.worker);
      if (id == st.ids.end())
        return;
      auto orphans = st.jobs.remove_worker(id->second);
      st.workers.erase(id->second);
      st.ids.erase(id);
      for (auto& job : orphans) {
        if (x.counts_as_attempt)
          attempt_failed(self, std::move(job), "worker died: " + x.reason, std::nullopt);
        else
          st.jobs.enqueue(std::move(job));
      }
      pump(self);
    },
  };
}

}  // namespace lockstep
