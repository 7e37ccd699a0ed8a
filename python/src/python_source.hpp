// A source written in Python: iterate and materialize are Python callables,
// run with the GIL held only inside them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <pybind11/pybind11.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::python {

namespace py = pybind11;

/// The interpreter is shutting down: a thread that took the GIL now would be
/// ended inside lockstep's C++ frames.
inline bool finalizing() { return _Py_IsFinalizing() != 0; }

/// A Python object that lockstep's threads hold and pass around without the
/// GIL: copies share one reference, and the last one drops it under the GIL.
class py_ref {
 public:
  py_ref() = default;
  /// Needs the GIL.
  explicit py_ref(py::object o) : h_(std::make_shared<handle>(std::move(o))) {}
  /// Needs the GIL.
  py::object get() const { return h_ ? h_->obj : py::none(); }
  friend bool operator==(const py_ref& a, const py_ref& b) { return a.h_ == b.h_; }

 private:
  struct handle {
    py::object obj;
    explicit handle(py::object o) : obj(std::move(o)) {}
    ~handle() {
      if (finalizing()) {
        obj.release();  // the interpreter frees everything anyway
        return;
      }
      py::gil_scoped_acquire locked;
      obj = py::object{};
    }
  };
  std::shared_ptr<handle> h_;
};

/// iterate(state) -> (batch, next_state) or None; materialize(batch) -> output.
/// A state is any value json.dumps writes and json.loads reads back equal
/// (lockstep keeps it as that JSON text, so it is a complete checkpoint);
/// batches and outputs are any Python objects. An exception from either
/// callable is retried as a failed attempt, with its message.
class python_source {
 public:
  using state_type = std::string;  ///< the Python state as JSON text
  using batch_type = py_ref;
  using output_type = py_ref;
  static constexpr std::string_view name = "python";

  /// Needs the GIL.
  python_source(py::object iterate, py::object materialize)
    : iterate_(std::move(iterate)), materialize_(std::move(materialize)) {}

  /// Needs the GIL: the JSON text of a Python state.
  static std::string state_of(const py::object& state) {
    return py::module_::import("json").attr("dumps")(state, py::arg("sort_keys") = true)
      .cast<std::string>();
  }
  /// Needs the GIL.
  static py::object state_value(const std::string& text) {
    return py::module_::import("json").attr("loads")(text);
  }

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    refuse_when_finalizing();
    py::gil_scoped_acquire locked;
    return call([&]() -> std::optional<std::pair<batch_type, state_type>> {
      auto r = iterate_.get()(state_value(s));
      if (r.is_none())
        return std::nullopt;
      auto step = r.cast<py::tuple>();
      if (step.size() != 2)
        throw std::runtime_error("iterate must return (batch, next_state) or None");
      return std::pair{py_ref{step[0]}, state_of(step[1])};
    });
  }

  output_type materialize(const batch_type& b) const {
    refuse_when_finalizing();
    py::gil_scoped_acquire locked;
    return call([&] { return py_ref{materialize_.get()(b.get())}; });
  }

 private:
  static void refuse_when_finalizing() {
    if (finalizing())
      throw permanent_error("the Python interpreter is shutting down");
  }

  // A Python exception leaves as a std::runtime_error carrying its text, so
  // nothing that needs the GIL outlives this call.
  template <class F>
  static auto call(F f) -> decltype(f()) {
    try {
      return f();
    } catch (py::error_already_set& e) {
      throw std::runtime_error(e.what());
    } catch (const py::cast_error& e) {
      throw std::runtime_error(std::string{"iterate returned something else than "
                                           "(batch, next_state) or None: "} + e.what());
    }
  }

  py_ref iterate_, materialize_;
};

}  // namespace lockstep::python
