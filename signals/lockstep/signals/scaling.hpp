// Per-recording, per-channel scaling of signal values, with statistics
// computed once when a dataset is opened.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace lockstep::signals {

enum class scaling {
  none,    ///< physical units, as stored
  robust,  ///< (x - median) / IQR, clipped to +-clip IQRs (U-Sleep, YASA)
  zscore,  ///< (x - mean) / standard deviation
};

/// "none", "robust", "zscore".
std::string_view scaling_name(scaling s);
/// The scaling `text` names; throws lockstep::error(invalid_config) naming
/// the choices for anything else.
scaling parse_scaling(std::string_view text);

/// y = (x - center) / spread, then clipped to [-clip, clip] when clip > 0;
/// computed in double, rounded to float once.
struct channel_scale {
  double center = 0;
  double spread = 1;
  friend bool operator==(const channel_scale&, const channel_scale&) = default;
};

/// Median and inter-quartile range of `x`, as NumPy's percentile computes
/// them (its default 'linear' method: position (n - 1) * q, interpolated).
/// Reorders `x`. Needs a non-empty x.
channel_scale robust_statistics(std::vector<float>& x);

/// Mean and standard deviation (NumPy's std: divided by n), in double.
channel_scale zscore_statistics(const std::vector<float>& x);

void apply_scale(float* y, std::size_t n, const channel_scale& s, double clip);

}  // namespace lockstep::signals
