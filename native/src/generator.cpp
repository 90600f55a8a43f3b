// Seeded CPU random generators with savable state.
#include <ATen/CPUGeneratorImpl.h>
#include "common.h"

namespace {
at::Generator& unwrap_gen(ft_generator g) {
  if (g == nullptr) throw std::invalid_argument("null generator handle");
  return *reinterpret_cast<at::Generator*>(g);
}
}  // namespace

FT_API(int) ft_generator_new(uint64_t seed, ft_generator* out) {
  FT_TRY
  *out = reinterpret_cast<ft_generator>(new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed)));
  FT_CATCH
}

FT_API(int) ft_generator_free(ft_generator g) {
  FT_TRY
  delete reinterpret_cast<at::Generator*>(g);
  FT_CATCH
}

FT_API(int) ft_generator_get_state(ft_generator g, ft_tensor* out) {
  FT_TRY
  auto& gen = unwrap_gen(g);
  std::lock_guard<std::mutex> lock(gen.mutex());
  *out = ft::wrap(gen.get_state());
  FT_CATCH
}

FT_API(int) ft_generator_set_state(ft_generator g, ft_tensor state) {
  FT_TRY
  auto& gen = unwrap_gen(g);
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(ft::unwrap(state));
  FT_CATCH
}

FT_API(int) ft_manual_seed(uint64_t seed) {
  FT_TRY
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(seed);
  FT_CATCH
}
