#include "lockstep/signals/portable_math.hpp"

#include <cmath>

namespace lockstep::signals {

double portable_sin(double x) {
  constexpr double pi = 3.14159265358979323846;
  x -= 2 * pi * std::nearbyint(x / (2 * pi));
  if (x > pi / 2)
    x = pi - x;
  else if (x < -pi / 2)
    x = -pi - x;
  double x2 = x * x;
  double term = x;
  double sum = x;
  for (int k = 1; k <= 7; ++k) {  // Taylor to x^15: error below 1e-12 on [-pi/2, pi/2]
    term *= -x2 / ((2 * k) * (2 * k + 1));
    sum += term;
  }
  return sum;
}

double portable_bessel_i0(double x) {
  // sum of ((x/2)^k / k!)^2; the terms fall below 1e-17 of the sum long
  // before k = 60 for the arguments a Kaiser window uses.
  double q = x * x / 4;
  double term = 1;
  double sum = 1;
  for (int k = 1; k < 60; ++k) {
    term *= q / (static_cast<double>(k) * k);
    sum += term;
  }
  return sum;
}

}  // namespace lockstep::signals
