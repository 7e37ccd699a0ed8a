#include "stats.hpp"

#include <algorithm>
#include <stdexcept>

#include <sys/resource.h>

namespace lockstep::bench {

process_usage process_usage::now() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return {seconds(u.ru_utime) + seconds(u.ru_stime),
          static_cast<double>(u.ru_nvcsw + u.ru_nivcsw)};
}

summary summarize(std::vector<double> samples) {
  if (samples.empty())
    throw std::invalid_argument("summarize: no samples");
  std::sort(samples.begin(), samples.end());
  auto n = samples.size();
  auto median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return {median, samples.front(), samples.back()};
}

std::vector<std::vector<double>> interleaved(const std::vector<std::function<double()>>& measure,
                                             int reps) {
  std::vector<std::vector<double>> samples(measure.size());
  for (int r = 0; r < reps; ++r)
    for (std::size_t i = 0; i < measure.size(); ++i)
      samples[i].push_back(measure[i]());
  return samples;
}

}  // namespace lockstep::bench
