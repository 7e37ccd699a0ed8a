#include "lockstep/messages/messages.hpp"

#include <caf/actor_system_config.hpp>

namespace lockstep::msg {

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<halt_run>("lockstep.halt_run");
  cfg.add_message_type<worker_ready>("lockstep.worker_ready");
  cfg.add_message_type<batch_failed>("lockstep.batch_failed");
  cfg.add_message_type<run_failed>("lockstep.run_failed");
  cfg.add_message_type<run_end>("lockstep.run_end");
  cfg.add_message_type<credit_returned>("lockstep.credit_returned");
  cfg.add_message_type<retry_due>("lockstep.retry_due");
  cfg.add_message_type<materialize_next>("lockstep.materialize_next");
  cfg.add_message_type<worker_joined>("lockstep.worker_joined");
  cfg.add_message_type<worker_lost>("lockstep.worker_lost");
  cfg.add_message_type<stop_cmd>("lockstep.stop_cmd");
  cfg.add_message_type<node_hello>("lockstep.node_hello");
  cfg.add_message_type<node_welcome>("lockstep.node_welcome");
  cfg.add_message_type<wire_job>("lockstep.wire_job");
  cfg.add_message_type<wire_result>("lockstep.wire_result");
  cfg.add_message_type<reconnect>("lockstep.reconnect");
  cfg.add_message_type<no_worker_check>("lockstep.no_worker_check");
  cfg.add_message_type<await_nodes>("lockstep.await_nodes");
  cfg.add_message_type<node_report>("lockstep.node_report");
}

}  // namespace lockstep::msg
