/*
 * flowtune.h — the whole C ABI of FlowTune's native shim over libtorch.
 *
 * Conventions
 *  - Every export returns int: 0 = ok, non-zero = error; the message is then in ft_last_error()
 *    (thread-local, valid until the next call on the same thread; nothing to free).
 *  - No C++ exception ever crosses this boundary: every body is wrapped in FT_TRY/FT_CATCH.
 *  - Handles are opaque pointers. A tensor handle owns one reference to an at::Tensor:
 *    the caller owns every handle it receives and frees it with ft_tensor_free.
 *    An undefined tensor is the NULL handle.
 *  - Shapes are (const int64_t* dims, int32_t ndim). Dtype codes are c10::ScalarType values.
 *  - Operators are called by name through the dispatcher (ft_op_find + ft_op_call); missing
 *    trailing arguments, and arguments passed as FT_DEFAULT, are filled from the schema.
 */
#ifndef FLOWTUNE_H
#define FLOWTUNE_H
#include <stdint.h>

#ifdef __cplusplus
#define FT_EXTERN extern "C"
#else
#define FT_EXTERN
#endif
#define FT_API(ret) FT_EXTERN __attribute__((visibility("default"))) ret

typedef struct ft_tensor_s* ft_tensor;
typedef struct ft_op_s* ft_op;
typedef struct ft_generator_s* ft_generator;
typedef struct ft_store_s* ft_store;
typedef struct ft_group_s* ft_group;

/* Tags of ft_value: one boxed argument or result of an operator call. */
enum {
  FT_NONE = 0,         /* None / undefined optional */
  FT_TENSOR = 1,       /* p = ft_tensor (NULL = undefined / None) */
  FT_INT = 2,          /* i (coerced to float or bool when the schema asks for one) */
  FT_DOUBLE = 3,       /* d */
  FT_BOOL = 4,         /* i != 0 */
  FT_INT_LIST = 5,     /* p = const int64_t*, i = length */
  FT_DOUBLE_LIST = 6,  /* p = const double*, i = length */
  FT_TENSOR_LIST = 7,  /* p = const ft_tensor*, i = length (NULL entries allowed for Tensor?[]) */
  FT_STRING = 8,       /* p = const char* (UTF-8, NUL-terminated) */
  FT_DEVICE = 9,       /* i = device type (0 cpu, 1 cuda), aux = device index (-1 = current) */
  FT_GENERATOR = 10,   /* p = ft_generator */
  FT_DEFAULT = 11,     /* use the schema's default for this argument */
  FT_BOOL_LIST = 12    /* p = const int64_t* (0/1), i = length (bool[N] arguments) */
};

typedef struct ft_value {
  int32_t tag;
  int32_t aux;
  int64_t i;
  double d;
  void* p;
} ft_value;

/* ---- errors and runtime ---- */
FT_API(const char*) ft_last_error(void);
FT_API(int) ft_version(char* buf, int32_t cap);                  /* libtorch version string */
FT_API(int) ft_set_num_threads(int32_t n);
FT_API(int) ft_get_num_threads(int32_t* out);
FT_API(int) ft_cuda_device_count(int32_t* out);                  /* 0 without CUDA */
FT_API(int64_t) ft_live_tensors(void);                           /* tensor handles not yet freed */
FT_API(int) ft_grad_mode(int32_t enabled, int32_t* previous);    /* thread-local; enabled < 0 only reads */
/* Autocast (mixed precision) for device_type (0 CPU, 1 CUDA), thread-local like torch.autocast: enter turns it on
   with dtype (c10::ScalarType code) and reports the previous state; exit restores that state and, when the outermost
   region closes, frees the cast-weight cache. CPU autocast supports only bfloat16. */
FT_API(int) ft_autocast_enter(int32_t device_type, int32_t dtype, int32_t* prev_enabled, int32_t* prev_dtype);
FT_API(int) ft_autocast_exit(int32_t device_type, int32_t prev_enabled, int32_t prev_dtype);
FT_API(int) ft_autocast_enabled(int32_t device_type, int32_t* out);

/* ---- tensors ---- */
FT_API(int) ft_tensor_free(ft_tensor t);
FT_API(int) ft_tensor_share(ft_tensor t, ft_tensor* out);        /* a new handle to the same tensor */
FT_API(int) ft_tensor_from_data(const void* data, int64_t nbytes, int32_t dtype,
                                const int64_t* dims, int32_t ndim, ft_tensor* out); /* copies; CPU */
FT_API(int) ft_tensor_to_data(ft_tensor t, void* dst, int64_t nbytes); /* copies (any device, any layout) */
FT_API(int) ft_tensor_info(ft_tensor t, int64_t* dims, int32_t cap, int32_t* ndim, int32_t* dtype,
                           int32_t* device_type, int32_t* device_index);
FT_API(int) ft_tensor_requires_grad(ft_tensor t, int32_t set, int32_t* out); /* set < 0 only reads */
FT_API(int) ft_tensor_grad(ft_tensor t, ft_tensor* out);         /* NULL when no gradient */
FT_API(int) ft_tensor_clear_grad(ft_tensor t);
FT_API(int) ft_tensor_backward(ft_tensor t, ft_tensor grad, int32_t retain_graph, int32_t create_graph);
FT_API(int) ft_tensor_is_leaf(ft_tensor t, int32_t* out);
FT_API(int) ft_tensor_set_data(ft_tensor t, ft_tensor src);      /* t.data = src (keeps t's identity) */

/* ---- operators by name ---- */
FT_API(int) ft_op_find(const char* name, const char* overload, ft_op* out);  /* handles live forever */
FT_API(int) ft_op_schema(ft_op op, char* buf, int32_t cap);
FT_API(int) ft_op_call(ft_op op, const ft_value* args, int32_t nargs,
                       ft_value* outs, int32_t cap, int32_t* nouts);         /* tensors in outs are owned by the caller */

/* ---- random generators (CPU; noise is drawn on CPU and moved, so runs match across devices) ---- */
FT_API(int) ft_generator_new(uint64_t seed, ft_generator* out);
FT_API(int) ft_generator_free(ft_generator g);
FT_API(int) ft_generator_get_state(ft_generator g, ft_tensor* out);  /* uint8 tensor */
FT_API(int) ft_generator_set_state(ft_generator g, ft_tensor state);
FT_API(int) ft_manual_seed(uint64_t seed);                        /* the global default generators */

/* ---- c10d (distributed.cpp): rendezvous stores, a Gloo process group, collectives with timeouts ---- */
FT_API(int) ft_store_tcp(const char* host, int32_t port, int32_t world_size, int32_t is_master, int64_t timeout_ms,
                         ft_store* out);
FT_API(int) ft_store_file(const char* path, int32_t world_size, int64_t timeout_ms, ft_store* out);
FT_API(int) ft_store_free(ft_store s);
FT_API(int) ft_store_set(ft_store s, const char* key, const uint8_t* value, int64_t length);
FT_API(int) ft_store_get(ft_store s, const char* key, uint8_t* value, int64_t capacity, int64_t* length);
FT_API(int) ft_store_check(ft_store s, const char* key, int32_t* out);
FT_API(int) ft_store_add(ft_store s, const char* key, int64_t delta, int64_t* out);
FT_API(int) ft_group_gloo(ft_store s, int32_t rank, int32_t size, const char* iface, const char* hostname,
                          int64_t timeout_ms, ft_group* out);
FT_API(int) ft_group_free(ft_group g);
FT_API(int) ft_all_reduce(ft_group g, const ft_tensor* tensors, int32_t n, int32_t op, int64_t timeout_ms); /* 0 sum, 1 avg */
FT_API(int) ft_broadcast(ft_group g, ft_tensor tensor, int32_t root, int64_t timeout_ms);
FT_API(int) ft_all_gather(ft_group g, ft_tensor tensor, int64_t timeout_ms, ft_tensor* outputs);
FT_API(int) ft_barrier(ft_group g, int64_t timeout_ms);

#endif
