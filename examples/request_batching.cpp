// Many callers, one batched model: 64 threads submit requests to a toy
// model whose run_batch costs a fixed 1 ms plus 50 µs per request (a GPU
// call, say), run by two instances.
#include <lockstep/runtime/request_batcher.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct toy_model {
  using request = double;
  using response = double;

  std::vector<double> run_batch(std::span<const double> batch) {
    std::this_thread::sleep_for(1ms + batch.size() * 50us);
    std::vector<double> out;
    for (double x : batch)
      out.push_back(x * x);
    return out;
  }

  // Refused before it is queued; its neighbours never see it.
  std::optional<std::string> validate(double& x) const {
    if (x < 0)
      return "negative input " + std::to_string(x);
    return std::nullopt;
  }
};

}  // namespace

int main() {
  lockstep::request_batcher_config cfg;
  cfg.max_batch_size = 32;
  cfg.max_delay = 5ms;
  cfg.instances = 2;
  lockstep::request_batcher<toy_model> batcher(cfg);

  constexpr int callers = 64, each = 20;
  std::atomic<int> wrong{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c)
    threads.emplace_back([&, c] {
      for (int i = 0; i < each; ++i) {
        double x = c * each + i;
        if (batcher.submit(x).get() != x * x)
          ++wrong;
      }
    });
  for (auto& t : threads)
    t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  try {
    batcher.submit(-1.0).get();
  } catch (const lockstep::error& e) {
    std::printf("refused alone: %s\n", e.what());
  }

  auto s = batcher.stats();
  std::printf("%llu requests answered in %.3f s (%.0f/s) by %llu batches of %.1f on average; "
              "queue wait p50 %.2f ms, p99 %.2f ms\n",
              static_cast<unsigned long long>(s.completed), seconds, s.completed / seconds,
              static_cast<unsigned long long>(s.batches),
              s.batches ? static_cast<double>(s.completed) / s.batches : 0.0, s.queue_wait_p50_ms,
              s.queue_wait_p99_ms);
  std::printf("one request at a time would take %.3f s\n", callers * each * 1.05e-3 / 2);
  return wrong == 0 ? 0 : 1;
}
