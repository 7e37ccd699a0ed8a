// The node's door: lockstep's preamble and the gate that reads it before
// CAF sees a connection.
#include "lockstep/detail/node_gate.hpp"

#include <atomic>
#include <mutex>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "wait.hpp"

namespace lockstep::detail {
namespace {

using namespace std::chrono_literals;

std::string hex(const std::array<std::uint8_t, 32>& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

TEST(preamble, sha256_matches_the_fips_vectors) {
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex(sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(preamble, only_the_token_is_welcome) {
  bool magic = false;
  auto good = preamble::hello("s3cret");
  EXPECT_EQ(preamble::check(good.data(), good.size(), "s3cret", magic), preamble_answer::welcome);
  EXPECT_TRUE(magic);
  auto wrong = preamble::hello("guess");
  EXPECT_EQ(preamble::check(wrong.data(), wrong.size(), "s3cret", magic),
            preamble_answer::token_refused);
  auto none = preamble::hello("");
  EXPECT_EQ(preamble::check(none.data(), none.size(), "s3cret", magic),
            preamble_answer::token_required);
  EXPECT_EQ(preamble::check(none.data(), none.size(), "", magic), preamble_answer::welcome);
  auto other = good;
  other[8] = 9;  // another preamble version
  EXPECT_EQ(preamble::check(other.data(), other.size(), "s3cret", magic),
            preamble_answer::version_refused);
  EXPECT_TRUE(magic);
  // A CAF BASP header is no hello at all.
  std::uint8_t basp[preamble::hello_size] = {1, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
  preamble::check(basp, sizeof basp, "", magic);
  EXPECT_FALSE(magic);
  preamble_answer a{};
  std::uint32_t v = 0;
  auto ans = preamble::answer(preamble_answer::token_refused);
  ASSERT_TRUE(preamble::parse_answer(ans.data(), ans.size(), a, v));
  EXPECT_EQ(a, preamble_answer::token_refused);
  EXPECT_EQ(v, preamble::version);
  EXPECT_FALSE(preamble::parse_answer(basp, preamble::answer_size, a, v));
}

TEST(gate_table, bounds_per_peer_and_in_all_evict_the_oldest) {
  using clock = gate_table::clock;
  auto t = clock::now();
  gate_table table{2, 3};
  EXPECT_TRUE(table.add(10, "a", t + 1s).empty());
  EXPECT_TRUE(table.add(11, "a", t + 1s).empty());
  EXPECT_EQ(table.add(12, "a", t + 1s), std::vector<int>{10});  // a's oldest
  EXPECT_TRUE(table.add(13, "b", t + 2s).empty());
  EXPECT_EQ(table.add(14, "c", t + 1s), std::vector<int>{11});  // everyone's oldest
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.from("a"), 1u);
  auto gone = table.expired(t + 1s);
  EXPECT_EQ(gone, (std::vector<int>{12, 14}));
  EXPECT_EQ(table.fds(), std::vector<int>{13});
}

int dial(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

// Whether the peer closed `fd` (end of file or a reset), waiting up to 10 s.
bool closed_by_peer(int fd) {
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256];
  for (;;) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET))
      return true;
    if (n < 0)
      return false;
  }
}

struct gate_test : ::testing::Test {
  std::mutex mtx;
  std::vector<int> admitted;
  gate_options options(std::string token = {}) {
    gate_options g;
    g.token = std::move(token);
    g.handshake_timeout = 300ms;
    g.max_pending_per_peer = 4;
    g.max_pending = 8;
    g.admit = [this](int fd, std::uint16_t) {
      std::lock_guard<std::mutex> guard{mtx};
      admitted.push_back(fd);
    };
    return g;
  }
  ~gate_test() override {
    for (int fd : admitted)
      ::close(fd);
  }
};

TEST_F(gate_test, the_token_opens_it_and_anything_else_is_closed) {
  node_gate gate{options("s3cret")};
  preamble_answer refusal{};
  std::string why;
  int fd = dial_node("127.0.0.1", gate.port(), "s3cret", 5s, refusal, why);
  ASSERT_GE(fd, 0) << why;
  EXPECT_TRUE(test::wait_until([&] { return gate.counts().admitted == 1; }));
  ::close(fd);
  EXPECT_EQ(dial_node("127.0.0.1", gate.port(), "guess", 5s, refusal, why), -1);
  EXPECT_EQ(refusal, preamble_answer::token_refused);
  EXPECT_NE(why.find("refused the token"), std::string::npos) << why;
  EXPECT_EQ(dial_node("127.0.0.1", gate.port(), "", 5s, refusal, why), -1);
  EXPECT_EQ(refusal, preamble_answer::token_required);
  // A BASP header claiming 2 GB, and more bytes: closed at once, unanswered.
  int basp = dial(gate.port());
  std::vector<std::uint8_t> header(64, 0);
  header[0] = 1;
  header[4] = 0x7f, header[5] = header[6] = header[7] = 0xff;
  ASSERT_EQ(::send(basp, header.data(), header.size(), MSG_NOSIGNAL), 64);
  EXPECT_TRUE(closed_by_peer(basp));
  ::close(basp);
  EXPECT_TRUE(test::wait_until([&] { return gate.counts().refused == 3; }))
    << gate.counts().refused << " refused";  // counted after the close
  EXPECT_EQ(gate.counts().admitted, 1u);
}

TEST_F(gate_test, a_connection_that_never_finishes_is_closed_at_the_timeout) {
  node_gate gate{options()};
  int idle = dial(gate.port());
  int half = dial(gate.port());
  ASSERT_EQ(::send(half, "LOCKSTEP", 8, MSG_NOSIGNAL), 8);
  EXPECT_TRUE(closed_by_peer(idle));
  EXPECT_TRUE(closed_by_peer(half));
  // The gate counts a connection after it closes it: wait for the books.
  EXPECT_TRUE(test::wait_until([&] {
    auto c = gate.counts();
    return c.timed_out == 2 && c.pending == 0;
  })) << gate.counts().timed_out << " timed out, " << gate.counts().pending << " pending";
  ::close(idle);
  ::close(half);
}

TEST_F(gate_test, a_flood_of_idle_connections_does_not_keep_a_client_out) {
  auto g = options();
  g.handshake_timeout = 60s;  // the flood stays until evicted
  node_gate gate{g};
  std::vector<int> flood;
  for (int i = 0; i < 40; ++i)
    flood.push_back(dial(gate.port()));
  EXPECT_TRUE(test::wait_until([&] { return gate.counts().accepted == 40; }));
  EXPECT_LE(gate.counts().pending, 4u);  // one peer address: its bound
  EXPECT_TRUE(test::wait_until([&] { return gate.counts().evicted == 36; }));
  preamble_answer refusal{};
  std::string why;
  int fd = dial_node("127.0.0.1", gate.port(), "", 5s, refusal, why);
  EXPECT_GE(fd, 0) << why;
  EXPECT_TRUE(test::wait_until([&] { return gate.counts().admitted == 1; }));
  ::close(fd);
  for (int f : flood)
    ::close(f);
}

TEST(node_gate_addresses, beyond_loopback_is_decided_on_addresses_not_names) {
  EXPECT_TRUE(resolves_to_loopback("127.0.0.1"));
  EXPECT_TRUE(resolves_to_loopback("127.3.2.1"));
  EXPECT_TRUE(resolves_to_loopback("::1"));
  EXPECT_TRUE(resolves_to_loopback("localhost"));
  EXPECT_FALSE(resolves_to_loopback("0.0.0.0"));
  EXPECT_FALSE(resolves_to_loopback("::"));
  EXPECT_FALSE(resolves_to_loopback("10.1.2.3"));
  // A name is not an address: this one starts like loopback and resolves
  // elsewhere or (in a sandbox) not at all.
  EXPECT_FALSE(resolves_to_loopback("127.0.0.1.nip.invalid"));
  gate_options g;
  g.admit = [](int fd, std::uint16_t) { ::close(fd); };
  for (const char* host : {"0.0.0.0", "::", "127.0.0.1.nip.invalid"}) {
    g.host = host;
    EXPECT_THROW(node_gate{g}, lockstep::error) << host;
  }
  g.host = "0.0.0.0";
  g.token = "s3cret";
  node_gate open{g};  // with a token it may listen anywhere
  EXPECT_GT(open.port(), 0);
}

}  // namespace
}  // namespace lockstep::detail
