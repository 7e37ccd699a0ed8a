#include "lockstep/detail/feeder.hpp"

#include <caf/actor_cast.hpp>

#include <exception>
#include <string>

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

// Iterates while the run_channel grants credit, up to issue_limit batches;
// then goes on in a message of its own, after what else has arrived.
void issue(self_ptr self) {
  auto& st = self->state;
  for (std::size_t issued = 0; !st.source_ended; ++issued) {
    if (issued == st.cfg.issue_limit) {
      self->send(self, msg::credit_returned{st.epoch});
      return;
    }
    if (!st.cfg.channel->acquire(st.epoch))
      return;
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
    st.jobs.enqueue({st.next_seq++, 1, std::move(step->batch), std::move(step->state_after),
                     std::nullopt, nullptr});
  }
}

// Issues what credit allows, hands waiting jobs to free workers, and lets an
// idle worker take a copy of a job queued behind a busy one.
void pump(self_ptr self) {
  auto& st = self->state;
  if (st.epoch == 0)
    return;
  issue(self);
  while (auto assigned = st.jobs.assign()) {
    auto& [w, job] = *assigned;
    self->send(st.workers.at(w), msg::job{st.epoch, job.seq, job.attempt, std::move(job.batch),
                                          std::move(job.state_after), std::move(job.claim)});
  }
  for (auto& [id, worker] : st.workers)
    if (auto job = st.jobs.steal(id))
      self->send(worker, msg::job{st.epoch, job->seq, job->attempt, job->batch, job->state_after,
                                  job->claim});
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

msg::feeder_actor::behavior_type feeder(self_ptr self, feeder_config cfg) {
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
      if (x.epoch != st.epoch)
        return;
      st.epoch = 0;
      st.next_state.reset();
      st.backing_off.clear();
      st.jobs.new_run(0);
    },
    [=](const msg::credit_returned&) { pump(self); },
    [=](const msg::worker_ready& x) {
      auto id = sender_id(self);
      if (!id)
        return;
      auto job = self->state.jobs.finish(*id, x.epoch, x.seq);
      if (job && x.failed)
        attempt_failed(self, std::move(*job), x.error, *id, x.permanent);
      pump(self);
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
          attempt_failed(self, std::move(job), "worker died: " + x.reason, std::nullopt, false);
        else
          st.jobs.enqueue(std::move(job));
      }
      pump(self);
    },
  };
}

}  // namespace lockstep::detail
