// The lockstep Python module: the built-in sources, a batcher with take(state),
// ranks and checkpoints. Outputs reach Python as NumPy arrays over the
// output's own memory (no copy), kept alive by the arrays.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include "lockstep/lockstep.hpp"
#include "lockstep/signals/random_batches.hpp"
#include "lockstep/signals/subjects.hpp"
#include "lockstep/sources/grid.hpp"
#include "lockstep/sources/synthetic.hpp"
#include "python_source.hpp"

namespace py = pybind11;

namespace lockstep::python {
namespace {

// -- States: opaque to Python, one C++ type per source ----------------------

struct any_state {
  virtual ~any_state() = default;
  virtual std::string_view source() const = 0;
  virtual std::optional<std::uint64_t> index() const = 0;
  virtual bool equals(const any_state& other) const = 0;
};

template <class State, class Source>
struct state_of final : any_state {
  State value;
  explicit state_of(State v) : value(std::move(v)) {}
  std::string_view source() const override { return Source::name; }
  std::optional<std::uint64_t> index() const override { return detail::index_in<Source>(value); }
  bool equals(const any_state& other) const override {
    auto* o = dynamic_cast<const state_of*>(&other);
    return o != nullptr && o->value == value;
  }
};

using state_ptr = std::shared_ptr<const any_state>;

// -- Outputs: moved to the heap, viewed by arrays ---------------------------

// An array over `data` that keeps `owner` alive as its base.
template <class T, class Owner>
py::array_t<T> view(const std::shared_ptr<Owner>& owner, const T* data,
                    const std::vector<std::uint64_t>& shape) {
  auto* keep = new std::shared_ptr<Owner>(owner);
  py::capsule base{keep, [](void* p) { delete static_cast<std::shared_ptr<Owner>*>(p); }};
  std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  return py::array_t<T>(dims, data, base);
}

py::object to_python(synthetic_output out, const void*& data) {
  auto held = std::make_shared<synthetic_output>(std::move(out));
  data = held->bytes.data();
  py::dict d;
  d["index"] = held->index;
  d["bytes"] = view(held, held->bytes.data(), {held->bytes.size()});
  return d;
}

py::object to_python(signals::labeled_batch out, const void*& data) {
  auto held = std::make_shared<signals::labeled_batch>(std::move(out));
  data = held->x.values.data();
  py::dict d;
  d["x"] = view(held, held->x.values.data(), held->x.shape);
  d["y"] = view(held, held->y.values.data(), held->y.shape);
  py::list items;
  for (auto& w : held->items) {
    py::dict item;
    item["recording"] = w.recording;
    item["start_epoch"] = w.start_epoch;
    item["start_sample"] = w.start_sample;
    item["channels"] = w.channels;
    items.append(item);
  }
  d["items"] = items;
  return d;
}

py::object to_python(grid_output out, const void*& data) {
  data = nullptr;
  py::dict d;
  d["index"] = out.index;
  d["run"] = out.run;
  d["at"] = out.at;
  return d;
}

py::object to_python(py_ref out, const void*& data) {
  data = nullptr;
  return out.get();
}

template <class Out>
py::object to_python(std::optional<Out> out, const void*& data) {
  data = nullptr;
  if (!out)
    return py::none();  // a rank past the end of a finite source
  return to_python(std::move(*out), data);
}

py::dict to_python(const run_stats& s) {
  py::dict d;
  d["delivered"] = s.delivered;
  d["bytes_delivered"] = s.bytes_delivered;
  d["retries"] = s.retries;
  d["restarts"] = s.restarts;
  d["workers_lost"] = s.workers_lost;
  d["hedges"] = s.hedges;
  d["hedges_won"] = s.hedges_won;
  d["take_wait_seconds"] = s.take_wait_seconds;
  d["rate"] = s.rate;
  d["ahead"] = s.ahead;
  d["in_flight"] = s.in_flight;
  py::list workers;
  for (auto& w : s.workers) {
    py::dict x;
    x["worker"] = w.worker;
    x["node"] = w.node;
    x["busy"] = w.busy;
    x["jobs"] = w.jobs;
    workers.append(x);
  }
  d["workers"] = workers;
  return d;
}

// -- Checkpointers: lockstep::checkpointer behind one Python type ----------

class any_checkpointer {
 public:
  virtual ~any_checkpointer() = default;
  virtual void offer(const state_ptr& s) = 0;
  virtual void stop() = 0;
  virtual std::uint64_t writes() const = 0;
};

// -- Batchers: one C++ type per source, one Python type ---------------------

class any_batcher {
 public:
  virtual ~any_batcher() = default;
  virtual state_ptr seeded(std::uint64_t seed) const = 0;
  /// A Python source's state from a Python value.
  virtual state_ptr state(const py::object& value) const = 0;
  /// (output, state) or None at the end; the GIL is released while it waits.
  virtual py::object take(const state_ptr& s) = 0;
  virtual std::string checkpoint(const state_ptr& s) const = 0;
  virtual state_ptr from_checkpoint(const std::string& text, bool accept_changes) const = 0;
  virtual void save(const std::string& path, const state_ptr& s) const = 0;
  virtual state_ptr load(const std::string& path, bool accept_changes) const = 0;
  virtual py::dict stats() const = 0;
  /// A lockstep::checkpointer of this batcher's source writing to `path`.
  virtual std::unique_ptr<any_checkpointer> checkpointer(const std::string& path,
                                                         double every_seconds) const = 0;
  virtual void pause() = 0;
  virtual void resume() = 0;
  virtual void stop() = 0;
  /// Where the last output's main array starts (for the zero-copy test).
  std::uintptr_t last_output_address() const { return last_; }
  /// Threads inside take() now (for the test that the GIL is released).
  int waiting_in_take() const { return waiting_.load(); }

 protected:
  std::uintptr_t last_ = 0;
  std::atomic<int> waiting_{0};
};

// The source whose states a batcher takes: a rank's share takes its inner
// source's, so one state goes to a batcher with ranks and one without.
template <class S>
struct state_owner {
  using type = S;
};
template <class S>
struct state_owner<rank_share<S>> {
  using type = S;
};

template <source S>
class bound_batcher final : public any_batcher {
 public:
  using state_type = typename S::state_type;
  using held_state = state_of<state_type, typename state_owner<S>::type>;

  bound_batcher(S src, const config& cfg) { b_.emplace(std::move(src), cfg); }
  // Workers of a Python source may wait for the GIL: let them have it while
  // the batcher ends them.
  ~bound_batcher() override {
    if (finalizing()) {
      b_.reset();  // no thread can take the GIL any more
      return;
    }
    py::gil_scoped_release unlocked;
    b_.reset();
  }

  state_ptr seeded(std::uint64_t seed) const override {
    if constexpr (requires { state_type::seeded(seed); })
      return std::make_shared<held_state>(state_type::seeded(seed));
    else
      throw error(errc::invalid_config, "a Python source has no seeded states: "
                                        "give its first state with batcher.make_state(value)");
  }

  state_ptr state(const py::object& value) const override {
    if constexpr (std::same_as<state_type, python_source::state_type>)
      return std::make_shared<held_state>(python_source::state_of(value));
    else
      throw error(errc::invalid_config, "make_state(value) is for Python sources; use seeded()");
  }

  py::object take(const state_ptr& s) override {
    auto& state = unwrap(s);
    std::optional<step<typename S::output_type, state_type>> next;
    {
      py::gil_scoped_release unlocked;
      ++waiting_;
      struct leave {
        std::atomic<int>& n;
        ~leave() { --n; }
      } left{waiting_};
      next = b_->take(state);
    }
    if (!next)
      return py::none();
    const void* data = nullptr;
    auto out = to_python(std::move(next->output), data);
    last_ = reinterpret_cast<std::uintptr_t>(data);
    return py::make_tuple(out, state_ptr{std::make_shared<held_state>(std::move(next->state))});
  }

  std::string checkpoint(const state_ptr& s) const override {
    auto& state = unwrap(s);
    return checkpoint_text(b_->source(), state, detail::index_in<S>(state).value_or(0));
  }

  state_ptr from_checkpoint(const std::string& text, bool accept_changes) const override {
    auto r = parse_checkpoint(b_->source(), text, "checkpoint", resume_options{accept_changes});
    return std::make_shared<held_state>(std::move(r.state));
  }

  void save(const std::string& path, const state_ptr& s) const override {
    auto& state = unwrap(s);
    save_checkpoint(path, b_->source(), state, detail::index_in<S>(state).value_or(0));
  }

  state_ptr load(const std::string& path, bool accept_changes) const override {
    auto r = load_checkpoint(path, b_->source(), resume_options{accept_changes});
    return std::make_shared<held_state>(std::move(r.state));
  }

  py::dict stats() const override { return to_python(b_->stats()); }

  std::unique_ptr<any_checkpointer> checkpointer(const std::string& path,
                                                 double every_seconds) const override {
    if (!(every_seconds >= 0 && every_seconds <= 86400))
      throw error(errc::invalid_config, "every_seconds must be between 0 and 86400");
    auto every = std::chrono::nanoseconds{static_cast<std::int64_t>(every_seconds * 1e9)};
    return std::make_unique<typed_checkpointer>(b_->source(), path, every);
  }
  void pause() override { b_->pause(); }
  void resume() override { b_->resume(); }
  void stop() override {
    py::gil_scoped_release unlocked;
    b_->stop();
  }

 private:
  class typed_checkpointer final : public any_checkpointer {
   public:
    typed_checkpointer(const S& src, const std::string& path, std::chrono::nanoseconds every)
      : ck_(src, path, every) {}
    // Offered from the training loop's thread; the file is written on the
    // checkpointer's own, at most once an interval.
    void offer(const state_ptr& s) override {
      auto& state = unwrap(s);
      ck_.offer(state, detail::index_in<S>(state).value_or(0));
    }
    void stop() override {
      py::gil_scoped_release unlocked;
      ck_.stop();
    }
    std::uint64_t writes() const override { return ck_.writes(); }

   private:
    lockstep::checkpointer<S> ck_;
  };

  static const state_type& unwrap(const state_ptr& s) {
    auto* typed = dynamic_cast<const held_state*>(s.get());
    if (typed == nullptr)
      throw error(errc::invalid_state, "a state of the " + std::string{s->source()} +
                                         " source given to a batcher of the " +
                                         std::string{S::name} + " source");
    return typed->value;
  }

  std::optional<batcher<S>> b_;
};

// -- Sources: what Python describes, built when a Batcher is made -----------

struct source_spec {
  std::string kind;
  std::string params_json;  // synthetic, grid
  std::string dataset;      // signals
  signals::random_batches_params signals;
  py::object iterate, materialize;  // python
  signals::dataset_options dataset_options{};
  std::string validation;  // signals: must share no subject with `dataset`
};

template <source S>
std::unique_ptr<any_batcher> bind_source(S src, const config& cfg,
                                         const std::optional<rank_spec>& ranks) {
  if (!ranks)
    return std::make_unique<bound_batcher<S>>(std::move(src), cfg);
  return std::make_unique<bound_batcher<rank_share<S>>>(rank_share<S>{std::move(src), *ranks},
                                                        cfg);
}

std::unique_ptr<any_batcher> make_batcher(const source_spec& spec, const std::string& config_json,
                                          std::size_t rank, std::size_t world_size,
                                          const std::string& shard) {
  auto cfg = config_from_json(config_json, "config");
  std::optional<rank_spec> ranks;
  if (world_size != 1 || rank != 0 || shard != "interleave")
    ranks = rank_spec{rank, world_size, parse_shard_mode(shard)};
  auto params = [&] { return boost::json::parse(spec.params_json); };
  if (spec.kind == "synthetic")
    return bind_source(synthetic{boost::json::value_to<synthetic_params>(params())}, cfg, ranks);
  if (spec.kind == "python")
    return bind_source(python_source{spec.iterate, spec.materialize}, cfg, ranks);
  if (spec.kind == "grid")
    return bind_source(grid{boost::json::value_to<grid_params>(params())}, cfg, ranks);
  auto data = signals::dataset::open(spec.dataset, spec.dataset_options);
  if (!spec.validation.empty())
    signals::check_disjoint_subjects(*data, *signals::dataset::open(spec.validation));
  return bind_source(signals::random_batches{std::move(data), spec.signals}, cfg, ranks);
}

}  // namespace
}  // namespace lockstep::python

PYBIND11_MODULE(_lockstep, m) {
  using namespace lockstep;
  using namespace lockstep::python;
  m.doc() = "lockstep: ordered, reproducible, resumable batches (the C++ runtime)";

  // lockstep::error and its subclasses become lockstep.Error, whose `code`
  // names the errc.
  static py::exception<error> error_type(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const error& e) {
      auto err = py::reinterpret_borrow<py::object>(error_type.ptr())(e.what());
      err.attr("code") = std::string{to_string(e.code())};
      PyErr_SetObject(error_type.ptr(), err.ptr());
    }
  });

  py::class_<any_state, std::shared_ptr<any_state>>(m, "State",
                                                    "Where a run stands: a complete checkpoint")
    .def_property_readonly("source", [](const any_state& s) { return std::string{s.source()}; })
    .def_property_readonly("index", &any_state::index,
                           "How many batches (of the global stream) come before it")
    .def("__eq__", [](const any_state& a, const any_state& b) { return a.equals(b); })
    .def("__repr__", [](const any_state& s) {
      auto i = s.index();
      return "<lockstep.State of " + std::string{s.source()} +
             (i ? " at " + std::to_string(*i) : std::string{}) + ">";
    });

  py::class_<source_spec>(m, "_SourceSpec");
  m.def("_synthetic", [](const std::string& params_json) {
    source_spec s{"synthetic", params_json, {}, {}, {}, {}, {}, {}};
    // Checked now, so a bad parameter is refused where it was written.
    (void)boost::json::value_to<synthetic_params>(boost::json::parse(params_json));
    return s;
  });
  m.def("_grid", [](const std::string& params_json) {
    source_spec s{"grid", params_json, {}, {}, {}, {}, {}, {}};
    (void)boost::json::value_to<grid_params>(boost::json::parse(params_json));
    return s;
  });
  m.def("_signals",
        [](const std::string& dataset, double epoch_seconds, std::uint32_t batch_size,
           double window_seconds, std::optional<std::uint32_t> n_channels,
           std::optional<std::vector<double>> signal_weights,
           std::optional<std::vector<std::vector<double>>> label_weights,
           std::vector<std::string> channels, std::optional<double> sample_rate,
           const std::string& scaling, double clip, std::optional<double> crop_wake_minutes,
           std::optional<std::uint32_t> sequence_epochs, const std::string& order,
           const std::string& validation) {
          source_spec s{"signals", {}, dataset, {}, {}, {}, {}, validation};
          s.dataset_options.epoch_seconds = epoch_seconds;
          s.dataset_options.channels = std::move(channels);
          s.dataset_options.sample_rate = sample_rate;
          s.dataset_options.scaling = signals::parse_scaling(scaling);
          s.dataset_options.clip = clip;
          s.dataset_options.crop_wake_minutes = crop_wake_minutes;
          s.signals.sequence_epochs = sequence_epochs;
          s.signals.order = signals::parse_window_order(order);
          s.signals.batch_size = batch_size;
          s.signals.window_seconds = window_seconds;
          s.signals.n_channels = n_channels;
          s.signals.signal_weights = std::move(signal_weights);
          s.signals.label_weights = std::move(label_weights);
          return s;
        });

  m.def("_python_source", [](py::object iterate, py::object materialize) {
    for (auto* f : {&iterate, &materialize})
      if (!PyCallable_Check(f->ptr()))
        throw error(errc::invalid_config, "a Python source needs two callables, iterate(state) "
                                          "and materialize(batch)");
    return source_spec{"python", {}, {}, {}, std::move(iterate), std::move(materialize), {}, {}};
  });

  py::class_<any_checkpointer>(m, "_Checkpointer")
    .def("offer", &any_checkpointer::offer)
    .def("stop", &any_checkpointer::stop)
    .def_property_readonly("writes", &any_checkpointer::writes);

  py::class_<any_batcher>(m, "_Batcher")
    .def(py::init(&make_batcher), py::arg("source"), py::arg("config_json"), py::arg("rank"),
         py::arg("world_size"), py::arg("shard"))
    .def("seeded", &any_batcher::seeded)
    .def("state", &any_batcher::state)
    .def("take", &any_batcher::take)
    .def("checkpoint", &any_batcher::checkpoint)
    .def("from_checkpoint", &any_batcher::from_checkpoint)
    .def("save", &any_batcher::save)
    .def("load", &any_batcher::load)
    .def("stats", &any_batcher::stats)
    .def("checkpointer", &any_batcher::checkpointer)
    .def("pause", &any_batcher::pause)
    .def("resume", &any_batcher::resume)
    .def("stop", &any_batcher::stop)
    .def("_last_output_address", &any_batcher::last_output_address)
    .def("_waiting_in_take", &any_batcher::waiting_in_take);

  m.attr("__version__") = std::string{lockstep::version};
}
