// Peer: a raw TCP stream between two processes, the transport bound of the remote rows.
#pragma once

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// w.total() batches of w.params.item_bytes, each behind an 8-byte index,
/// from a sender process (this program as `lockstep_bench raw-tcp-send`) to
/// this one over loopback TCP. This process reads each batch whole into one
/// reused buffer and checks its index; nothing is allocated, serialized or
/// materialized per batch, so the rate is what the transport alone allows.
/// The rate counts the batches after w.warmup; the cost per batch is this
/// (the receiving) process's only.
throughput raw_tcp_rate(const workload& w);

/// `lockstep_bench raw-tcp-send --port P --bytes N --batches C`: connects to
/// 127.0.0.1:P and sends C batches of N bytes from one buffer filled once.
int raw_tcp_send_child(int argc, char** argv);

}  // namespace lockstep::bench
