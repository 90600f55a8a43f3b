// Errors, threads, grad mode, version, device queries.
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
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

namespace {
void check_autocast_device(int32_t device_type) {
  if (device_type != 0 && device_type != 1)
    throw std::invalid_argument("autocast device type must be 0 (CPU) or 1 (CUDA), got " + std::to_string(device_type));
}

void set_autocast(int32_t device_type, bool enabled, at::ScalarType dtype) {
  if (device_type == 0) {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  } else {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  }
}
}  // namespace

FT_API(int) ft_autocast_enter(int32_t device_type, int32_t dtype, int32_t* prev_enabled, int32_t* prev_dtype) {
  FT_TRY
  check_autocast_device(device_type);
  const auto type = static_cast<at::ScalarType>(dtype);
  if (type != at::kBFloat16 && type != at::kHalf)
    throw std::invalid_argument("autocast dtype must be bfloat16 or float16, got " + std::string(c10::toString(type)));
  if (device_type == 0 && type != at::kBFloat16)
    throw std::invalid_argument("CPU autocast supports only bfloat16, got " + std::string(c10::toString(type)));
  if (device_type == 1 && !at::hasCUDA())
    throw std::runtime_error("CUDA autocast needs a CUDA build of libtorch and a GPU");
  *prev_enabled = (device_type == 0 ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled()) ? 1 : 0;
  *prev_dtype = static_cast<int32_t>(device_type == 0 ? at::autocast::get_autocast_cpu_dtype()
                                                      : at::autocast::get_autocast_gpu_dtype());
  set_autocast(device_type, true, type);
  at::autocast::increment_nesting();
  FT_CATCH
}

FT_API(int) ft_autocast_exit(int32_t device_type, int32_t prev_enabled, int32_t prev_dtype) {
  FT_TRY
  check_autocast_device(device_type);
  set_autocast(device_type, prev_enabled != 0, static_cast<at::ScalarType>(prev_dtype));
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  FT_CATCH
}

FT_API(int) ft_autocast_enabled(int32_t device_type, int32_t* out) {
  FT_TRY
  check_autocast_device(device_type);
  *out = (device_type == 0 ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled()) ? 1 : 0;
  FT_CATCH
}
