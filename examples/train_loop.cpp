// train_loop: a training loop over labeled EEG windows. It threads the state
// through take(), offers it to a checkpointer every step (written to
// CHECKPOINT at most once a second, and at the end), and when started again
// resumes from there with exactly the batches it would have seen.
// Run: build/dev/examples/train_loop DATASET_DIR CHECKPOINT STEPS
// (DATASET_DIR is written with make_dataset first if it does not exist;
// stop it with Ctrl-C at any point and run it again).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <lockstep/lockstep.hpp>
#include <lockstep/signals/random_batches.hpp>
#include <make_dataset.hpp>

namespace sig = lockstep::signals;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: train_loop DATASET_DIR CHECKPOINT STEPS\n");
    return 2;
  }
  std::filesystem::path data_dir = argv[1], saved = argv[2];
  const auto steps = std::stoull(argv[3]);
  if (!std::filesystem::exists(data_dir))
    sig::make_dataset(data_dir, sig::make_dataset_options{});

  sig::random_batches_params params;  // 16 windows of 60 s (two epochs) per batch
  params.batch_size = 16;
  params.window_seconds = 60;
  sig::random_batches source{sig::dataset::open(data_dir), params};
  lockstep::batcher batches{source, {.workers = 2}};

  // A fresh run starts from a seed, a restarted one from its checkpoint.
  auto state = sig::random_batches_state::seeded(42);
  unsigned long long step = 0;
  if (std::filesystem::exists(saved)) {
    auto resumed = lockstep::load_checkpoint(saved, source);  // refused if the data changed
    state = resumed.state;
    step = resumed.index;
    std::printf("resumed from step %llu\n", step);
  }
  // Every step offers its state (no I/O); a thread writes the latest at
  // most once a second, and the last one when the loop ends.
  lockstep::checkpointer ck{source, saved.string(), std::chrono::seconds{1}};
  for (; step < steps; ++step) {
    auto [batch, next] = *batches.take(state);  // the output and the state after it
    // "Training": here, the share of N3 epochs among the labels.
    std::size_t n3 = 0;
    for (auto label : batch.y.values)
      n3 += label == static_cast<std::uint8_t>(sig::stage::N3);
    if (step % 10 == 0)
      std::printf("step %llu: x [%llu][%llu][%llu], %.0f%% N3\n", step,
                  static_cast<unsigned long long>(batch.x.shape[0]),
                  static_cast<unsigned long long>(batch.x.shape[1]),
                  static_cast<unsigned long long>(batch.x.shape[2]),
                  100.0 * static_cast<double>(n3) / static_cast<double>(batch.y.values.size()));
    state = next;
    ck.offer(state, step + 1);  // the state after step k, and k + 1 steps done
  }
  ck.stop();
  std::printf("%llu steps; %llu checkpoint writes\n", step,
              static_cast<unsigned long long>(ck.writes()));
}
