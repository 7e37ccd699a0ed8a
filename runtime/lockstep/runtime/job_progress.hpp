// A job's checkpoint: its watermark, the pages done beyond it, the pages that failed. API.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>

#include "lockstep/detail/state_json.hpp"

namespace lockstep {

/// A page that failed every attempt.
template <class State>
struct page_failure {
  std::uint64_t index = 0;    ///< its position in the job (pages before it)
  State state{};              ///< the state before it: a run started there redoes it
  std::string error;          ///< the last attempt's error
  std::uint32_t attempts = 0;
  friend bool operator==(const page_failure&, const page_failure&) = default;
};

/// Where a job stands (job_runner): every page before `watermark` is
/// settled — done, or failed every attempt and listed in `failed` — and the
/// pages at the offsets `done_ahead` beyond it are done too (offset 0 is the
/// page right after the watermark). Resuming runs every other page from the
/// watermark on, at least once. A state of the source itself is the
/// progress of a job that stands there with nothing done beyond it.
template <class State>
struct job_progress {
  State watermark{};
  std::uint64_t index = 0;  ///< pages before the watermark (the checkpoint's "index")
  std::vector<std::uint64_t> done_ahead;  ///< ascending, each once
  std::vector<page_failure<State>> failed;
  friend bool operator==(const job_progress&, const job_progress&) = default;
};

namespace detail {

/// A failure as the library's JSON code sees it.
struct failure_view {
  std::uint64_t index;
  const void* state;
  const std::string* error;
  std::uint32_t attempts;
};
using failure_sink = std::function<void(std::uint64_t index, const boost::json::value& state,
                                        std::string error, std::uint32_t attempts)>;

/// {"watermark": W, "done_ahead": [...], "failed": [{"index", "state", "error", "attempts"}]}
void progress_to_json(boost::json::value& out, to_json_fn state_to, const void* watermark,
                      const std::vector<std::uint64_t>& done_ahead,
                      const std::vector<failure_view>& failed);
/// Reads that, or a plain state (a watermark with nothing beyond it). Throws
/// lockstep::error(invalid_state) naming the field that is wrong.
void progress_from_json(const boost::json::value& in, from_json_fn state_from, void* watermark,
                        std::vector<std::uint64_t>& done_ahead, const failure_sink& failed);

}  // namespace detail

template <detail::json_convertible State>
void tag_invoke(boost::json::value_from_tag, boost::json::value& out,
                const job_progress<State>& p) {
  std::vector<detail::failure_view> failed;
  failed.reserve(p.failed.size());
  for (auto& f : p.failed)
    failed.push_back({f.index, &f.state, &f.error, f.attempts});
  detail::progress_to_json(out, &detail::erased_to_json<State>, &p.watermark, p.done_ahead,
                           failed);
}

template <detail::json_convertible State>
job_progress<State> tag_invoke(boost::json::value_to_tag<job_progress<State>>,
                               const boost::json::value& in) {
  std::optional<State> watermark;
  job_progress<State> p;
  detail::progress_from_json(
    in, &detail::erased_from_json<State>, &watermark, p.done_ahead,
    [&](std::uint64_t index, const boost::json::value& state, std::string error,
        std::uint32_t attempts) {
      std::optional<State> s;
      detail::erased_from_json<State>(state, &s);
      p.failed.push_back({index, std::move(*s), std::move(error), attempts});
    });
  p.watermark = std::move(*watermark);
  return p;
}

}  // namespace lockstep
