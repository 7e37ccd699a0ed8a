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

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include "lockstep/messages/box.hpp"
#include "lockstep/messages/errc.hpp"
#include "lockstep/messages/output_codec.hpp"

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
/// collector can hand the client its next state. A worker runs the job only
/// if it is the first to set `claim` (another worker may hold a stolen copy).
struct job {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  box batch;
  box state_after;
  std::shared_ptr<std::atomic<bool>> claim;
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

/// manager → feeder: a worker joined the pool. A remote worker takes
/// wire_jobs and may hold `slots` of them, to hide the network's latency.
struct worker_joined {
  caf::actor worker;
  bool remote = false;
  std::uint32_t slots = 1;
};

/// manager → feeder: a worker left the pool. Its in-flight jobs go elsewhere;
/// `counts_as_attempt` is set when the job itself may have killed it.
struct worker_lost {
  caf::actor_addr worker;
  bool counts_as_attempt = false;
  std::string reason;
};

/// The version of the manager–node protocol below. A node and a manager of
/// different versions refuse each other. node_hello and node_welcome keep
/// their first field (the version) in every version, so any two can tell.
constexpr std::uint32_t protocol_version = 1;

/// manager → node: asks for workers for a run of source `source`, built on
/// the node from `params` (JSON text). The node's workers report to `feeder`.
struct node_hello {
  std::uint32_t protocol = protocol_version;
  std::string token;
  std::string source;
  std::string params;
  caf::actor feeder;
};

/// node → manager: the node's workers, or why it refuses (`error` non-empty).
struct node_welcome {
  std::uint32_t protocol = protocol_version;
  errc code = errc::batch_failed;
  std::string error;
  std::vector<caf::actor> workers;
};

/// feeder → remote worker: a job whose batch travels as bytes.
struct wire_job {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  std::vector<char> batch;
};

/// An output crossing the network: CAF writes it straight from the typed
/// value and reads it straight into one, through the output_codec registered
/// for `source` on each side, with no byte buffer in between.
struct wire_output {
  std::string source;
  box value;
};

/// remote worker → feeder: the job's output, or why it failed. It also tells
/// the feeder the worker is free again.
struct wire_result {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  bool failed = false;
  std::string error;
  wire_output output;
};

/// manager → itself: try node `index` again.
struct reconnect {
  std::size_t index = 0;
};

/// manager → itself: if the pool is still empty (since `generation`), the
/// run fails.
struct no_worker_check {
  std::uint64_t generation = 0;
};

/// client → manager, a request: answered once every listed node has been
/// tried once, with the refusals that will not change on a retry.
struct await_nodes {};

struct node_report {
  errc code = errc::node_unreachable;
  std::vector<std::string> refusals;  ///< empty: nothing was refused
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
  return f(caf::meta::type_name("lockstep.worker_joined"), x.worker, x.remote, x.slots);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_lost& x) {
  return f(caf::meta::type_name("lockstep.worker_lost"), x.worker,
           x.counts_as_attempt, x.reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_hello& x) {
  return f(caf::meta::type_name("lockstep.node_hello"), x.protocol, x.token, x.source, x.params,
           x.feeder);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_welcome& x) {
  return f(caf::meta::type_name("lockstep.node_welcome"), x.protocol, x.code, x.error, x.workers);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_job& x) {
  return f(caf::meta::type_name("lockstep.wire_job"), x.epoch, x.seq, x.attempt, x.batch);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_output& x) {
  // On the wire: the source's name, whether a value follows, the value.
  if constexpr (std::is_base_of_v<caf::serializer, Inspector>) {
    bool present = x.value != nullptr;
    if (auto err = f(x.source, present); err || !present)
      return err;
    auto codec = find_output_codec(x.source);
    if (!codec)
      return caf::make_error(caf::sec::invalid_argument, "no codec for the outputs of " + x.source);
    return codec->save_output(f, x.value);
  } else if constexpr (std::is_base_of_v<caf::deserializer, Inspector>) {
    bool present = false;
    if (auto err = f(x.source, present); err || !present)
      return err;
    auto codec = find_output_codec(x.source);
    if (!codec)
      return caf::make_error(caf::sec::invalid_argument, "no codec for the outputs of " + x.source);
    return codec->load_output(f, x.value);
  } else {
    return f(caf::meta::type_name("lockstep.wire_output"), x.source);
  }
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_result& x) {
  return f(caf::meta::type_name("lockstep.wire_result"), x.epoch, x.seq, x.attempt, x.failed,
           x.error, x.output);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconnect& x) {
  return f(caf::meta::type_name("lockstep.reconnect"), x.index);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, no_worker_check& x) {
  return f(caf::meta::type_name("lockstep.no_worker_check"), x.generation);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, await_nodes&) {
  return f(caf::meta::type_name("lockstep.await_nodes"));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_report& x) {
  return f(caf::meta::type_name("lockstep.node_report"), x.code, x.refusals);
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
