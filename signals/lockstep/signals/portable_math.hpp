// sin and the Bessel function I0 with + and * only, so every IEEE-754
// platform computes the same values (libm's may differ in the last bit
// between libraries): synthetic signals and resampling filters are the same
// bytes everywhere.
#pragma once

namespace lockstep::signals {

/// sin(x), within 1e-12 of it.
double portable_sin(double x);

/// The modified Bessel function of the first kind of order 0, by its power
/// series (for the Kaiser window: arguments up to about 20).
double portable_bessel_i0(double x);

}  // namespace lockstep::signals
