// The typed messages between lockstep's actors, in the order one batch meets
// them: begin_run → job → result / worker_ready → client, plus the messages
// that change a run (halt, failures, pool changes).
//
// Every run carries an `epoch`; a receiver drops anything whose epoch is not
// its current one, so a restart can never leak a stale result. `seq` counts
// batches from 0 within a run.
//
// Messages holding a `box` (a type-erased, in-process value) never leave the
// process; they are marked as such below. The others are serializable and are
// registered by register_messages() under the same name on every node.
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include "lockstep/messages/box.hpp"
#include "lockstep/messages/errc.hpp"

namespace caf {
class actor_system_config;
}

namespace lockstep::msg {

using lockstep::box;

/// manager → feeder and collector: start run `epoch` at `start_state`.
struct begin_run {
  std::uint64_t epoch = 0;
  box start_state;
};

/// manager → feeder and collector: abandon run `epoch` (stop or restart).
struct halt_run {
  std::uint64_t epoch = 0;
};

/// feeder → worker: materialize `batch`. `state_after` rides along so the
/// collector can hand the client its next state.
struct job {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  box batch;
  box state_after;
};

/// worker → collector: a materialized batch.
struct result {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  box output;
  box state_after;
};

/// worker → feeder: the worker is free again. `failed` says the attempt threw
/// `error`; the feeder then retries or gives up.
struct worker_ready {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  bool failed = false;
  std::string error;
};

/// feeder → collector: batch `seq` failed every attempt; the run ends there.
struct batch_failed {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempts = 0;
  std::string error;
};

/// manager → collector: the run cannot go on (e.g. no worker is left); fail
/// the next take after everything already delivered in order.
struct run_failed {
  std::uint64_t epoch = 0;
  errc code = errc::no_workers;
  std::string error;
};

/// feeder → collector: the source ended after `seq` batches.
struct run_end {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
};

/// client → feeder: the client took batches while the feeder waited for credit.
struct credit_returned {
  std::uint64_t epoch = 0;
};

/// feeder → itself: the backoff before retrying `seq` has elapsed.
struct retry_due {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
};

/// feeder → itself: materialize the next waiting job (zero-worker mode, one
/// job per message so that stop and restart are handled in between).
struct materialize_next {
  std::uint64_t epoch = 0;
};

/// manager → feeder: a worker joined the pool.
struct worker_joined {
  caf::actor worker;
};

/// manager → feeder: a worker left the pool. Its in-flight jobs go elsewhere;
/// `counts_as_attempt` is set when the job itself may have killed it.
struct worker_lost {
  caf::actor_addr worker;
  bool counts_as_attempt = false;
  std::string reason;
};

/// client → manager: start run `epoch` at `start_state`.
struct start_cmd {
  std::uint64_t epoch = 0;
  box start_state;
};

/// client → manager: stop the current run.
struct stop_cmd {
  std::uint64_t epoch = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, halt_run& x) {
  return f(caf::meta::type_name("lockstep.halt_run"), x.epoch);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_ready& x) {
  return f(caf::meta::type_name("lockstep.worker_ready"), x.epoch, x.seq,
           x.attempt, x.failed, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_failed& x) {
  return f(caf::meta::type_name("lockstep.batch_failed"), x.epoch, x.seq,
           x.attempts, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_failed& x) {
  return f(caf::meta::type_name("lockstep.run_failed"), x.epoch, x.code,
           x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_end& x) {
  return f(caf::meta::type_name("lockstep.run_end"), x.epoch, x.seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credit_returned& x) {
  return f(caf::meta::type_name("lockstep.credit_returned"), x.epoch);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, retry_due& x) {
  return f(caf::meta::type_name("lockstep.retry_due"), x.epoch, x.seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, materialize_next& x) {
  return f(caf::meta::type_name("lockstep.materialize_next"), x.epoch);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_joined& x) {
  return f(caf::meta::type_name("lockstep.worker_joined"), x.worker);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_lost& x) {
  return f(caf::meta::type_name("lockstep.worker_lost"), x.worker,
           x.counts_as_attempt, x.reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stop_cmd& x) {
  return f(caf::meta::type_name("lockstep.stop_cmd"), x.epoch);
}

/// Registers every serializable message type under its lockstep name. Call it
/// on each actor_system_config, on managers and nodes alike.
void register_messages(caf::actor_system_config& cfg);

}  // namespace lockstep::msg

// In-process only: these carry boxes, which have no wire form.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::msg::begin_run)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::msg::job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::msg::result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::msg::start_cmd)
