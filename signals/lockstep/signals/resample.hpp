// Changing a signal's sample rate by a fixed rational ratio, one window at a
// time, with the result the whole signal's resampling would give.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace lockstep::signals {

/// Most filter phases (the denominator of the rate ratio) a resampler holds.
constexpr std::uint64_t max_resample_phases = 65536;

/// Output sample j of a signal resampled from rate `in` to rate `out` is its
/// band-limited interpolation at input position p = j * in / out:
///
///     y[j] = sum over m of x[floor(p) + m] * h(m - frac(p)),  m = -K+1 .. K,
///
/// where h is a Kaiser-windowed sinc (beta 8.6) cut off at min(in, out) / 2,
/// with K = 24 zero crossings on either side (stretched by in / out when
/// downsampling, so it also filters out what the lower rate cannot hold),
/// normalised per phase to sum to 1 so a constant stays that constant.
/// Samples outside the signal count as 0.
///
/// y[j] depends on j and the input only, never on which window asks for it:
/// reading a window equals cutting it from the resampled whole signal, bit for
/// bit, so there are no block edges. The taps are computed once, in double
/// with + and * only (portable_math.hpp), and the sums run in a fixed order
/// (this file is compiled without contraction into FMA), so the output is the
/// same on every machine and for any worker count.
class resampler {
 public:
  /// `in` and `out` are the input and output samples of one common span of
  /// time (e.g. per epoch: 3000 and 3840 for 100 Hz to 128 Hz). Throws
  /// lockstep::error(invalid_config) when the reduced ratio has more than
  /// max_resample_phases phases.
  resampler(std::uint64_t in, std::uint64_t out);

  /// The input samples [first, last) that output samples [start, start + n)
  /// read (first may be negative, last past the signal's end).
  std::pair<std::int64_t, std::int64_t> input_span(std::uint64_t start, std::uint64_t n) const;

  /// Output samples [start, start + n) into `y`, from `x`, which holds the
  /// input samples [first, first + x_size) (those outside the signal already
  /// set to 0) and must cover input_span(start, n).
  void apply(const float* x, std::int64_t first, std::uint64_t start, std::uint64_t n,
             float* y) const;

  /// Whether in == out: the output is the input (and apply is not needed).
  bool identity() const noexcept { return num_ == den_; }
  std::uint64_t taps() const noexcept { return 2 * half_; }

 private:
  std::uint64_t num_ = 1;  // input samples per `den_` output samples, reduced
  std::uint64_t den_ = 1;
  std::int64_t half_ = 0;       // K: taps on either side
  std::vector<double> table_;   // den_ phases x 2K taps
};

}  // namespace lockstep::signals
