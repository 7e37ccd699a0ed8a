#include "lockstep/detail/dispatcher.hpp"

#include <algorithm>

namespace lockstep::detail {

void dispatcher::add_worker(worker_id w, std::size_t slots, std::size_t max_items) {
  auto& slot = workers_.try_emplace(w).first->second;
  slot.slots = std::max<std::size_t>(1, slots);
  slot.max_items = std::max<std::size_t>(1, max_items);
}

std::vector<pending_job> dispatcher::remove_worker(worker_id w) {
  std::vector<pending_job> orphans;
  auto i = workers_.find(w);
  if (i == workers_.end())
    return orphans;
  for (auto& o : i->second.out)
    if (o.epoch == epoch_ && !o.hedge)
      for (auto& item : o.items)
        orphans.push_back(std::move(item));
  workers_.erase(i);
  std::sort(orphans.begin(), orphans.end(),
            [](const pending_job& a, const pending_job& b) { return a.seq < b.seq; });
  return orphans;
}

void dispatcher::retire(worker_id w) {
  if (auto i = workers_.find(w); i != workers_.end())
    i->second.retiring = true;
}

bool dispatcher::retired_and_idle(worker_id w) const {
  auto i = workers_.find(w);
  return i != workers_.end() && i->second.retiring && i->second.out.empty();
}

void dispatcher::new_run(std::uint64_t epoch) {
  epoch_ = epoch;
  waiting_.clear();
}

void dispatcher::enqueue(pending_job j) {
  // New batches come in seq order, at the back; only retries and a lost
  // worker's batches go back between them.
  auto at = waiting_.end();
  if (!waiting_.empty() && j.seq <= waiting_.back().seq)
    at = std::lower_bound(waiting_.begin(), waiting_.end(), j.seq,
                          [](const pending_job& w, std::uint64_t seq) { return w.seq < seq; });
  if (at != waiting_.end() && at->seq == j.seq)
    *at = std::move(j);
  else
    waiting_.insert(at, std::move(j));
}

std::size_t dispatcher::load_of(const worker_slot& slot) const {
  // Of an earlier run's jobs, at most one is running; the worker skips the
  // others at once, so they do not delay the live run's jobs.
  std::size_t live = 0;
  bool stale = false;
  for (auto& o : slot.out) {
    live += o.epoch == epoch_ ? 1 : 0;
    stale = stale || o.epoch != epoch_;
  }
  return live + (stale ? 1 : 0);
}

std::optional<worker_id> dispatcher::pick(const pending_job& j) const {
  // Least loaded free worker, round robin among equals, skipping the one that
  // failed this job when there is another.
  bool may_avoid = j.avoid && workers_.size() > 1;
  std::optional<worker_id> best;
  std::size_t best_load = SIZE_MAX;
  auto consider = [&](const auto& entry) {
    auto load = load_of(entry.second);
    if (entry.second.retiring || load >= entry.second.slots || load >= best_load || (may_avoid && entry.first == *j.avoid))
      return;
    best = entry.first;
    best_load = load;
  };
  auto start = workers_.upper_bound(last_assigned_);
  for (auto i = start; i != workers_.end(); ++i)
    consider(*i);
  for (auto i = workers_.begin(); i != start; ++i)
    consider(*i);
  return best;
}

std::optional<assignment> dispatcher::assign(clock_time now) {
  for (auto i = waiting_.begin(); i != waiting_.end(); ++i) {
    auto w = pick(*i);
    if (!w && !i->avoid)
      return std::nullopt;  // no worker is free: none for the batches behind it either
    if (!w)
      continue;
    auto& slot = workers_[*w];
    assignment a{*w, {}, std::make_shared<std::atomic<bool>>(false)};
    auto most = i->attempt == 1 ? std::min(chunk_, slot.max_items) : 1;
    auto end = i;
    do
      ++end;
    while (static_cast<std::size_t>(end - i) < most && end != waiting_.end() && end->attempt == 1);
    a.items.assign(std::make_move_iterator(i), std::make_move_iterator(end));
    waiting_.erase(i, end);
    slot.out.push_back({epoch_, a.items, a.claim, false, now});
    last_assigned_ = *w;
    return a;
  }
  return std::nullopt;
}

std::optional<std::vector<pending_job>> dispatcher::finish(worker_id w, std::uint64_t epoch,
                                                           std::uint64_t seq) {
  auto i = workers_.find(w);
  if (i == workers_.end())
    return std::nullopt;
  auto& out = i->second.out;
  auto j = std::find_if(out.begin(), out.end(),
                        [&](const out_job& o) { return o.epoch == epoch && o.seq() == seq; });
  if (j == out.end())
    return std::nullopt;
  auto items = std::move(j->items);
  out.erase(j);
  if (epoch != epoch_)
    return std::nullopt;
  return items;
}

std::optional<assignment> dispatcher::steal(worker_id thief, clock_time now) {
  auto t = workers_.find(thief);
  if (t == workers_.end() || t->second.retiring || !t->second.out.empty() || !waiting_.empty())
    return std::nullopt;
  out_job* best = nullptr;
  std::size_t best_load = 1;
  for (auto& [id, slot] : workers_) {
    if (id == thief || slot.out.size() <= best_load)
      continue;
    auto& last = slot.out.back();
    if (last.stolen || last.epoch != epoch_ || last.items.size() > t->second.max_items)
      continue;
    best = &last;
    best_load = slot.out.size();
  }
  if (best == nullptr)
    return std::nullopt;
  best->stolen = true;
  t->second.out.push_back({epoch_, best->items, best->claim, true, now});
  return assignment{thief, best->items, best->claim};
}

std::optional<clock_time> dispatcher::busy_since(worker_id w) const {
  auto i = workers_.find(w);
  if (i == workers_.end() || i->second.out.empty())
    return std::nullopt;
  return i->second.out.front().since;
}

std::vector<out_batch> dispatcher::older_than(clock_time cutoff) {
  // A worker runs its jobs in order: the first is the one it works on; the
  // others wait behind it (and may be stolen), they are not stuck there.
  std::vector<out_batch> found;
  for (auto& [id, slot] : workers_) {
    if (slot.out.empty())
      continue;
    auto& o = slot.out.front();
    if (o.epoch != epoch_ || o.since >= cutoff)
      continue;
    for (auto& item : o.items)
      found.push_back({item.seq, item.attempt, id, o.since, item.state_after, !o.reported});
    o.reported = true;
  }
  // A stolen job is out twice: report each batch once, at its first copy.
  std::sort(found.begin(), found.end(), [](const out_batch& a, const out_batch& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.since < b.since;
  });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const out_batch& a, const out_batch& b) { return a.seq == b.seq; }),
              found.end());
  std::stable_sort(found.begin(), found.end(),
                   [](const out_batch& a, const out_batch& b) { return a.since < b.since; });
  return found;
}

std::optional<out_batch> dispatcher::oldest() const {
  std::optional<out_batch> best;
  for (auto& [id, slot] : workers_) {
    if (slot.out.empty())
      continue;
    auto& o = slot.out.front();  // the job the worker works on, as in older_than
    if (o.epoch == epoch_
        && (!best || o.since < best->since || (o.since == best->since && o.seq() < best->seq))) {
      auto& item = o.items.front();
      best = out_batch{item.seq, item.attempt, id, o.since, item.state_after, false};
    }
  }
  return best;
}

std::optional<out_batch> dispatcher::head() const {
  std::optional<out_batch> best;
  for (auto& [id, slot] : workers_) {
    if (slot.out.empty())
      continue;
    auto& o = slot.out.front();
    if (o.epoch == epoch_ && !o.hedge && (!best || o.seq() < best->seq)) {
      auto& item = o.items.front();
      best = out_batch{item.seq, item.attempt, id, o.since, item.state_after, false, o.items.size()};
    }
  }
  if (!best || (!waiting_.empty() && waiting_.front().seq < best->seq))
    return std::nullopt;
  // Not when a job of that seq was hedged already, or is itself the hedge.
  for (auto& [id, slot] : workers_)
    for (auto& o : slot.out)
      if (o.epoch == epoch_ && o.seq() == best->seq && (o.hedged || o.hedge))
        return std::nullopt;
  // A queued job of a lower seq (behind another at its worker) comes first.
  for (auto& [id, slot] : workers_)
    for (auto& o : slot.out)
      if (o.epoch == epoch_ && o.seq() < best->seq)
        return std::nullopt;
  return best;
}

std::optional<worker_id> dispatcher::idle_worker(std::size_t items) const {
  for (auto& [id, slot] : workers_)
    if (slot.out.empty() && !slot.retiring && slot.max_items >= items)
      return id;
  return std::nullopt;
}

std::optional<assignment> dispatcher::hedge(std::uint64_t seq, worker_id to, clock_time now) {
  auto t = workers_.find(to);
  if (t == workers_.end())
    return std::nullopt;
  for (auto& [id, slot] : workers_) {
    if (id == to)
      continue;
    for (auto& o : slot.out) {
      if (o.epoch != epoch_ || o.seq() != seq || o.hedged || o.hedge)
        continue;
      o.hedged = true;
      assignment a{to, o.items, std::make_shared<std::atomic<bool>>(false)};
      out_job copy{epoch_, o.items, a.claim, false, now};
      copy.hedge = true;
      t->second.out.push_back(std::move(copy));
      return a;
    }
  }
  return std::nullopt;
}

bool dispatcher::is_hedge(worker_id w, std::uint64_t seq) const {
  auto i = workers_.find(w);
  if (i == workers_.end())
    return false;
  for (auto& o : i->second.out)
    if (o.epoch == epoch_ && o.seq() == seq)
      return o.hedge;
  return false;
}

std::size_t dispatcher::in_flight() const {
  std::size_t n = 0;
  for (auto& [id, slot] : workers_)
    for (auto& o : slot.out)
      n += o.epoch == epoch_ ? o.items.size() : 0;
  return n;
}

}  // namespace lockstep::detail
