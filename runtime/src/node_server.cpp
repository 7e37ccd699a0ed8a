#include "lockstep/runtime/node_server.hpp"

#include <csignal>
#include <cstdio>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/multiplexer.hpp>
#include <caf/send.hpp>

#include "lockstep/detail/fingerprint_diff.hpp"
#include "lockstep/detail/logger.hpp"
#include "lockstep/detail/node.hpp"
#include "lockstep/detail/node_gate.hpp"
#include "lockstep/detail/system_config.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep {

bool is_loopback(const std::string& host) {
  return detail::resolves_to_loopback(host);
}

namespace {

caf::actor_system_config node_system_config(const node_options& o) {
  caf::actor_system_config cfg;
  detail::network_settings net{o.heartbeat_interval, o.connection_timeout};
  // Workers block in materialize on scheduler threads (see node.hpp): one
  // thread each, and the rest for the node actor and CAF's own.
  detail::configure(cfg, o.workers + o.scheduler_threads, &net, false);
  return cfg;
}

const node_options& checked(const node_options& o) {
  if (o.tune_allocator)
    detail::tune_allocator();
  if (o.workers == 0)
    throw error(errc::invalid_config, "a node needs at least 1 worker");
  // Beyond loopback needs a token: node_gate decides on the addresses.
  if (o.handshake_timeout.count() <= 0)
    throw error(errc::invalid_config, "the handshake timeout must be positive");
  if (o.max_pending_per_peer == 0 || o.max_pending < o.max_pending_per_peer)
    throw error(errc::invalid_config,
                "max_pending must be at least max_pending_per_peer, which must be positive");
  if (o.connection_timeout <= o.heartbeat_interval)
    throw error(errc::invalid_config, "the connection timeout must exceed the heartbeat interval");
  return o;
}

}  // namespace

struct node_server::impl {
  impl(const node_options& o, source_registry reg)
      : options(checked(o)), registry(std::move(reg)), sys_cfg(node_system_config(o)),
        system(sys_cfg) {
    detail::node_config nc;
    nc.token = o.token;
    nc.workers = o.workers;
    nc.build = [this](const std::string& source, const std::string& params, errc& code,
                      std::string& why) -> std::shared_ptr<const detail::erased_source> {
      try {
        return registry.make(source, params);
      } catch (const error& e) {
        code = e.code();
        why = e.what();
      } catch (const std::exception& e) {
        code = errc::invalid_config;
        why = e.what();
      }
      return nullptr;
    };
    nc.compare_fingerprints = [](const std::string& run, const std::string& node) {
      return detail::fingerprint_difference(run, node, "the run", "this node");
    };
    nc.log = detail::actor_events();
    node_actor = system.spawn(detail::node, nc);
    // The node accepts connections itself and hands one to CAF's BASP broker
    // only after its preamble proved the token: before that, a peer can make
    // the node hold no more than a preamble's bytes (CAF would allocate what
    // a BASP header claims, gigabytes, before any lockstep check).
    auto broker = system.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
    auto published = caf::actor_cast<caf::strong_actor_ptr>(node_actor);
    auto signatures = system.message_types(node_actor);
    detail::gate_options g;
    g.host = o.host;
    g.port = o.port;
    g.token = o.token;
    g.handshake_timeout = o.handshake_timeout;
    g.max_pending_per_peer = o.max_pending_per_peer;
    g.max_pending = o.max_pending;
    g.log = detail::actor_events();
    g.admit = [this, broker, published, signatures](int fd, std::uint16_t at) {
      auto scribe = system.middleman().backend().new_scribe(fd);
      // The broker answers this as it answers a doorman's new connection:
      // CAF's server handshake, for the actor published at port `at`.
      caf::anon_send(broker, caf::publish_atom::value, std::move(scribe), at, published,
                     signatures);
    };
    try {
      gate = std::make_unique<detail::node_gate>(std::move(g));
    } catch (...) {
      caf::anon_send_exit(node_actor, caf::exit_reason::user_shutdown);
      throw;
    }
    port = gate->port();
  }

  ~impl() {
    gate.reset();  // no connection reaches CAF after this
    caf::anon_send_exit(node_actor, caf::exit_reason::user_shutdown);
  }

  node_options options;
  source_registry registry;
  caf::actor_system_config sys_cfg;
  caf::actor_system system;
  detail::msg::node_actor node_actor;
  std::uint16_t port = 0;
  std::unique_ptr<detail::node_gate> gate;
};

node_server::node_server(const node_options& options, source_registry registry)
    : impl_(std::make_unique<impl>(options, std::move(registry))) {
}

node_server::~node_server() = default;

std::uint16_t node_server::port() const noexcept {
  return impl_->port;
}

std::string node_server::address() const {
  return node_address{impl_->options.host, impl_->port}.name();
}

int serve_node(const node_options& options, source_registry registry) {
  // Block the signals in every thread (CAF's inherit the mask) and take them
  // here, synchronously.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  node_server server{options, std::move(registry)};
  std::printf("listening on %s\n", server.address().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  detail::logger().info("node {} stops on signal {}", server.address(), sig);
  return 0;
}

}  // namespace lockstep
