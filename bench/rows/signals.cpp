#include "signals.hpp"

namespace lockstep::bench {

row signals_row(context&) {
  return skipped_row("signals_mb_s", "MB/s", true,
                     "needs the labeled-signals (EDF) source, which has not landed");
}

}  // namespace lockstep::bench
