// Tensor handles: lifetime, data in/out, metadata, autograd hooks.
#include <cstring>
#include "common.h"

FT_API(int) ft_tensor_free(ft_tensor t) {
  FT_TRY
  if (t != nullptr) {
    delete reinterpret_cast<at::Tensor*>(t);
    ft::live_tensors.fetch_sub(1, std::memory_order_relaxed);
  }
  FT_CATCH
}

FT_API(int) ft_tensor_share(ft_tensor t, ft_tensor* out) {
  FT_TRY
  *out = ft::wrap(ft::unwrap(t));
  FT_CATCH
}

FT_API(int) ft_tensor_from_data(const void* data, int64_t nbytes, int32_t dtype, const int64_t* dims,
                                int32_t ndim, ft_tensor* out) {
  FT_TRY
  auto options = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
  at::Tensor t = at::empty(at::IntArrayRef(dims, static_cast<size_t>(ndim)), options);  // [dims...]
  if (static_cast<int64_t>(t.nbytes()) != nbytes)
    throw std::invalid_argument("data has " + std::to_string(nbytes) + " bytes but shape and dtype need " +
                                std::to_string(t.nbytes()));
  if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
  *out = ft::wrap(t);
  FT_CATCH
}

FT_API(int) ft_tensor_to_data(ft_tensor t, void* dst, int64_t nbytes) {
  FT_TRY
  at::Tensor c = ft::unwrap(t).detach().to(at::kCPU).contiguous();
  if (static_cast<int64_t>(c.nbytes()) != nbytes)
    throw std::invalid_argument("destination has " + std::to_string(nbytes) + " bytes but the tensor has " +
                                std::to_string(c.nbytes()));
  if (nbytes > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(nbytes));
  FT_CATCH
}

FT_API(int) ft_tensor_info(ft_tensor t, int64_t* dims, int32_t cap, int32_t* ndim, int32_t* dtype,
                           int32_t* device_type, int32_t* device_index) {
  FT_TRY
  const at::Tensor& x = ft::unwrap(t);
  const auto sizes = x.sizes();
  *ndim = static_cast<int32_t>(sizes.size());
  for (int32_t k = 0; k < *ndim && k < cap; ++k) dims[k] = sizes[k];
  *dtype = static_cast<int32_t>(x.scalar_type());
  *device_type = static_cast<int32_t>(x.device().type());
  *device_index = x.device().index();
  FT_CATCH
}

FT_API(int) ft_tensor_requires_grad(ft_tensor t, int32_t set, int32_t* out) {
  FT_TRY
  at::Tensor& x = ft::unwrap(t);
  if (set >= 0) x.set_requires_grad(set != 0);
  if (out) *out = x.requires_grad() ? 1 : 0;
  FT_CATCH
}

FT_API(int) ft_tensor_grad(ft_tensor t, ft_tensor* out) {
  FT_TRY
  *out = ft::wrap(ft::unwrap(t).grad());
  FT_CATCH
}

FT_API(int) ft_tensor_clear_grad(ft_tensor t) {
  FT_TRY
  ft::unwrap(t).mutable_grad().reset();
  FT_CATCH
}

FT_API(int) ft_tensor_backward(ft_tensor t, ft_tensor grad, int32_t retain_graph, int32_t create_graph) {
  FT_TRY
  at::Tensor g = grad ? ft::unwrap(grad) : at::Tensor();
  ft::unwrap(t).backward(g, retain_graph != 0, create_graph != 0);
  FT_CATCH
}

FT_API(int) ft_tensor_is_leaf(ft_tensor t, int32_t* out) {
  FT_TRY
  *out = ft::unwrap(t).is_leaf() ? 1 : 0;
  FT_CATCH
}

FT_API(int) ft_tensor_set_data(ft_tensor t, ft_tensor src) {
  FT_TRY
  ft::unwrap(t).set_data(ft::unwrap(src));
  FT_CATCH
}
