// Remote workers in one process: node servers and batchers talk over
// loopback through CAF's middleman, as separate machines would.
#include "lockstep/runtime/node_server.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <filesystem>
#include <future>
#include <limits>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/multiplexer.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/node_gate.hpp"
#include "lockstep/detail/output_codec.hpp"
#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "lockstep/runtime/tensor.hpp"
#include "lockstep/sources/builtin.hpp"
#include "lockstep/sources/synthetic.hpp"
#include "log_capture.hpp"
#include "picky_source.hpp"
#include "process_stats.hpp"
#include "wait.hpp"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
namespace msg = detail::msg;

node_options fast_node(std::string token = {}) {
  node_options o;
  o.workers = 2;
  o.token = std::move(token);
  o.heartbeat_interval = 100ms;
  o.connection_timeout = 1000ms;
  return o;
}

config remote(std::vector<std::string> nodes, std::size_t local_workers = 0) {
  config c;
  c.workers = local_workers;
  c.retry.first_delay = 1ms;
  c.remote.nodes = std::move(nodes);
  c.remote.heartbeat_interval = 100ms;
  c.remote.connection_timeout = 1000ms;
  c.remote.reconnect_interval = 100ms;
  c.remote.no_worker_timeout = 10s;
  return c;
}

const auto s0 = synthetic_state::seeded(77);

template <class B>
std::vector<synthetic_output> take_n(B& b, synthetic_state s, int n) {
  std::vector<synthetic_output> out;
  for (int i = 0; i < n; ++i) {
    auto next = b.take(s);
    s = next->state;
    out.push_back(std::move(next->output));
  }
  return out;
}

std::string error_of(const std::function<void()>& f, errc* code = nullptr) {
  try {
    f();
  } catch (const error& e) {
    if (code)
      *code = e.code();
    return e.what();
  }
  return "";
}

// A CAF system of lockstep's settings, for a client or fake node of a test's own.
struct test_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  test_system() {
    cfg.load<caf::io::middleman>();
    cfg.set("middleman.app-identifiers", std::vector<std::string>{"lockstep"});
    msg::register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  caf::actor broker() {
    return sys->middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  }
  // Connects as a manager does: the preamble, then CAF's handshake.
  msg::node_actor connect(std::uint16_t port, const std::string& token = {}) {
    detail::preamble_answer refusal{};
    std::string why;
    int fd = detail::dial_node("127.0.0.1", port, token, 5s, refusal, why);
    EXPECT_GE(fd, 0) << why;
    if (fd < 0)
      return {};
    caf::scoped_actor self{*sys};
    msg::node_actor out;
    self
      ->request(broker(), 5s, caf::connect_atom::value, sys->middleman().backend().new_scribe(fd),
                port)
      .receive([&](const caf::node_id&, caf::strong_actor_ptr& p,
                   const std::set<std::string>&) { out = caf::actor_cast<msg::node_actor>(p); },
               [&](const caf::error& e) { ADD_FAILURE() << sys->render(e); });
    return out;
  }
};

// A fake node behind a gate of its own: `answer` replies to every hello.
struct fake_node {
  caf::actor actor;
  std::unique_ptr<detail::node_gate> gate;
  fake_node(test_system& t, std::function<msg::node_welcome(const msg::node_hello&)> answer) {
    auto& sys = *t.sys;
    actor = sys.spawn([answer](caf::event_based_actor*) -> caf::behavior {
      return {[answer](const msg::node_hello& h) { return answer(h); }};
    });
    detail::gate_options g;
    auto broker = t.broker();
    auto published = caf::actor_cast<caf::strong_actor_ptr>(actor);
    g.admit = [&sys, broker, published](int fd, std::uint16_t at) {
      caf::anon_send(broker, caf::publish_atom::value, sys.middleman().backend().new_scribe(fd),
                     at, published, std::set<std::string>{});
    };
    gate = std::make_unique<detail::node_gate>(g);
  }
  ~fake_node() {
    gate.reset();
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(gate->port()); }
};

struct node_server_test : ::testing::Test {
  test::log_capture quiet;  // nodes and managers log joins and losses
  // A failed test shows what the nodes and managers said: a connection's
  // fate is in their log, not in the assertion.
  void TearDown() override {
    if (HasFailure())
      for (const auto& l : quiet.lines())
        std::fprintf(stderr, "log: %s\n", l.text.c_str());
  }
};

TEST_F(node_server_test, remote_workers_give_the_plain_loop_sequence) {
  node_server a{fast_node(), builtin_sources()};
  node_server b{fast_node(), builtin_sources()};
  synthetic_params p;
  p.item_bytes = 4096;
  p.latency_ms = 0.2;
  p.latency_sigma = 1;
  plain_loop ref{synthetic{p}};
  batcher remote_only{synthetic{p}, remote({a.address(), b.address()})};
  EXPECT_EQ(remote_only.pool_size(), 4u);
  EXPECT_EQ(take_n(remote_only, s0, 150), take_n(ref, s0, 150));
  batcher mixed{synthetic{p}, remote({a.address()}, 2)};
  EXPECT_EQ(mixed.pool_size(), 4u);
  EXPECT_EQ(take_n(mixed, s0, 150), take_n(ref, s0, 150));
  // Each worker in the stats, the remote ones named by their node, with the
  // time they spent materializing (the node measures it).
  auto remote_busy = [&] {
    std::size_t named = 0;
    for (auto& w : mixed.stats().workers)
      named += w.node == a.address() && w.jobs > 0 && w.busy_seconds > 0 ? 1 : 0;
    return named == 2;
  };
  EXPECT_TRUE(test::wait_until(remote_busy));
  auto ws = mixed.stats().workers;
  ASSERT_EQ(ws.size(), 4u);
  EXPECT_EQ(std::count_if(ws.begin(), ws.end(), [](auto& w) { return w.node.empty(); }), 2);
  for (auto& w : ws)
    EXPECT_TRUE(w.busy >= 0 && w.busy <= 1) << w.busy;
}

// Outputs from nodes are read into the batcher's receive pool, so once the
// client releases one the next reuses its memory (no fresh pages to fault).
TEST_F(node_server_test, outputs_from_nodes_reuse_the_memory_the_client_released) {
  node_server a{fast_node(), builtin_sources()};
  synthetic_params p;
  p.item_bytes = 65536;
  plain_loop ref{synthetic{p}};
  batcher b{synthetic{p}, remote({a.address()})};
  auto s = s0;
  auto r = ref.take(s0);
  std::shared_ptr<output_pool> pool;
  for (int i = 0; i < 60; ++i) {
    auto next = b.take(s);
    ASSERT_TRUE(next && r);
    EXPECT_EQ(next->output, r->output);
    pool = next->output.bytes.get_allocator().pool();
    ASSERT_NE(pool, nullptr) << "batch " << i << " took fresh memory";
    s = next->state;
    r = ref.take(r->state);
  }
  auto counts = pool->stats();
  EXPECT_GT(counts.reused, 0u);
  // At most the window's worth were ever made: the rest reused released ones.
  EXPECT_LE(counts.made, b.window() + 2);
}

// An output may outlive its batcher and the receive pool's registration:
// its block stays valid and goes back to the pool, freed with the output.
TEST_F(node_server_test, an_output_from_a_node_outlives_its_batcher) {
  node_server a{fast_node(), builtin_sources()};
  synthetic_params p;
  p.item_bytes = 65536;
  plain_loop ref{synthetic{p}};
  auto expected = take_n(ref, s0, 20);
  std::vector<synthetic_output> kept;
  {
    batcher b{synthetic{p}, remote({a.address()})};
    kept = take_n(b, s0, 20);
  }
  EXPECT_EQ(kept, expected);
  ASSERT_NE(kept.back().bytes.get_allocator().pool(), nullptr);
  // A batcher of the same type started afterwards reads into its own pool.
  batcher again{synthetic{p}, remote({a.address()})};
  auto next = again.take(s0);
  ASSERT_TRUE(next);
  EXPECT_NE(next->output.bytes.get_allocator().pool(), nullptr);
  EXPECT_NE(next->output.bytes.get_allocator().pool(), kept.back().bytes.get_allocator().pool());
}

bool logged(const test::log_capture& log, const std::string& part) {
  for (const auto& l : log.lines())
    if (l.text.find(part) != std::string::npos)
      return true;
  return false;
}

// The segments this process made that still have a name in /dev/shm.
std::size_t named_segments() {
  auto prefix = "lockstep-" + std::to_string(::getpid()) + "-";
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator{"/dev/shm"})
    n += e.path().filename().string().rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

// A node on this host writes outputs into the batcher's shared memory. With
// rings that hold three of them, some go inline when one is full: both
// paths mixed keep the sequence, and the reads land in the receive pool.
TEST_F(node_server_test, a_node_on_this_host_sends_outputs_through_shared_memory) {
  node_server a{fast_node(), builtin_sources()};
  synthetic_params p;
  p.item_bytes = 300'000;
  plain_loop ref{synthetic{p}};
  auto c = remote({a.address()});
  c.remote.shm_bytes = 2 << 20;  // two regions of 1 MiB
  auto b = std::make_unique<batcher<synthetic>>(synthetic{p}, c);
  EXPECT_TRUE(logged(quiet, "outputs through shared memory"));
  EXPECT_EQ(named_segments(), 0u);  // unlinked once the node answered
  auto s = s0;
  auto r = ref.take(s0);
  for (int i = 0; i < 200; ++i) {
    auto next = b->take(s);
    ASSERT_TRUE(next && r);
    ASSERT_EQ(next->output, r->output) << "batch " << i;
    ASSERT_NE(next->output.bytes.get_allocator().pool(), nullptr);
    s = next->state;
    r = ref.take(r->state);
  }
  // A restart makes results in flight stale: their bytes are freed unread
  // and the sequence from the new state is the plain loop's.
  auto fresh = synthetic_state::seeded(5);
  plain_loop again{synthetic{p}};
  EXPECT_EQ(take_n(*b, fresh, 50), take_n(again, fresh, 50));
  // The node counts what went through its rings: most of it, so the rings
  // were freed as they were read (unfreed, they would hold 3 outputs each).
  b.reset();
  std::string left;
  ASSERT_TRUE(test::wait_until([&] {
    for (const auto& l : quiet.lines())
      if (l.text.find("a run left") != std::string::npos)
        left = l.text;
    return !left.empty();
  }));
  unsigned long answered = 0, through = 0;
  auto at = left.find("answered");
  ASSERT_NE(at, std::string::npos) << left;
  ASSERT_EQ(std::sscanf(left.c_str() + at, "answered %lu jobs, %lu outputs through shared memory",
                        &answered, &through),
            2)
    << left;
  EXPECT_GE(answered, 250u);
  EXPECT_GE(through * 2, answered) << left;
}

TEST_F(node_server_test, with_shared_memory_off_outputs_go_on_the_socket) {
  node_server a{fast_node(), builtin_sources()};
  synthetic_params p;
  p.item_bytes = 100'000;
  plain_loop ref{synthetic{p}};
  auto c = remote({a.address()});
  c.remote.shm_bytes = 0;
  batcher b{synthetic{p}, c};
  EXPECT_TRUE(logged(quiet, "joined with 2 workers"));
  EXPECT_FALSE(logged(quiet, "shared memory"));
  EXPECT_EQ(take_n(b, s0, 40), take_n(ref, s0, 40));
}

TEST_F(node_server_test, retries_and_poison_behave_as_locally) {
  node_server a{fast_node(), builtin_sources()};
  synthetic_params p;
  p.fail_first_attempts = 1;
  p.poison_index = 30;
  plain_loop ref{synthetic{}};
  batcher b{synthetic{p}, remote({a.address()})};
  auto expected = take_n(ref, s0, 30);
  auto s = s0;
  for (int i = 0; i < 30; ++i) {
    auto next = b.take(s);
    EXPECT_EQ(next->output, expected[static_cast<std::size_t>(i)]);
    s = next->state;
  }
  EXPECT_THROW(b.take(s), batch_error);
  EXPECT_GE(b.stats().retries, 30u);
}

TEST_F(node_server_test, a_node_started_later_joins_and_takes_jobs) {
  // Reserve a port, then start nothing there yet.
  std::uint16_t port = 0;
  {
    node_server probe{fast_node(), builtin_sources()};
    port = probe.port();
  }
  synthetic_params p;
  p.latency_ms = 1;
  auto cfg = remote({"127.0.0.1:" + std::to_string(port)}, 1);
  cfg.remote.connect_timeout = 300ms;  // the first round ends without the node
  batcher bt{synthetic{p}, cfg};
  EXPECT_EQ(bt.pool_size(), 1u);
  auto s = s0;
  auto next = bt.take(s);
  s = next->state;
  auto opts = fast_node();
  opts.port = port;
  node_server late{opts, builtin_sources()};
  EXPECT_TRUE(test::wait_until([&] { return bt.pool_size() == 3u; }));
  plain_loop ref{synthetic{p}};
  EXPECT_EQ(take_n(bt, s, 100), take_n(ref, s, 100));
}

// The constructor's first round retries a node that is not up yet until
// connect_timeout: a node started beside the run is in the pool at the start.
TEST_F(node_server_test, a_node_starting_during_the_first_round_is_in_the_pool_from_the_start) {
  std::uint16_t port = 0;
  {
    node_server probe{fast_node(), builtin_sources()};
    port = probe.port();
  }
  auto cfg = remote({"127.0.0.1:" + std::to_string(port)});
  cfg.remote.connect_timeout = 60s;  // a deadline the test never reaches
  auto made = std::async(std::launch::async, [&] { return std::make_unique<batcher<synthetic>>(synthetic{}, cfg);
  });
  auto failed_once = [&] {
    for (const auto& l : quiet.lines())
      if (l.text.find("trying again") != std::string::npos)
        return true;
    return false;
  };
  ASSERT_TRUE(test::wait_until(failed_once)) << "the first attempt did not fail";
  EXPECT_EQ(made.wait_for(0s), std::future_status::timeout) << "the constructor did not wait";
  auto opts = fast_node();
  opts.port = port;
  node_server late{opts, builtin_sources()};
  ASSERT_EQ(made.wait_for(30s), std::future_status::ready);
  auto bt = made.get();
  EXPECT_EQ(bt->pool_size(), 2u);
  plain_loop ref{synthetic{}};
  EXPECT_EQ(take_n(*bt, s0, 20), take_n(ref, s0, 20));
}

TEST_F(node_server_test, stopping_with_remote_jobs_in_flight_leaves_the_node_serving) {
  node_server a{fast_node(), builtin_sources()};
  synthetic_params p;
  p.latency_ms = 20;
  plain_loop ref{synthetic{p}};
  {
    batcher bt{synthetic{p}, remote({a.address()})};
    bt.start(s0);
    bt.stop();
    EXPECT_EQ(take_n(bt, s0, 5), take_n(ref, s0, 5));
    bt.stop();
  }
  batcher next_run{synthetic{p}, remote({a.address()})};
  EXPECT_EQ(take_n(next_run, s0, 5), take_n(ref, s0, 5));
}

TEST_F(node_server_test, tokens_are_checked_and_the_node_keeps_serving) {
  node_server a{fast_node("s3cret"), builtin_sources()};
  errc code{};
  EXPECT_NE(error_of([&] { batcher b{synthetic{}, remote({a.address()})}; }, &code)
              .find("requires a token"),
            std::string::npos);
  EXPECT_EQ(code, errc::not_authorized);
  auto wrong = remote({a.address()});
  wrong.remote.token = "guess";
  EXPECT_NE(error_of([&] { batcher b{synthetic{}, wrong}; }).find("refused the token"),
            std::string::npos);
  auto right = remote({a.address()});
  right.remote.token = "s3cret";
  batcher ok{synthetic{}, right};
  plain_loop ref{synthetic{}};
  EXPECT_EQ(take_n(ok, s0, 10), take_n(ref, s0, 10));
}

TEST_F(node_server_test, beyond_loopback_a_node_needs_a_token) {
  auto opts = fast_node();
  opts.host = "0.0.0.0";
  errc code{};
  EXPECT_NE(error_of([&] { node_server n{opts, builtin_sources()}; }, &code).find("token"),
            std::string::npos);
  EXPECT_EQ(code, errc::invalid_config);
}

// The rule is about the address a node listens on, not how its name starts.
TEST_F(node_server_test, loopback_is_judged_by_address_not_by_name) {
  EXPECT_TRUE(is_loopback("127.0.0.1"));
  EXPECT_TRUE(is_loopback("::1"));
  EXPECT_TRUE(is_loopback("localhost"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
  // Starts like loopback; resolves elsewhere, or (here) nowhere.
  EXPECT_FALSE(is_loopback("127.0.0.1.nip.invalid"));
  auto opts = fast_node();
  opts.host = "127.0.0.1.nip.invalid";
  EXPECT_THROW(node_server(opts, builtin_sources()), error);
}

// A peer that opens session after session for one owner over one connection
// (what a node listed twice used to do), round after round: the node's
// descriptors come back and it stops promptly afterwards.
TEST_F(node_server_test, a_peers_repeated_sessions_leak_nothing_and_the_node_stops_promptly) {
  auto node = std::make_unique<node_server>(fast_node(), builtin_sources());
  auto round = [&] {
    test_system t;
    auto node_actor = t.connect(node->port());
    ASSERT_TRUE(node_actor);
    caf::scoped_actor self{*t.sys};
    for (int i = 0; i < 3; ++i) {
      msg::node_hello hello{msg::protocol_version,
                            "",
                            "synthetic",
                            "{}",
                            std::string{detail::output_type_name<synthetic_output>()},
                            synthetic{}.fingerprint(),
                            caf::actor_cast<caf::actor>(self)};
      self->request(node_actor, 5s, hello)
        .receive([&](const msg::node_welcome& w) { EXPECT_EQ(w.workers.size(), 2u) << w.error; },
                 [&](const caf::error& e) { ADD_FAILURE() << t.sys->render(e); });
    }
  };
  round();  // CAF sets up what it keeps for the life of the process
  auto base = test::process_stats::now().fds;
  for (int r = 0; r < 5; ++r) {
    round();
    EXPECT_TRUE(test::wait_until([&] { return test::process_stats::now().fds <= base; }))
      << "round " << r << ": " << test::process_stats::now().fds << " descriptors, was " << base;
  }
  auto stopped = std::async(std::launch::async, [&] { node.reset(); });
  EXPECT_EQ(stopped.wait_for(10s), std::future_status::ready) << "the node did not stop";
}

TEST_F(node_server_test, an_unknown_source_is_refused_by_name) {
  node_server empty{fast_node(), source_registry{}};
  errc code{};
  auto why = error_of([&] { batcher b{synthetic{}, remote({empty.address()})}; }, &code);
  EXPECT_EQ(code, errc::unknown_source);
  EXPECT_NE(why.find("no source named \"synthetic\""), std::string::npos) << why;
  EXPECT_NE(why.find(empty.address()), std::string::npos) << why;
}

TEST_F(node_server_test, an_unreachable_node_fails_the_run_after_the_timeout) {
  auto cfg = remote({"127.0.0.1:1"});
  cfg.remote.no_worker_timeout = 300ms;
  cfg.remote.connect_timeout = 300ms;  // the first round: how long the constructor tries
  batcher b{synthetic{}, cfg};
  try {
    b.take(s0);
    FAIL() << "no worker exists";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::no_workers);
    EXPECT_NE(std::string{e.what()}.find("127.0.0.1:1"), std::string::npos) << e.what();
    EXPECT_NE(std::string{e.what()}.find("unreachable"), std::string::npos) << e.what();
  }
  EXPECT_EQ(b.status().status, run_status::failed);
}

// A manager speaking another protocol version, and a node that does.
TEST_F(node_server_test, protocol_versions_must_match_on_both_sides) {
  node_server a{fast_node(), builtin_sources()};
  test_system t;
  auto& sys = *t.sys;
  auto node_actor = t.connect(a.port());
  ASSERT_TRUE(node_actor);
  caf::scoped_actor self{sys};
  msg::node_hello hello{99, "", "synthetic", "{}", "", "", caf::actor_cast<caf::actor>(self)};
  self->request(node_actor, 5s, hello)
    .receive(
      [&](const msg::node_welcome& w) {
        EXPECT_EQ(w.code, errc::version_mismatch);
        EXPECT_NE(w.error.find("version 99"), std::string::npos) << w.error;
        EXPECT_NE(w.error.find("version " + std::to_string(msg::protocol_version)),
                  std::string::npos);
        EXPECT_TRUE(w.workers.empty());
      },
      [&](const caf::error& e) { FAIL() << sys.render(e); });

  // A fake node that answers with version 7.
  fake_node fake{t, [](const msg::node_hello&) {
                   return msg::node_welcome{7, errc::batch_failed, "", {}};
                 }};
  errc code{};
  auto why = error_of([&] { batcher b{synthetic{}, remote({fake.address()})}; }, &code);
  EXPECT_EQ(code, errc::version_mismatch);
  EXPECT_NE(why.find("version 7"), std::string::npos) << why;
}

TEST_F(node_server_test, a_node_claiming_more_workers_than_its_shared_memory_holds_is_refused) {
  test_system t;
  // It says it mapped the segment and split it among 20 000 workers: 52 bytes
  // each of 1 MiB, too few for a ring. The run must say so, not lose its manager.
  fake_node fake{t, [](const msg::node_hello& h) {
                   EXPECT_FALSE(h.shm_name.empty());
                   return msg::node_welcome{msg::protocol_version, errc::batch_failed, "",
                                            std::vector<caf::actor>(20000, h.owner), true};
                 }};
  auto c = remote({fake.address()});
  c.remote.shm_bytes = 1 << 20;
  errc code{};
  auto why = error_of([&] { batcher b{synthetic{}, c}; }, &code);
  EXPECT_EQ(code, errc::io_error) << why;
  EXPECT_NE(why.find("20000 workers cannot share 1048576 bytes of shared memory"),
            std::string::npos)
    << why;
}

// Takes n batches from `b` within a generous deadline; a hang is a failure.
template <class B>
std::vector<synthetic_output> take_n_within(B& b, synthetic_state s, int n) {
  auto f = std::async(std::launch::async, [&] { return take_n(b, s, n); });
  if (f.wait_for(60s) != std::future_status::ready) {
    ADD_FAILURE() << "take() hung";
    b.stop();
  }
  try {
    return f.get();
  } catch (const error& e) {
    ADD_FAILURE() << e.what();
    return {};
  }
}

config no_retries(std::vector<std::string> nodes) {
  auto c = remote(std::move(nodes));
  c.retry.max_retries = 0;
  return c;
}

// Two runs of one source on one node, and two batchers of one source with
// nodes in one process: the run that ends first breaks nothing of the other's.
TEST_F(node_server_test, two_runs_of_one_source_sharing_a_node_outlive_each_other) {
  node_server a{fast_node(), builtin_sources()};
  synthetic_params p;
  p.item_bytes = 512;
  plain_loop ref{synthetic{p}};
  auto expected = take_n(ref, s0, 120);
  auto longer = std::make_unique<batcher<synthetic>>(synthetic{p}, no_retries({a.address()}));
  {
    batcher shorter{synthetic{p}, no_retries({a.address()})};
    EXPECT_EQ(take_n_within(shorter, s0, 30), std::vector<synthetic_output>(expected.begin(), expected.begin() + 30));
    EXPECT_EQ(take_n_within(*longer, s0, 30), std::vector<synthetic_output>(expected.begin(), expected.begin() + 30));
  }  // the shorter run ends; its node session and its batcher go
  auto s = s0;
  for (int i = 0; i < 30; ++i)
    s = synthetic{p}.iterate(s)->second;
  EXPECT_EQ(take_n_within(*longer, s, 90), std::vector<synthetic_output>(expected.begin() + 30, expected.end()));
}

TEST_F(node_server_test, two_batchers_of_one_source_on_their_own_nodes_outlive_each_other) {
  node_server a{fast_node(), builtin_sources()};
  node_server b{fast_node(), builtin_sources()};
  plain_loop ref{synthetic{}};
  auto expected = take_n(ref, s0, 60);
  batcher longer{synthetic{}, no_retries({b.address()})};
  EXPECT_EQ(take_n_within(longer, s0, 10), std::vector<synthetic_output>(expected.begin(), expected.begin() + 10));
  {
    batcher shorter{synthetic{}, no_retries({a.address()})};
    EXPECT_EQ(take_n_within(shorter, s0, 10), std::vector<synthetic_output>(expected.begin(), expected.begin() + 10));
  }
  EXPECT_EQ(take_n_within(longer, s0, 60), expected);
}

// A node that goes away mid-run (stopped cleanly: its workers exit, then its
// connections close) did not fail its jobs: they go elsewhere without costing
// an attempt, so even a run without retries goes on, exactly.
TEST_F(node_server_test, a_node_that_goes_away_mid_run_costs_its_jobs_no_attempt) {
  auto a = std::make_unique<node_server>(fast_node(), builtin_sources());
  node_server b{fast_node(), builtin_sources()};
  synthetic_params p;
  p.latency_ms = 1;
  plain_loop ref{synthetic{p}};
  auto expected = take_n(ref, s0, 120);
  batcher bt{synthetic{p}, no_retries({a->address(), b.address()})};
  auto s = s0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (i == 40)
      a.reset();
    auto next = bt.take(s);
    ASSERT_TRUE(next);
    ASSERT_EQ(next->output, expected[i]) << "batch " << i;
    s = next->state;
  }
  EXPECT_EQ(bt.stats().retries, 0u);
  EXPECT_GE(bt.stats().workers_lost, 2u);
}

TEST_F(node_server_test, a_node_listed_twice_is_used_once) {
  node_server a{fast_node(), builtin_sources()};
  batcher b{synthetic{}, remote({a.address(), a.address()})};
  EXPECT_EQ(b.pool_size(), 2u);
  plain_loop ref{synthetic{}};
  EXPECT_EQ(take_n_within(b, s0, 40), take_n(ref, s0, 40));
}

TEST_F(node_server_test, garbage_and_half_open_connections_do_not_wedge_a_node) {
  node_server a{fast_node(), builtin_sources()};
  auto dial = [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(a.port());
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  };
  int silent = dial();  // connects and never says anything
  int noisy = dial();
  std::vector<unsigned char> junk(64 * 1024);
  std::uint64_t x = 12345;
  for (auto& c : junk)
    c = static_cast<unsigned char>(splitmix64(x));
  ASSERT_GT(::send(noisy, junk.data(), junk.size(), MSG_NOSIGNAL), 0);
  ::close(noisy);
  batcher b{synthetic{}, remote({a.address()})};
  plain_loop ref{synthetic{}};
  EXPECT_EQ(take_n(b, s0, 20), take_n(ref, s0, 20));
  ::close(silent);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// Batch i: floats whose bit patterns CAF's float serializer would not keep.
struct awkward_floats {
  using state_type = std::uint64_t;
  using batch_type = std::uint64_t;
  using output_type = tensor<float>;
  static constexpr std::string_view name = "awkward_floats";

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    return std::make_pair(s, s + 1);
  }
  output_type materialize(const batch_type& b) const {
    auto bits = [](std::uint32_t u) { return std::bit_cast<float>(u); };
    output_type t;
    t.shape = {8};
    t.values = {std::numeric_limits<float>::quiet_NaN(), bits(0x7fc0'1234u + static_cast<std::uint32_t>(b)),
                bits(0xffa0'0001u),  // a negative signalling NaN with a payload
                std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                std::numeric_limits<float>::denorm_min(), bits(0x8000'0001u), -0.0f};
    return t;
  }
  std::string params() const { return "{}"; }
  static awkward_floats from_params(const boost::json::value&) { return {}; }
};

TEST(node_server_payloads, a_permanent_error_on_a_node_is_not_retried) {
  test::log_capture quiet;
  source_registry reg;
  reg.add<test::picky_source>();
  node_server node{fast_node(), reg};
  auto cfg = remote({node.address()});
  cfg.retry.first_delay = 1s;  // a retry would show as a long wait
  batcher b{test::picky_source{}, cfg};
  EXPECT_EQ(b.take(0)->output, 0u);
  try {
    b.take(1);
    FAIL();
  } catch (const batch_error& e) {
    EXPECT_EQ(e.attempts(), 1u);
    EXPECT_EQ(e.original_message(), "cannot parse record 1");
  }
}

TEST(node_server_payloads, nan_infinities_and_denormals_cross_bit_for_bit) {
  test::log_capture quiet;
  source_registry reg;
  reg.add<awkward_floats>();
  node_server node{fast_node(), reg};
  batcher b{awkward_floats{}, remote({node.address()})};
  std::uint64_t s = 0;
  for (int i = 0; i < 20; ++i) {
    auto next = b.take(s);
    auto expected = awkward_floats{}.materialize(s);
    ASSERT_EQ(next->output.values.size(), expected.values.size());
    for (std::size_t k = 0; k < expected.values.size(); ++k)
      EXPECT_EQ(std::bit_cast<std::uint32_t>(next->output.values[k]),
                std::bit_cast<std::uint32_t>(expected.values[k]))
        << "batch " << s << ", value " << k;
    s = next->state;
  }
}

}  // namespace
}  // namespace lockstep
