// Type-erased, in-process values: the states, batches and outputs of a source.
#pragma once

#include <memory>

namespace lockstep::detail {

/// Only the source adapter that made a box knows its type; actors pass boxes
/// along without looking inside. Boxes never cross a process boundary.
/// States and batches are shared between actors and never change: const_box.
/// An output has one owner at a time and is moved out to the client: box.
using box = std::shared_ptr<void>;
using const_box = std::shared_ptr<const void>;

}  // namespace lockstep::detail
