// Errors, threads, grad mode, version, device queries.
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <cstring>
#include <torch/version.h>
#include "common.h"

namespace ft {
std::string& last_error() {
  thread_local std::string message;
  return message;
}
std::atomic<int64_t> live_tensors{0};
}  // namespace ft

FT_API(const char*) ft_last_error(void) { return ft::last_error().c_str(); }

FT_API(int) ft_version(char* buf, int32_t cap) {
  FT_TRY
  std::string v = TORCH_VERSION;
  if (cap <= 0) throw std::invalid_argument("buffer capacity must be positive");
  std::strncpy(buf, v.c_str(), static_cast<size_t>(cap) - 1);
  buf[cap - 1] = '\0';
  FT_CATCH
}

FT_API(int) ft_set_num_threads(int32_t n) {
  FT_TRY
  if (n < 1) throw std::invalid_argument("thread count must be >= 1, got " + std::to_string(n));
  at::set_num_threads(n);
  FT_CATCH
}

FT_API(int) ft_get_num_threads(int32_t* out) {
  FT_TRY
  *out = at::get_num_threads();
  FT_CATCH
}

FT_API(int) ft_cuda_device_count(int32_t* out) {
  FT_TRY
  *out = at::hasCUDA() ? static_cast<int32_t>(at::detail::getCUDAHooks().getNumGPUs()) : 0;
  FT_CATCH
}

FT_API(int64_t) ft_live_tensors(void) { return ft::live_tensors.load(); }

FT_API(int) ft_grad_mode(int32_t enabled, int32_t* previous) {
  FT_TRY
  if (previous) *previous = c10::GradMode::is_enabled() ? 1 : 0;
  if (enabled >= 0) c10::GradMode::set_enabled(enabled != 0);
  FT_CATCH
}
