// request_batcher<Model>: many callers submit one request each; model
// instances run them in batches. API.
//
//   struct model {
//     using request = ...;  using response = ...;
//     std::vector<response> run_batch(std::span<const request> batch);  // one response each
//     // optional: refuse (or complete) a request before it is queued;
//     // called from submitting threads, concurrently with run_batch.
//     std::optional<std::string> validate(request& r) const;
//     // optional: one object shared by every instance.
//     static constexpr bool thread_safe = true;
//   };
//
// A batch runs when max_batch_size requests wait, or a preferred size, or
// when the oldest has waited max_delay. Every request is answered exactly
// once: its response, or a lockstep::error whose code() says why
// (rejected, batch_failed, queue_full, timed_out, stopped).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "lockstep/detail/request_core.hpp"
#include "lockstep/detail/request_meter.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/request_config.hpp"

namespace lockstep {

/// A request's answer for the callback form of submit: a response or the
/// error that took its place.
template <class Response>
class outcome {
 public:
  explicit outcome(Response r) : v_(std::move(r)) {}
  explicit outcome(error e) : v_(std::move(e)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  /// The response; throws the error when there is none.
  Response& value() {
    if (!ok())
      throw std::get<1>(v_);
    return std::get<0>(v_);
  }
  /// The error; only when !ok().
  const error& failure() const { return std::get<1>(v_); }

 private:
  std::variant<Response, error> v_;
};

namespace detail {

template <class M>
concept validating_model = requires(const M& m, typename M::request& r) {
  { m.validate(r) } -> std::convertible_to<std::optional<std::string>>;
};

template <class M>
constexpr bool shared_model() {
  if constexpr (requires { M::thread_safe; })
    return M::thread_safe;
  else
    return false;
}

template <class Request, class Response>
class typed_slot final : public request_slot {
 public:
  using done_fn = std::function<void(outcome<Response>)>;

  typed_slot(Request r, done_fn done, std::shared_ptr<request_meter> meter)
    : request(std::move(r)), done_(std::move(done)), meter_(std::move(meter)) {}
  ~typed_slot() override {
    if (done_)
      fail(errc::stopped, "request batcher stopped");
  }

  void fail(errc code, const std::string& message) override {
    finish(outcome<Response>(error(code, message)), false, code);
  }
  void answer(outcome<Response> o) {
    auto ok = o.ok();
    auto code = ok ? errc{} : o.failure().code();
    finish(std::move(o), ok, code);
  }

  Request request;

 private:
  void finish(outcome<Response> o, bool ok, errc code) {
    auto done = std::move(done_);
    done_ = nullptr;
    meter_->answered(ok, code);
    try {
      done(std::move(o));
    } catch (...) {
      // A throwing callback must not take a model instance down with it.
    }
  }

  done_fn done_;
  std::shared_ptr<request_meter> meter_;
};

}  // namespace detail

template <class Model>
class request_batcher {
 public:
  using request = typename Model::request;
  using response = typename Model::response;
  /// Makes the model of instance i (called once with 0 when the model is
  /// thread_safe, all instances sharing it).
  using factory = std::function<std::unique_ptr<Model>(std::size_t instance)>;

  explicit request_batcher(request_batcher_config cfg = {})
    requires std::is_default_constructible_v<Model>
    : request_batcher(std::move(cfg), [](std::size_t) { return std::make_unique<Model>(); }) {}

  /// `system`: run on an actor system of the caller's (it must outlive
  /// this batcher), e.g. one under CAF's test coordinator.
  request_batcher(request_batcher_config cfg, factory make, caf::actor_system* system = nullptr)
    : cfg_((detail::validate(cfg), cfg)),
      meter_(std::make_shared<detail::request_meter>(cfg_.max_batch_size)),
      models_(make_models(make)), core_(cfg_, runs(), meter_, system) {}

  ~request_batcher() = default;  // the core stops and waits for running batches

  request_batcher(const request_batcher&) = delete;
  request_batcher& operator=(const request_batcher&) = delete;

  /// Queues `r`; the future holds its response or throws lockstep::error.
  /// Callable from any thread. Blocks only under when_full::wait.
  std::future<response> submit(request r, submit_options opts = {}) {
    auto promise = std::make_shared<std::promise<response>>();
    auto f = promise->get_future();
    submit(std::move(r), [promise](outcome<response> o) {
      if (o.ok())
        promise->set_value(std::move(o.value()));
      else
        promise->set_exception(std::make_exception_ptr(o.failure()));
    }, opts);
    return f;
  }

  /// The callback form: `done` runs once, on a lockstep thread (or on the
  /// caller's, when the request is refused at once); keep it short.
  void submit(request r, std::function<void(outcome<response>)> done, submit_options opts = {}) {
    auto s = std::make_shared<slot>(std::move(r), std::move(done), meter_);
    s->high_priority = opts.level == priority::high;
    // Checked before the slot's nanoseconds take it: a huge one would overflow.
    auto refusal = detail::check_timeout(opts.timeout);
    if (!refusal) {
      s->timeout = opts.timeout;
      refusal = check(s->request);
    }
    if (refusal) {
      meter_->submitted();
      s->fail(errc::rejected, *refusal);
      return;
    }
    core_.submit(std::move(s));
  }

  /// Never blocks.
  request_stats stats() const { return core_.stats(); }

  /// Answers every queued request with errc::stopped and refuses new ones;
  /// batches already running finish and answer normally.
  void stop() { core_.stop(); }

  const request_batcher_config& config() const { return cfg_; }

 private:
  using slot = detail::typed_slot<request, response>;

  std::vector<std::shared_ptr<Model>> make_models(const factory& make) {
    std::vector<std::shared_ptr<Model>> models;
    for (std::size_t i = 0; i < cfg_.instances; ++i)
      models.push_back(detail::shared_model<Model>() && i > 0 ? models[0]
                                                               : std::shared_ptr<Model>(make(i)));
    return models;
  }

  std::vector<detail::instance_run> runs() {
    std::vector<detail::instance_run> v;
    for (auto& m : models_)
      v.push_back([m, isolate = cfg_.isolate_failures, meter = meter_](
                    std::vector<detail::slot_ptr>& slots, const std::function<void()>& ran) {
        run(*m, isolate, *meter, slots, ran);
      });
    return v;
  }

  std::optional<std::string> check(request& r) const {
    if constexpr (detail::validating_model<Model>) {
      try {
        return models_[0]->validate(r);
      } catch (const std::exception& e) {
        return std::string{e.what()};
      }
    } else {
      (void)r;
      return std::nullopt;
    }
  }

  // One batch on one model: the requests move into one contiguous vector,
  // so every half of an isolation run is a subspan of it. Every answer
  // waits until the model is done with the whole batch, then `ran` runs.
  static void run(Model& m, bool isolate, detail::request_meter& meter,
                  std::vector<detail::slot_ptr>& slots, const std::function<void()>& ran) {
    std::vector<slot*> typed;
    std::vector<request> reqs;
    typed.reserve(slots.size());
    reqs.reserve(slots.size());
    for (auto& s : slots) {
      typed.push_back(static_cast<slot*>(s.get()));
      reqs.push_back(std::move(typed.back()->request));
    }
    std::vector<std::optional<outcome<response>>> answers(reqs.size());
    batch_run b{m, meter, reqs, answers};
    std::string why;
    if (!b.attempt(0, reqs.size(), why)) {
      if (isolate && reqs.size() > 1)
        b.isolate(0, reqs.size(), why);
      else
        b.fail(0, reqs.size(), why);
    }
    ran();
    for (std::size_t i = 0; i < typed.size(); ++i)
      typed[i]->answer(std::move(*answers[i]));
  }

  struct batch_run {
    Model& m;
    detail::request_meter& meter;
    std::vector<request>& reqs;
    std::vector<std::optional<outcome<response>>>& answers;

    // Runs [lo, hi) and keeps its answers when it succeeds; else says why.
    bool attempt(std::size_t lo, std::size_t hi, std::string& why) {
      try {
        auto out = m.run_batch(std::span<const request>(reqs).subspan(lo, hi - lo));
        if (out.size() != hi - lo) {
          // Not isolable: the model answered, just wrongly.
          fail(lo, hi, "run_batch returned " + std::to_string(out.size()) + " responses for " +
                         std::to_string(hi - lo) + " requests");
          return true;
        }
        for (std::size_t i = lo; i < hi; ++i)
          answers[i].emplace(std::move(out[i - lo]));
        return true;
      } catch (const std::exception& e) {
        why = e.what();
      } catch (...) {
        why = "run_batch threw a non-standard exception";
      }
      return false;
    }

    void fail(std::size_t lo, std::size_t hi, const std::string& why) {
      for (std::size_t i = lo; i < hi; ++i)
        answers[i].emplace(error(errc::batch_failed, why));
    }

    // [lo, hi) (two or more requests) failed with `why`: run its halves.
    // When the left half succeeds the right one must hold the culprit, so
    // it is split without being run whole again.
    void isolate(std::size_t lo, std::size_t hi, const std::string& why) {
      auto mid = lo + (hi - lo) / 2;
      std::string left_why;
      meter.isolation_run();
      bool left_ok = attempt(lo, mid, left_why);
      if (!left_ok)
        settle(lo, mid, left_why);
      if (left_ok && hi - mid > 1)
        return isolate(mid, hi, why);
      std::string right_why;
      meter.isolation_run();
      if (!attempt(mid, hi, right_why))
        settle(mid, hi, right_why);
    }

    void settle(std::size_t lo, std::size_t hi, const std::string& why) {
      if (hi - lo == 1)
        fail(lo, hi, why);
      else
        isolate(lo, hi, why);
    }
  };

  request_batcher_config cfg_;
  // Shared with slots and instances, which may outlive this object.
  std::shared_ptr<detail::request_meter> meter_;
  std::vector<std::shared_ptr<Model>> models_;
  detail::request_core core_;
};

}  // namespace lockstep
