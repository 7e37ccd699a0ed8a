// Row checkpointer_offer_ns: what a training step pays to keep its
// checkpoint current, and how often the file is written.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// checkpointer<synthetic>::offer, called back to back on one thread with a
/// 1 s interval: ns per offer (goal <= 100), and the writes per minute that
/// makes (goal <= 61: the leading edge, then one an interval).
row checkpointer_row(context& ctx);

}  // namespace lockstep::bench
