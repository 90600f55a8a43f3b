// Reference figure for `flowtune bench ops`: 1024^3 fp32 matmul timed in C++ directly against libtorch.
// Usage: matmul_bench [threads=all] [runs=5] [n=1024]  — prints one GFLOP/s figure per run and the median.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : static_cast<int>(std::thread::hardware_concurrency());
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const int64_t n = argc > 3 ? std::atoll(argv[3]) : 1024;
  at::set_num_threads(threads);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
  at::Tensor a = at::randn({n, n}, gen);  // [n, n]
  at::Tensor b = at::randn({n, n}, gen);  // [n, n]
  for (int w = 0; w < 3; ++w) at::mm(a, b);
  std::vector<double> figures;
  for (int r = 0; r < runs; ++r) {
    int iters = 0;
    auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      at::mm(a, b);
      ++iters;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < 1.0);
    const double gflops = 2.0 * n * n * n * iters / elapsed / 1e9;
    figures.push_back(gflops);
    std::printf("run %d: %.1f GFLOP/s (%d iterations)\n", r + 1, gflops, iters);
  }
  std::sort(figures.begin(), figures.end());
  std::printf("median: %.1f GFLOP/s (threads %d, n %lld)\n", figures[figures.size() / 2], threads,
              static_cast<long long>(n));
  return 0;
}
