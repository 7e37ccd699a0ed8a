// The collector under CAF's test coordinator: order, epochs, failures.
#include "lockstep/actors/collector.hpp"

#include <gtest/gtest.h>

#include "coordinator.hpp"
#include "lockstep/messages/messages.hpp"
#include "typed_source.hpp"

namespace lockstep {
namespace {

struct collector_test : ::testing::Test {
  test::coordinator env;
  std::shared_ptr<client_queue> queue = std::make_shared<client_queue>();
  caf::actor col = env.sys.spawn(collector, queue);
  std::uint64_t epoch = queue->open();

  ~collector_test() override {
    caf::anon_send_exit(col, caf::exit_reason::user_shutdown);
    env.run();
  }

  void send(caf::message m) {
    caf::anon_send(col, std::move(m));
    env.run();
  }

  msg::result result(std::uint64_t seq, std::uint64_t ep = 0) {
    return {ep ? ep : epoch, seq, std::make_shared<int>(static_cast<int>(seq)), std::make_shared<int>(0)};
  }

  std::vector<std::pair<delivery::kind, std::uint64_t>> drain() {
    std::vector<std::pair<delivery::kind, std::uint64_t>> out;
    bool wake = false;
    while (auto d = queue->try_pop(epoch, wake))
      out.emplace_back(d->what, d->seq);
    return out;
  }
};

using K = delivery::kind;

TEST_F(collector_test, releases_strictly_by_seq) {
  send(caf::make_message(msg::begin_run{epoch, {}}));
  send(caf::make_message(result(2)));
  send(caf::make_message(result(1)));
  EXPECT_TRUE(drain().empty());  // seq 0 has not arrived
  send(caf::make_message(result(0)));
  send(caf::make_message(result(3)));
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{
                       {K::batch, 0}, {K::batch, 1}, {K::batch, 2}, {K::batch, 3}}));
}

TEST_F(collector_test, drops_duplicates_and_stale_epochs) {
  send(caf::make_message(msg::begin_run{epoch, {}}));
  send(caf::make_message(result(0, epoch + 7)));  // another run's result
  send(caf::make_message(result(0)));
  send(caf::make_message(result(0)));  // a duplicate (a job that ran twice)
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{{K::batch, 0}}));
  send(caf::make_message(msg::halt_run{epoch}));
  send(caf::make_message(result(1)));
  EXPECT_TRUE(drain().empty());
}

TEST_F(collector_test, a_failure_ends_the_run_after_everything_before_it) {
  send(caf::make_message(msg::begin_run{epoch, {}}));
  send(caf::make_message(result(4)));
  send(caf::make_message(msg::batch_failed{epoch, 2, 5, "boom"}));
  send(caf::make_message(result(1)));
  send(caf::make_message(result(0)));
  send(caf::make_message(result(3)));
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{
                       {K::batch, 0}, {K::batch, 1}, {K::failure, 2}}));
}

TEST_F(collector_test, run_end_follows_the_last_batch) {
  send(caf::make_message(msg::begin_run{epoch, {}}));
  send(caf::make_message(msg::run_end{epoch, 2}));
  send(caf::make_message(result(1)));
  send(caf::make_message(result(0)));
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{
                       {K::batch, 0}, {K::batch, 1}, {K::end, 2}}));
}

TEST_F(collector_test, run_failed_fails_right_after_what_is_in_order) {
  send(caf::make_message(msg::begin_run{epoch, {}}));
  send(caf::make_message(result(0)));
  send(caf::make_message(result(2)));
  send(caf::make_message(msg::run_failed{epoch, errc::no_workers, "no worker"}));
  auto got = drain();
  EXPECT_EQ(got, (std::vector<std::pair<K, std::uint64_t>>{{K::batch, 0}, {K::failure, 1}}));
}

}  // namespace
}  // namespace lockstep
