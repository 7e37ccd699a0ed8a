// Row restart_ms: from a mismatched take() to its batch.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Milliseconds from take(s), with s not where a busy batcher stands (W = 4,
/// every worker busy, 2 ms fixed latency), to its batch: lockstep; and one
/// materialize of the same work in the caller: materialize. Goal: lockstep
/// <= materialize + 5 ms.
row restart_row(context& ctx);

}  // namespace lockstep::bench
