#pragma once

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "core/common/clock.hpp"

namespace kerbpool::cli {

// Runs `op` in `rounds` timed rounds of `iterations` calls each and reports the median time per call:
// the machine is noisy, so medians rather than means.
struct BenchResult {
  std::string name;
  double medianNsPerOp = 0;
  double minNsPerOp = 0;
  double maxNsPerOp = 0;
  long iterations = 0;
  int rounds = 0;
};

inline BenchResult runBench(const std::string& name, long iterations, int rounds,
                            const std::function<void()>& op) {
  std::vector<double> perOp;
  for (int r = 0; r < rounds; ++r) {
    core::Stopwatch sw;
    for (long i = 0; i < iterations; ++i) {
      op();
    }
    perOp.push_back(static_cast<double>(sw.elapsed().count()) / static_cast<double>(iterations));
  }
  std::sort(perOp.begin(), perOp.end());
  return BenchResult{name, perOp[perOp.size() / 2], perOp.front(), perOp.back(), iterations, rounds};
}

inline void printBench(const BenchResult& r) {
  std::printf("%-44s %12.2f us/op  (%10.0f op/s)  min %.2f max %.2f us, %d rounds x %ld\n", r.name.c_str(),
              r.medianNsPerOp / 1000.0, 1e9 / r.medianNsPerOp, r.minNsPerOp / 1000.0, r.maxNsPerOp / 1000.0,
              r.rounds, r.iterations);
}

}  // namespace kerbpool::cli
