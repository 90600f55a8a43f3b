// c10d for data-parallel training: a rendezvous store (TCPStore, FileStore), a Gloo process group, and the
// collectives FlowTune uses (all-reduce sum/average over a list of tensors, broadcast, all-gather, barrier), each with
// a timeout. Errors (a lost peer, a timeout) cross the boundary as libtorch's/Gloo's message like every export.
#include "common.h"

#include <chrono>
#include <string>
#include <vector>

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace {

struct Store {
  c10::intrusive_ptr<c10d::Store> store;
};

struct Group {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  int rank;
  int size;
};

Store& store_of(ft_store s) {
  if (s == nullptr) throw std::invalid_argument("null store handle");
  return *reinterpret_cast<Store*>(s);
}

Group& group_of(ft_group g) {
  if (g == nullptr) throw std::invalid_argument("null process group handle");
  return *reinterpret_cast<Group*>(g);
}

std::chrono::milliseconds ms(int64_t timeout_ms) {
  if (timeout_ms <= 0) throw std::invalid_argument("timeout must be positive, got " + std::to_string(timeout_ms) + " ms");
  return std::chrono::milliseconds(timeout_ms);
}

void wait(const c10::intrusive_ptr<c10d::Work>& work, int64_t timeout_ms) {
  if (!work->wait(ms(timeout_ms))) throw std::runtime_error("collective did not complete");
}

}  // namespace

FT_API(int) ft_store_tcp(const char* host, int32_t port, int32_t world_size, int32_t is_master, int64_t timeout_ms,
                         ft_store* out) {
  FT_TRY
  if (host == nullptr || *host == 0) throw std::invalid_argument("TCPStore host is empty");
  if (port <= 0 || port > 65535) throw std::invalid_argument("TCPStore port must be 1-65535, got " + std::to_string(port));
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(port);
  options.isServer = is_master != 0;
  options.numWorkers = world_size;
  options.waitWorkers = false;
  options.timeout = ms(timeout_ms);
  auto* s = new Store{c10::make_intrusive<c10d::TCPStore>(std::string(host), options)};
  *out = reinterpret_cast<ft_store>(s);
  FT_CATCH
}

FT_API(int) ft_store_file(const char* path, int32_t world_size, int64_t timeout_ms, ft_store* out) {
  FT_TRY
  if (path == nullptr || *path == 0) throw std::invalid_argument("FileStore path is empty");
  auto store = c10::make_intrusive<c10d::FileStore>(std::string(path), world_size);
  store->setTimeout(ms(timeout_ms));
  *out = reinterpret_cast<ft_store>(new Store{store});
  FT_CATCH
}

FT_API(int) ft_store_free(ft_store s) {
  FT_TRY
  delete reinterpret_cast<Store*>(s);
  FT_CATCH
}

FT_API(int) ft_store_set(ft_store s, const char* key, const uint8_t* value, int64_t length) {
  FT_TRY
  std::vector<uint8_t> bytes(value, value + length);
  store_of(s).store->set(std::string(key), bytes);
  FT_CATCH
}

// Waits (up to the store's timeout) for key; *length is the value's size; value gets min(capacity, size) bytes.
FT_API(int) ft_store_get(ft_store s, const char* key, uint8_t* value, int64_t capacity, int64_t* length) {
  FT_TRY
  auto bytes = store_of(s).store->get(std::string(key));
  *length = static_cast<int64_t>(bytes.size());
  std::copy_n(bytes.begin(), std::min<int64_t>(capacity, *length), value);
  FT_CATCH
}

FT_API(int) ft_store_check(ft_store s, const char* key, int32_t* out) {
  FT_TRY
  *out = store_of(s).store->check({std::string(key)}) ? 1 : 0;
  FT_CATCH
}

FT_API(int) ft_store_add(ft_store s, const char* key, int64_t delta, int64_t* out) {
  FT_TRY
  *out = store_of(s).store->add(std::string(key), delta);
  FT_CATCH
}

// Gloo over TCP. The device is the network interface iface if given, else the address hostname resolves to if given,
// else Gloo's default (this machine's hostname).
FT_API(int) ft_group_gloo(ft_store s, int32_t rank, int32_t size, const char* iface, const char* hostname,
                          int64_t timeout_ms, ft_group* out) {
  FT_TRY
  if (size < 1) throw std::invalid_argument("world size must be >= 1, got " + std::to_string(size));
  if (rank < 0 || rank >= size)
    throw std::invalid_argument("rank must be in [0, " + std::to_string(size) + "), got " + std::to_string(rank));
  auto options = c10d::ProcessGroupGloo::Options::create(ms(timeout_ms));
  if (iface != nullptr && *iface != 0)
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
  else if (hostname != nullptr && *hostname != 0)
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
  else
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  options->threads = 1;
  auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store_of(s).store, rank, size, options);
  *out = reinterpret_cast<ft_group>(new Group{group, rank, size});
  FT_CATCH
}

FT_API(int) ft_group_free(ft_group g) {
  FT_TRY
  delete reinterpret_cast<Group*>(g);
  FT_CATCH
}

// op: 0 = sum, 1 = average. Tensors of one dtype are flattened into one buffer (one collective), reduced, and copied
// back in place; so a model's gradients cost one all-reduce per dtype.
FT_API(int) ft_all_reduce(ft_group g, const ft_tensor* tensors, int32_t n, int32_t op, int64_t timeout_ms) {
  FT_TRY
  auto& group = group_of(g);
  if (op != 0 && op != 1) throw std::invalid_argument("all-reduce op must be 0 (sum) or 1 (average), got " + std::to_string(op));
  std::vector<std::vector<at::Tensor>> by_type;
  for (int32_t i = 0; i < n; ++i) {
    auto& t = ft::unwrap(tensors[i]);
    auto it = std::find_if(by_type.begin(), by_type.end(),
                           [&](const std::vector<at::Tensor>& v) { return v[0].scalar_type() == t.scalar_type() && v[0].device() == t.device(); });
    if (it == by_type.end()) by_type.push_back({t});
    else it->push_back(t);
  }
  for (auto& list : by_type) {
    std::vector<at::Tensor> flat;
    flat.reserve(list.size());
    for (auto& t : list) flat.push_back(t.reshape({-1}));
    std::vector<at::Tensor> buffer{at::cat(flat)};
    wait(group.group->allreduce(buffer, c10d::AllreduceOptions{}), timeout_ms);
    if (op == 1) buffer[0].div_(group.size);
    int64_t offset = 0;
    for (auto& t : list) {
      const auto count = t.numel();
      t.copy_(buffer[0].narrow(0, offset, count).view(t.sizes()));
      offset += count;
    }
  }
  FT_CATCH
}

FT_API(int) ft_broadcast(ft_group g, ft_tensor tensor, int32_t root, int64_t timeout_ms) {
  FT_TRY
  auto& group = group_of(g);
  if (root < 0 || root >= group.size)
    throw std::invalid_argument("broadcast root must be in [0, " + std::to_string(group.size) + "), got " + std::to_string(root));
  auto& t = ft::unwrap(tensor);
  std::vector<at::Tensor> buffer{t.is_contiguous() ? t : t.contiguous()};
  c10d::BroadcastOptions options;
  options.rootRank = root;
  wait(group.group->broadcast(buffer, options), timeout_ms);
  if (!t.is_same(buffer[0])) t.copy_(buffer[0]);
  FT_CATCH
}

// outputs: world-size new handles, rank r's tensor at index r.
FT_API(int) ft_all_gather(ft_group g, ft_tensor tensor, int64_t timeout_ms, ft_tensor* outputs) {
  FT_TRY
  auto& group = group_of(g);
  auto input = ft::unwrap(tensor).contiguous();
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < group.size; ++r) out[0].push_back(at::empty_like(input));
  std::vector<at::Tensor> in{input};
  wait(group.group->allgather(out, in, c10d::AllgatherOptions{}), timeout_ms);
  for (int r = 0; r < group.size; ++r) outputs[r] = ft::wrap(out[0][r]);
  FT_CATCH
}

FT_API(int) ft_barrier(ft_group g, int64_t timeout_ms) {
  FT_TRY
  auto& group = group_of(g);
  c10d::BarrierOptions options;
  options.timeout = ms(timeout_ms);
  wait(group.group->barrier(options), timeout_ms);
  FT_CATCH
}
