// A type-erased, in-process value: a state, batch or output of some source.
#pragma once

#include <memory>

namespace lockstep {

/// Only the source adapter that made a box knows its type; actors pass boxes
/// along without looking inside. Boxes never cross a process boundary.
using box = std::shared_ptr<void>;

}  // namespace lockstep
