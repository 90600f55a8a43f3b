// Shared by every translation unit of the shim: error capture and handle helpers.
#pragma once
#include <ATen/ATen.h>
#include <atomic>
#include <exception>
#include <string>
#include "../include/flowtune.h"

namespace ft {

std::string& last_error();
extern std::atomic<int64_t> live_tensors;

// Returns a new owning handle for t (undefined → NULL).
inline ft_tensor wrap(const at::Tensor& t) {
  if (!t.defined()) return nullptr;
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return reinterpret_cast<ft_tensor>(new at::Tensor(t));
}

inline at::Tensor& unwrap(ft_tensor t) {
  if (t == nullptr) throw std::invalid_argument("null tensor handle");
  return *reinterpret_cast<at::Tensor*>(t);
}

inline void set_error(const char* what) { last_error() = what ? what : "unknown native error"; }

}  // namespace ft

// Every export body: FT_TRY { ... } FT_CATCH — catches everything, records the message, returns 1.
#define FT_TRY try {
#define FT_CATCH                                              \
  return 0;                                                   \
  }                                                           \
  catch (const c10::Error& e) {                               \
    ft::set_error(e.what_without_backtrace());                \
    return 1;                                                 \
  }                                                           \
  catch (const std::exception& e) {                           \
    ft::set_error(e.what());                                  \
    return 1;                                                 \
  }                                                           \
  catch (...) {                                               \
    ft::set_error("unknown C++ exception in the native shim"); \
    return 1;                                                 \
  }
