"""The mutations scripts/mutants.sh applies, and the loop that applies them.

Each mutation replaces one exact piece of a file (it must occur once) with a
broken version of it, in the working tree, and rebuilds the dev preset's
test programs; the messages, actors and runtime suites must then fail or
hang. A mutation that no longer applies, or does not build, is reported as
such and fails the run: the list must follow the code.
"""
import signal
import subprocess
import sys
from pathlib import Path

# (name, run in CI, file, as it is, as mutated)
MUTATIONS = [
    ("job_skips_done", True, "runtime/lockstep/detail/job_source.hpp",
     "batch_type{std::move(next->first), shared_->is_done(s.ordinal)}",
     "batch_type{std::move(next->first), false}"),
    ("unordered_credit", False, "actors/src/run_channel.cpp",
     "  auto freed = in_order_ ? 1 : settle(d.seq);",
     "  std::size_t freed = 1;"),
    ("job_failure_recorded", False, "runtime/lockstep/runtime/job_runner.hpp",
     "        progress_.failed.push_back(\n", "        if (false) progress_.failed.push_back(\n"),
    ("ordering", True, "actors/src/reorder_buffer.cpp",
     "  auto i = static_cast<std::size_t>(d.seq - next_);", "  auto i = slots_.size();"),
    ("epoch_filter", True, "actors/src/collector.cpp",
     "  if (epoch != st.epoch)\n", "  if (false && epoch != st.epoch)\n"),
    ("channel_epoch_filter", False, "actors/src/run_channel.cpp",
     "    if (!live(epoch))\n      return;\n    for (auto& d : ds)",
     "    if (false && !live(epoch))\n      return;\n    for (auto& d : ds)"),
    ("output_epoch_filter", False, "actors/src/collector.cpp",
     "  if (x.epoch != st.epoch)\n    return;\n  for (auto& o",
     "  if (false && x.epoch != st.epoch)\n    return;\n  for (auto& o"),
    ("credit_bound", True, "actors/src/run_channel.cpp",
     "  auto free = outstanding_ < w ? w - outstanding_ : 0;",
     "  auto free = outstanding_ <= w ? w - outstanding_ + 1 : 0;"),
    ("byte_window", False, "actors/src/run_channel.cpp",
     "  auto fits = *buffer_bytes_ / (largest + bookkeeping_bytes);",
     "  auto fits = *buffer_bytes_ / largest;"),
    ("chunk_credit_wake", False, "actors/src/run_channel.cpp",
     "w - outstanding_ < std::min(feeder_needs_, w))", "w - outstanding_ < 1)"),
    ("default_window", False, "actors/lockstep/detail/run_channel.hpp",
     "  return 2 * workers + 1;", "  return 2 * workers + 2;"),
    ("credit_wake", False, "actors/src/run_channel.cpp",
     "  if (freed > 0 && feeder_may_go()) {", "  if (false) {"),
    ("retry_elsewhere", True, "actors/src/feeder.cpp",
     "  job.avoid = failed_on;", "  (void)failed_on;\n  job.avoid = std::nullopt;"),
    ("permanent_not_retried", False, "actors/src/feeder.cpp",
     "  if (permanent || job.attempt > st.cfg.retry.max_retries) {",
     "  if (job.attempt > st.cfg.retry.max_retries && (permanent || true)) {"),
    ("stale_retry_timer", False, "actors/src/feeder.cpp",
     "      if (x.epoch != st.epoch)\n        return;\n      auto i = st.backing_off",
     "      auto i = st.backing_off"),
    ("halt", False, "actors/src/feeder.cpp",
     "      if (x.epoch != st.epoch)\n        return;\n      st.epoch = 0;",
     "      if (x.epoch != st.epoch || true)\n        return;\n      st.epoch = 0;"),
    ("stealing", False, "actors/src/feeder.cpp",
     "    if (auto a = st.jobs.steal(id, now))",
     "    if (std::optional<assignment> a; ((void)now, false))"),
    ("chunk_failure_retried", True, "actors/src/feeder.cpp",
     "          if (i != items->end())\n", "          if (false && i != items->end())\n"),
    ("retry_alone", True, "actors/src/dispatcher.cpp",
     "    auto most = i->attempt == 1 ? std::min(chunk_, slot.max_items) : 1;",
     "    auto most = std::min(chunk_, slot.max_items);"),
    ("chunk_length_bound", False, "actors/src/feeder.cpp",
     "  auto most = std::max<std::size_t>(1, st.cfg.channel->window_now() / (4 * pool));",
     "  auto most = std::max<std::size_t>(1, st.cfg.channel->window_now() * pool);"),
    ("redispatch_on_loss", True, "actors/src/feeder.cpp",
     "        else\n          st.jobs.enqueue(std::move(job));", "        else\n          (void)job;"),
    ("pause_ignored", False, "actors/src/feeder.cpp",
     "  if (st.epoch == 0 || st.cfg.channel->paused())", "  if (st.epoch == 0)"),
    ("run_figures_kept", False, "actors/src/run_channel.cpp",
     "  outstanding_ = 0;\n  run_issued_ = 0;\n  run_delivered_ = 0;\n",
     "  outstanding_ = 0;\n"),
    ("retiring_takes_jobs", False, "actors/src/dispatcher.cpp",
     "    if (entry.second.retiring || load >= entry.second.slots",
     "    if (load >= entry.second.slots"),
    ("retired_counts_as_lost", False, "actors/src/manager.cpp",
     "  if (member.retiring && down.reason == caf::exit_reason::user_shutdown) {",
     "  if (false && member.retiring) {"),
    ("stuck_reported_again", False, "actors/src/dispatcher.cpp",
     "      found.push_back({item.seq, item.attempt, id, o.since, item.state_after, !o.reported});\n    o.reported = true;",
     "      found.push_back({item.seq, item.attempt, id, o.since, item.state_after, true});"),
    ("no_hedge", False, "actors/src/feeder.cpp",
     "  auto a = st.jobs.hedge(head->seq, *idle, now);", "  std::optional<assignment> a;"),
    ("hedge_failure_retried", False, "actors/src/feeder.cpp",
     "      bool hedge = hedge_reported(st, *id, x);",
     "      bool hedge = hedge_reported(st, *id, x) && false;"),
    ("busy_not_counted", False, "actors/src/feeder.cpp",
     "      use.busy_ns += x.busy_ns;", "      use.busy_ns += 0;"),
    ("remote_busy_dropped", False, "actors/src/remote_proxy.cpp",
     "{}, {}, w.busy_ns, 1, self->address()};", "{}, {}, 0, 1, self->address()};"),
    ("idle_pool_not_reported", False, "actors/src/feeder.cpp",
     "      if (st.jobs.in_flight() == 0 || done_at",
     "      if (false || done_at"),
    ("slow_worker_ignored", False, "sources/src/synthetic.cpp",
     "  if (params_.slow_worker_factor != 1 && attempts_->slow_thread())",
     "  if (false && attempts_->slow_thread())"),
    ("first_round_retries", False, "actors/src/node_links.cpp",
     "  n.settled = n.settled || deadline_passed_;", "  n.settled = true;"),
    ("death_not_counted", False, "actors/src/manager.cpp",
     "  return reason == caf::exit_reason::unhandled_exception;",
     "  (void)reason;\n  return true;"),
    ("stale_job_skipped", False, "actors/src/worker.cpp",
     "  return !channel.live(j.epoch) || (j.claim && j.claim->exchange(true));",
     "  return (false && !channel.live(j.epoch)) || (j.claim && j.claim->exchange(true));"),
    ("claim", False, "actors/src/worker.cpp",
     "  return !channel.live(j.epoch) || (j.claim && j.claim->exchange(true));",
     "  return !channel.live(j.epoch);"),
    ("stale_attempt_not_retried", False, "actors/src/dispatcher.cpp",
     "  if (epoch != epoch_)\n    return std::nullopt;\n  return items;", "  return items;"),
    ("restart_on_mismatch", True, "runtime/src/service.cpp",
     "    if (!source->equal_states(state, expected)) {", "    if (false) {"),
    ("issue_limit", False, "actors/src/feeder.cpp",
     "    if (issued >= st.cfg.issue_limit) {", "    if (false && issued >= st.cfg.issue_limit) {"),
    ("fingerprint_check", True, "runtime/src/checkpoint.cpp",
     "    if (!out.changed.empty() && !options.accept_changes)",
     "    if (false && !out.changed.empty() && !options.accept_changes)"),
    ("index_check", False, "runtime/src/checkpoint.cpp",
     "  if (own && *own != index)", "  if (false && own && *own != index)"),
    ("digest_cache_key", False, "runtime/src/file_digest.cpp",
     "st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);",
     "st.st_mtim.tv_sec, st.st_mtim.tv_nsec, 0L, 0L);"),
    ("request_deadline_oldest", False, "actors/src/request_former.cpp",
     "t = std::min(t, q.front()->enqueued);", "t = std::min(t, q.back()->enqueued);"),
    ("request_priority", False, "actors/src/request_former.cpp",
     "auto& q = queues_[queues_[0].empty() ? 1 : 0];", "auto& q = queues_[queues_[1].empty() ? 0 : 1];"),
    ("request_timeout_expiry", False, "actors/src/request_former.cpp",
     "  void expire(time_point now) {\n", "  void expire(time_point now) {\n    return;\n"),
    # Shared memory: a worker writes into its ring, the proxy reads the
    # slot it is named, reading frees the ring, and a full ring refuses.
    ("shm_unused", False, "actors/src/remote_worker.cpp",
     "      if (answer.output.value && cfg.ring)\n",
     "      if (false && answer.output.value && cfg.ring)\n"),
    ("shm_read_offset", False, "messages/src/shm_ring.cpp",
     "  byte_reader r{data_ + offset, slot.size};", "  byte_reader r{data_ + offset + 1, slot.size};"),
    ("shm_never_freed", False, "messages/src/shm_ring.cpp",
     "  if (end > now)\n    tail.store", "  if (end < now)\n    tail.store"),
    ("shm_no_restart", False, "messages/src/shm_ring.cpp",
     "  if (tail == head_ && head_ % capacity_ != 0 && bytes <= restart_limit) {",
     "  if (false && restart_limit) {"),
    ("shm_restart_counts_gap", False, "messages/src/shm_ring.cpp",
     "  auto used = head_ - std::max(tail, start_);", "  auto used = head_ - tail + 0 * start_;"),
    ("shm_overwrites", False, "messages/src/shm_ring.cpp",
     "  if (pad + bytes > free)\n    return std::nullopt;",
     "  if (pad + bytes > free + capacity_)\n    return std::nullopt;"),
    # Ranks: the share kept is the rank's own, the mask does not drop a
    # short last step, and a split part starts where the last one ended.
    ("rank_share_which_batch", False, "runtime/lockstep/runtime/rank_share.hpp",
     "      if (i == spec_.rank)\n", "      if (i + 1 == spec_.world_size - spec_.rank)\n"),
    ("rank_share_tail_dropped", False, "runtime/lockstep/runtime/rank_share.hpp",
     "      if (!next)\n        break;\n      if (!step)", "      if (!next)\n        return std::nullopt;\n      if (!step)"),
    ("rank_share_part_start", False, "runtime/src/rank_share.cpp",
     "auto first = part * base + std::min(part, longer);", "auto first = part * base;"),
    # Sleep-EDF preparation: a window's resampling starts at its own phase,
    # labels round to the nearest sample, the crop keeps its margin, robust
    # scaling clips, and the ordered pass steps by whole windows.
    ("resample_window_phase", False, "signals/src/resample.cpp",
     "  auto r = static_cast<std::uint64_t>(t % den_);", "  std::uint64_t r = 0;"),
    ("label_nearest_sample", False, "signals/src/dataset.cpp",
     "2 * static_cast<__int128>(start) * es + d->epoch_ticks_,",
     "2 * static_cast<__int128>(start) * es,"),
    ("crop_margin", False, "signals/src/dataset.cpp",
     "f > margin ? f - margin : 0", "f"),
    ("robust_clip", False, "signals/src/dataset.cpp",
     "options_.scaling == scaling::robust ? options_.clip : 0", "0"),
    ("pass_whole_windows", False, "signals/src/random_batches.cpp",
     "  w.start_epoch = (i - starts[r]) * window_epochs_;", "  w.start_epoch = i - starts[r];"),
]

TARGETS = ["messages_tests", "actors_tests", "runtime_tests", "signals_tests"]


def run(cmd, log):
    with open(log, "a") as out:
        return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode == 0


def main(argv):
    quick = "--quick" in argv
    only = [a for a in argv if not a.startswith("--")]
    known = {m[0] for m in MUTATIONS}
    unknown = [n for n in only if n not in known]
    if unknown:
        sys.exit(f"mutants: unknown mutation {unknown[0]} (known: {', '.join(sorted(known))})")
    bld = Path("build/dev")
    build_log, test_log = Path("build/mutants-build.log"), Path("build/mutants-test.log")
    if not (bld / "CMakeCache.txt").exists():
        subprocess.run(["cmake", "--preset", "dev"], stdout=subprocess.DEVNULL, check=True)

    def build():
        build_log.write_text("")
        return run(["cmake", "--build", str(bld), "-j", "2", "--target", *TARGETS], build_log)

    def suites_pass():
        test_log.write_text("")
        return all(run(["timeout", "300", str(bld / "tests" / t), "--gtest_brief=1"], test_log)
                   for t in TARGETS)

    print("mutants: building and testing the unmutated tree", file=sys.stderr, flush=True)
    if not build():
        sys.exit(f"mutants: the unmutated tree does not build (see {build_log})")
    if not suites_pass():
        sys.exit(f"mutants: the unmutated suites fail (see {test_log})")

    # The tree is mutated in place, one file at a time; whatever happens (an
    # exception, Ctrl-C, SIGTERM), the file is written back as it was.
    mutated = {}

    def restore(*_):
        for path, text in mutated.items():
            path.write_text(text)
        mutated.clear()
        if _:
            sys.exit("mutants: interrupted; the tree is restored")

    signal.signal(signal.SIGTERM, restore)
    signal.signal(signal.SIGINT, restore)
    not_killed = 0
    print(f"{'mutation':<28}result", flush=True)
    try:
        for name, ci, file, old, new in MUTATIONS:
            if (quick and not ci) or (only and name not in only):
                continue
            path = Path(file)
            original = path.read_text()
            if original.count(old) != 1:
                result = "DOES NOT APPLY (the code changed: update scripts/mutants.py)"
                not_killed += 1
            else:
                mutated[path] = original
                path.write_text(original.replace(old, new))
                if not build():
                    result = f"DOES NOT BUILD (see {build_log})"
                    not_killed += 1
                elif suites_pass():
                    result = "SURVIVED"
                    not_killed += 1
                else:
                    result = "killed"
                restore()
            print(f"{name:<28}{result}", flush=True)
    finally:
        restore()
        build()
    if not_killed:
        sys.exit(f"mutants: {not_killed} mutation(s) not killed")
    print("mutants: every mutation was killed", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
