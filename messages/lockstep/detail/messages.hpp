// The typed messages between lockstep's actors, and each actor's interface:
// the message table of docs/architecture.md, checked by the compiler.
//
// One batch meets them in this order: begin_run → job → result →
// worker_ready and the delivery to the client; credit goes back through the
// run_channel. Every message of a run carries its `epoch`; a receiver drops
// what is not of the run it works on, so a restart can never leak a stale
// result. `seq` counts batches from 0 within a run.
//
// Messages holding a box never leave the process. The others cross to nodes
// and are registered by register_messages() under their `name`, the same on
// every node; that name is written once, here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "lockstep/detail/box.hpp"
#include "lockstep/messages/errc.hpp"

namespace caf {
class actor_system_config;
}

namespace lockstep::detail::msg {

// -- a run: manager → feeder, collector --------------------------------------

/// Start run `epoch` at `start_state` (the feeder iterates from it).
struct begin_run {
  std::uint64_t epoch = 0;
  const_box start_state;
};

/// Abandon run `epoch`: hand out nothing more of it.
struct halt_run {
  std::uint64_t epoch = 0;
};

// -- batches: feeder → worker → collector → feeder --------------------------

/// One batch of a job. `state_after` rides along so the collector can hand
/// the client its next state.
struct job_item {
  std::uint64_t seq = 0;
  const_box batch;
  const_box state_after;
};

/// Materialize `items`, consecutive in iteration order as the feeder issued
/// them (a chunk: one message for a run of cheap batches; a retry is always
/// alone). Job `items.front().seq` is the job's name in worker_ready. A
/// worker runs the job only if it is the first to set `claim` (an idle
/// worker may hold a stolen copy).
struct job {
  std::uint64_t epoch = 0;
  std::uint32_t attempt = 1;
  std::vector<job_item> items;
  std::shared_ptr<std::atomic<bool>> claim;

  std::uint64_t seq() const { return items.empty() ? 0 : items.front().seq; }
};

/// A batch of a job that threw: `permanent` when it threw
/// lockstep::permanent_error and no retry is to be made.
struct item_failure {
  std::uint64_t seq = 0;
  bool permanent = false;
  std::string error;
};

/// A materialized batch.
struct output_item {
  std::uint64_t seq = 0;
  box output;
  const_box state_after;
};

/// worker → collector: what became of job `seq` (its first item): the
/// outputs of the batches that succeeded, in order, and the failures. The
/// collector keeps the outputs and tells the feeder with worker_ready, so
/// one message a job wakes the actors. `busy_ns` is the time the worker
/// spent materializing (0: not measured), from which the feeder sizes chunks.
struct result {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  std::vector<output_item> outputs;
  std::vector<item_failure> failures;
  std::uint64_t busy_ns = 0;
  std::uint32_t items = 0;  ///< batches materialized (outputs + failures)
  caf::actor_addr worker;   ///< who ran it (or skipped it)
};

/// collector → feeder: `worker` is done with job `seq` and free for another;
/// the failed batches are to be retried.
struct worker_ready {
  caf::actor_addr worker;
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  std::vector<item_failure> failures;
  std::uint64_t busy_ns = 0;
  std::uint32_t items = 0;
};

/// feeder → itself: the backoff before retrying `seq` has elapsed.
struct retry_due {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
};

/// client → feeder (through the run_channel's waker): credit is free again.
struct credit_returned {
  std::uint64_t epoch = 0;
};

// -- the end of a run: feeder or manager → collector ---------------------------

/// Batch `seq` failed every attempt; the run ends there.
struct batch_failed {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempts = 0;
  std::string error;
};

/// The source ended after `seq` batches.
struct run_end {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
};

/// The run cannot go on (no worker is left): fail the next take after
/// everything already in order.
struct run_failed {
  std::uint64_t epoch = 0;
  errc code = errc::no_workers;
  std::string error;
};

/// Every worker — local, the remote proxy, the zero-worker stand-in — takes
/// jobs and nothing else.
using worker_actor = caf::typed_actor<caf::reacts_to<job>>;

// -- the pool: manager → feeder ------------------------------------------------

/// A worker joined the pool; it may hold up to `slots` jobs at once, each of
/// at most `max_items` batches.
struct worker_joined {
  worker_actor worker;
  std::uint32_t slots = 1;
  std::uint32_t max_items = 1;
  std::string node{};  ///< a remote worker's node, "host:port"; empty: local
};

/// A worker left the pool. Its in-flight jobs go elsewhere;
/// `counts_as_attempt` is set when its death was the job's doing.
struct worker_lost {
  caf::actor_addr worker;
  bool counts_as_attempt = false;
  std::string reason;
};

/// manager → feeder: worker `worker` leaves the pool once it has reported
/// what it holds; it takes nothing new. The feeder then ends it
/// (exit_reason::user_shutdown).
struct retire_worker {
  caf::actor_addr worker;
};

// -- client → manager ------------------------------------------------------------

struct start_cmd {
  std::uint64_t epoch = 0;
  const_box start_state;
};

struct stop_cmd {
  std::uint64_t epoch = 0;
};

/// The local pool is to hold `workers` workers (0: the uncounted stand-in,
/// unless there are nodes); ends a rampup.
struct set_workers_cmd {
  std::size_t workers = 0;
};

/// A request, answered once every listed node has joined, refused, or kept
/// failing until the first round's deadline (nodes_deadline), with the
/// refusals that a retry would not change.
struct await_nodes {};

struct node_report {
  errc code = errc::node_unreachable;
  std::vector<std::string> refusals;  ///< empty: nothing was refused
  /// Refusals because the node's data differ from the run's (or are
  /// missing): the run goes on without those nodes if it has other workers.
  errc skipped_code = errc::source_mismatch;
  std::vector<std::string> skipped;
  std::size_t joined_workers = 0;  ///< workers of the nodes that joined
};

/// manager → itself: try node `index` again.
struct reconnect {
  std::size_t index = 0;
};

/// manager → itself, connect_timeout after it starts: the first round is
/// over; a node still unreachable no longer holds back await_nodes.
struct nodes_deadline {};

/// feeder → itself, a few times per stuck_after while jobs are out: report
/// the oldest and the stuck batches of run `epoch`.
struct out_check {
  std::uint64_t epoch = 0;
};

/// feeder → itself: the head job `seq` of run `epoch` is due for a hedge.
struct hedge_due {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
};

/// manager → itself during a rampup: one more local worker, unless the ramp
/// `generation` was ended (by set_workers_cmd) meanwhile.
struct rampup_step {
  std::uint64_t generation = 0;
};

/// manager → itself: if the pool is still empty since `generation`, the run
/// fails.
struct no_worker_check {
  std::uint64_t generation = 0;
};

// -- the wire: manager ↔ node, remote proxy ↔ remote worker -----------------------

/// The version of the protocol below; a node and a manager of different
/// versions refuse each other. node_hello and node_welcome keep their first
/// field (the version) in every version, so any two can tell.
constexpr std::uint32_t protocol_version = 5;  // 5: outputs through shared memory

/// Asks for workers for a run of source `source`, built on the node from
/// `params` (JSON text), whose outputs have type `output_type` and whose
/// fingerprint (source.hpp; "" for none) the node's source must have. The
/// node serves the run while `owner` (the run's manager) lives. `shm_name`,
/// when not empty, is a shared-memory segment of `shm_bytes` whose first
/// bytes hold `shm_nonce` (shm_ring.hpp): a node on the same host writes
/// its outputs there.
struct node_hello {
  static constexpr const char* name = "lockstep.node_hello";
  std::uint32_t protocol = protocol_version;
  std::string token;
  std::string source;
  std::string params;
  std::string output_type;
  std::string fingerprint;
  caf::actor owner;
  std::string shm_name{};
  std::string shm_nonce{};
  std::uint64_t shm_bytes = 0;
};

/// The node's workers for the run, or why it refuses (`error` non-empty).
/// With `shm`, the node mapped the hello's segment and its worker i writes
/// into region i of workers.size() (shm_segment::region_of).
struct node_welcome {
  static constexpr const char* name = "lockstep.node_welcome";
  std::uint32_t protocol = protocol_version;
  errc code = errc::batch_failed;
  std::string error;
  std::vector<caf::actor> workers;
  bool shm = false;
};

/// A job whose batch travels as bytes.
struct wire_job {
  static constexpr const char* name = "lockstep.wire_job";
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  std::vector<char> batch;
};

/// An output crossing the network: CAF writes it straight from the typed
/// value and reads it straight into one, through the output_codec of its
/// type, with no byte buffer in between.
struct wire_output {
  static constexpr const char* name = "lockstep.wire_output";
  std::string type;
  box value;
};

/// The job's output, or why it failed. An output written into shared
/// memory travels as its place (`shm_size` > 0) and `output.value` is null.
struct wire_result {
  static constexpr const char* name = "lockstep.wire_result";
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  bool failed = false;
  bool permanent = false;
  std::string error;
  wire_output output;
  std::uint64_t busy_ns = 0;  ///< decoding and materializing it took
  std::uint64_t shm_pos = 0;
  std::uint64_t shm_size = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_hello& x) {
  return f(caf::meta::type_name(node_hello::name), x.protocol, x.token, x.source, x.params,
           x.output_type, x.fingerprint, x.owner, x.shm_name, x.shm_nonce, x.shm_bytes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_welcome& x) {
  return f(caf::meta::type_name(node_welcome::name), x.protocol, x.code, x.error, x.workers,
           x.shm);
}

/// Reads a batch's bytes as CAF writes a std::vector<char>, but refuses a
/// count larger than what the message holds before allocating anything (CAF
/// 0.17 would resize to whatever a peer claims).
caf::error load_bytes(caf::deserializer& f, std::vector<char>& bytes);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_job& x) {
  if constexpr (std::is_base_of_v<caf::deserializer, Inspector>) {
    if (auto err = f(caf::meta::type_name(wire_job::name), x.epoch, x.seq, x.attempt))
      return err;
    return load_bytes(f, x.batch);
  } else {
    return f(caf::meta::type_name(wire_job::name), x.epoch, x.seq, x.attempt, x.batch);
  }
}

/// On the wire: the type's name, whether a value follows, the value.
caf::error save_output(caf::serializer& f, wire_output& x);
caf::error load_output(caf::deserializer& f, wire_output& x);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_output& x) {
  if constexpr (std::is_base_of_v<caf::serializer, Inspector>)
    return save_output(f, x);
  else if constexpr (std::is_base_of_v<caf::deserializer, Inspector>)
    return load_output(f, x);
  else
    return f(caf::meta::type_name(wire_output::name), x.type);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_result& x) {
  return f(caf::meta::type_name(wire_result::name), x.epoch, x.seq, x.attempt, x.failed,
           x.permanent, x.error, x.output, x.busy_ns, x.shm_pos, x.shm_size);
}

// -- the actors' interfaces ----------------------------------------------------------

using feeder_actor = caf::typed_actor<caf::reacts_to<begin_run>, caf::reacts_to<halt_run>,
                                      caf::reacts_to<credit_returned>, caf::reacts_to<worker_ready>,
                                      caf::reacts_to<retry_due>, caf::reacts_to<worker_joined>,
                                      caf::reacts_to<worker_lost>, caf::reacts_to<retire_worker>,
                                      caf::reacts_to<out_check>, caf::reacts_to<hedge_due>>;

/// feeder → collector, once: where worker_ready goes.
struct feeder_hello {
  feeder_actor feeder;
};

using collector_actor =
  caf::typed_actor<caf::reacts_to<feeder_hello>, caf::reacts_to<begin_run>, caf::reacts_to<result>,
                   caf::reacts_to<batch_failed>, caf::reacts_to<run_end>, caf::reacts_to<run_failed>>;

using manager_actor = caf::typed_actor<caf::reacts_to<start_cmd>, caf::reacts_to<stop_cmd>,
                                       caf::reacts_to<reconnect>, caf::reacts_to<nodes_deadline>,
                                       caf::reacts_to<no_worker_check>,
                                       caf::reacts_to<set_workers_cmd>, caf::reacts_to<rampup_step>,
                                       caf::replies_to<await_nodes>::with<node_report>>;

/// What a node publishes on its port.
using node_actor = caf::typed_actor<caf::replies_to<node_hello>::with<node_welcome>>;

/// A worker on a node, behind the client's remote proxy.
using remote_worker_actor = caf::typed_actor<caf::reacts_to<wire_job>>;

/// The client's stand-in for a remote worker: a worker to the feeder, the
/// one the remote worker answers.
using remote_proxy_actor = worker_actor::extend<caf::reacts_to<wire_result>>;

/// Registers every message that crosses to nodes under its name. Call it on
/// each actor_system_config, on managers and nodes alike.
void register_messages(caf::actor_system_config& cfg);

}  // namespace lockstep::detail::msg

// In-process only: they carry boxes or handles of this process's actors.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::begin_run)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::halt_run)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::worker_ready)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::feeder_hello)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::retry_due)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::credit_returned)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::batch_failed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::run_end)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::run_failed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::worker_joined)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::worker_lost)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::start_cmd)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::stop_cmd)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::await_nodes)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::node_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::reconnect)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::nodes_deadline)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::no_worker_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::retire_worker)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::set_workers_cmd)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::rampup_step)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::out_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::hedge_due)
