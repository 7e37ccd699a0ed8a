// The source a job_runner runs: the user's, with pages known done skipped.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>

#include "lockstep/detail/job_pacing.hpp"
#include "lockstep/detail/state_json.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep::detail {

/// {"state": S, "ordinal": n}, for logs.
void ordinal_state_to_json(boost::json::value& out, to_json_fn state_to, const void* state,
                           std::uint64_t ordinal);
std::uint64_t ordinal_state_from_json(const boost::json::value& in, from_json_fn state_from,
                                      void* state);

/// What a job run shares with its source: the offsets (from the run's start)
/// of pages known done, which are not materialized again, and the pacing.
struct job_shared {
  explicit job_shared(double pages_per_second) : pacing(pages_per_second) {}
  void set_done(std::vector<std::uint64_t> offsets) {
    std::lock_guard<std::mutex> guard{mtx};
    done = std::move(offsets);
  }
  bool is_done(std::uint64_t offset) const {
    std::lock_guard<std::mutex> guard{mtx};
    return std::binary_search(done.begin(), done.end(), offset);
  }
  mutable std::mutex mtx;  // the feeder reads, the client sets (between runs)
  std::vector<std::uint64_t> done;
  job_pacing pacing;
};

/// S with each state numbered from the run's start (the ordinal), so that a
/// page is known by its offset: a page known done is handed on without its
/// materialize (output nullopt), every other one waits for its turn of the
/// pacing first.
template <source S>
class job_source {
 public:
  struct state_type {
    typename S::state_type inner{};
    std::uint64_t ordinal = 0;
    friend bool operator==(const state_type&, const state_type&) = default;
    friend void tag_invoke(boost::json::value_from_tag, boost::json::value& out,
                           const state_type& s) {
      ordinal_state_to_json(out, &erased_to_json<typename S::state_type>, &s.inner, s.ordinal);
    }
    friend state_type tag_invoke(boost::json::value_to_tag<state_type>,
                                 const boost::json::value& in) {
      std::optional<typename S::state_type> inner;
      auto ordinal = ordinal_state_from_json(in, &erased_from_json<typename S::state_type>, &inner);
      return {std::move(*inner), ordinal};
    }
  };
  struct batch_type {
    typename S::batch_type inner;
    bool skip = false;
  };
  struct output_type {
    std::optional<typename S::output_type> inner;  ///< nullopt: done before
  };
  static constexpr std::string_view name = S::name;
  static constexpr std::uint32_t state_version = state_version_of<S>();

  job_source(S src, std::shared_ptr<job_shared> shared)
      : src_(std::move(src)), shared_(std::move(shared)) {}

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    auto next = src_.iterate(s.inner);
    if (!next)
      return std::nullopt;
    return std::pair{batch_type{std::move(next->first), shared_->is_done(s.ordinal)},
                     state_type{std::move(next->second), s.ordinal + 1}};
  }
  output_type materialize(const batch_type& b) const {
    if (b.skip)
      return {};
    if (!shared_->pacing.wait())
      throw permanent_error("the job stopped");
    return {src_.materialize(b.inner)};
  }
  std::string fingerprint() const { return fingerprint_of(src_); }
  const S& inner() const noexcept { return src_; }

 private:
  S src_;
  std::shared_ptr<job_shared> shared_;
};

}  // namespace lockstep::detail
