// Operators called by name through the c10 dispatcher (boxed), with schema-driven argument coercion.
// This keeps the shim small: one export serves every aten op, autograd included.
#include <ATen/core/dispatch/Dispatcher.h>
#include <cstring>
#include <sstream>
#include "common.h"

namespace {

c10::OperatorHandle& unwrap_op(ft_op op) {
  if (op == nullptr) throw std::invalid_argument("null operator handle");
  return *reinterpret_cast<c10::OperatorHandle*>(op);
}

// The schema type with Optional[...] removed.
c10::TypePtr base_type(const c10::Argument& arg) {
  c10::TypePtr t = arg.type();
  if (auto opt = t->cast<c10::OptionalType>()) return opt->getElementType();
  return t;
}

bool is_optional_tensor_list(const c10::TypePtr& t) {
  auto list = t->cast<c10::ListType>();
  if (!list) return false;
  auto elem = list->getElementType()->cast<c10::OptionalType>();
  return elem && elem->getElementType()->kind() == c10::TypeKind::TensorType;
}

at::Tensor tensor_or_undefined(void* p) {
  return p ? ft::unwrap(reinterpret_cast<ft_tensor>(p)) : at::Tensor();
}

c10::IValue to_ivalue(const ft_value& v, const c10::Argument& arg) {
  const c10::TypePtr t = base_type(arg);
  switch (v.tag) {
    case FT_NONE:
      return c10::IValue();
    case FT_DEFAULT:
      if (!arg.default_value()) throw std::invalid_argument("argument '" + arg.name() + "' has no default value");
      return *arg.default_value();
    case FT_TENSOR:
      if (v.p == nullptr) return c10::IValue();
      return c10::IValue(ft::unwrap(reinterpret_cast<ft_tensor>(v.p)));
    case FT_INT:
      if (t->kind() == c10::TypeKind::FloatType) return c10::IValue(static_cast<double>(v.i));
      if (t->kind() == c10::TypeKind::BoolType) return c10::IValue(v.i != 0);
      return c10::IValue(v.i);
    case FT_DOUBLE:
      return c10::IValue(v.d);
    case FT_BOOL:
      return c10::IValue(v.i != 0);
    case FT_INT_LIST: {
      const auto* p = static_cast<const int64_t*>(v.p);
      return c10::IValue(std::vector<int64_t>(p, p + v.i));
    }
    case FT_BOOL_LIST: {
      const auto* p = static_cast<const int64_t*>(v.p);
      c10::List<bool> list;
      for (int64_t k = 0; k < v.i; ++k) list.push_back(p[k] != 0);
      return c10::IValue(list);
    }
    case FT_DOUBLE_LIST: {
      const auto* p = static_cast<const double*>(v.p);
      return c10::IValue(std::vector<double>(p, p + v.i));
    }
    case FT_TENSOR_LIST: {
      auto* const* p = static_cast<void* const*>(v.p);
      if (is_optional_tensor_list(t)) {
        c10::List<c10::optional<at::Tensor>> list;
        for (int64_t k = 0; k < v.i; ++k)
          list.push_back(p[k] ? c10::optional<at::Tensor>(tensor_or_undefined(p[k])) : c10::nullopt);
        return c10::IValue(list);
      }
      std::vector<at::Tensor> list;
      list.reserve(static_cast<size_t>(v.i));
      for (int64_t k = 0; k < v.i; ++k) list.push_back(tensor_or_undefined(p[k]));
      return c10::IValue(list);
    }
    case FT_STRING:
      return c10::IValue(std::string(static_cast<const char*>(v.p)));
    case FT_DEVICE:
      return c10::IValue(c10::Device(static_cast<c10::DeviceType>(v.i), static_cast<c10::DeviceIndex>(v.aux)));
    case FT_GENERATOR:
      if (v.p == nullptr) return c10::IValue();
      return c10::IValue(*reinterpret_cast<at::Generator*>(v.p));
    default:
      throw std::invalid_argument("unknown value tag " + std::to_string(v.tag) + " for argument '" + arg.name() + "'");
  }
}

// Flattens one returned IValue into outs (tuples and tensor lists are spread).
void put_result(const c10::IValue& r, ft_value* outs, int32_t cap, int32_t& n) {
  auto next = [&]() -> ft_value& {
    if (n >= cap) throw std::length_error("operator returned more than " + std::to_string(cap) + " values");
    ft_value& slot = outs[n++];
    std::memset(&slot, 0, sizeof(slot));
    return slot;
  };
  if (r.isTensor()) {
    ft_value& s = next();
    s.tag = FT_TENSOR;
    s.p = ft::wrap(r.toTensor());
  } else if (r.isTensorList()) {
    for (const at::Tensor& t : r.toTensorVector()) {
      ft_value& s = next();
      s.tag = FT_TENSOR;
      s.p = ft::wrap(t);
    }
  } else if (r.isTuple()) {
    for (const auto& e : r.toTupleRef().elements()) put_result(e, outs, cap, n);
  } else if (r.isInt()) {
    ft_value& s = next();
    s.tag = FT_INT;
    s.i = r.toInt();
  } else if (r.isDouble()) {
    ft_value& s = next();
    s.tag = FT_DOUBLE;
    s.d = r.toDouble();
  } else if (r.isBool()) {
    ft_value& s = next();
    s.tag = FT_BOOL;
    s.i = r.toBool() ? 1 : 0;
  } else if (r.isNone()) {
    next().tag = FT_NONE;
  } else {
    throw std::invalid_argument("unsupported return type " + r.tagKind());
  }
}

// Frees the tensors already handed out when a later result fails to convert.
void release(ft_value* outs, int32_t n) {
  for (int32_t k = 0; k < n; ++k)
    if (outs[k].tag == FT_TENSOR && outs[k].p) ft_tensor_free(reinterpret_cast<ft_tensor>(outs[k].p));
}

}  // namespace

FT_API(int) ft_op_find(const char* name, const char* overload, ft_op* out) {
  FT_TRY
  auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload ? overload : "");
  *out = reinterpret_cast<ft_op>(new c10::OperatorHandle(handle));
  FT_CATCH
}

FT_API(int) ft_op_schema(ft_op op, char* buf, int32_t cap) {
  FT_TRY
  std::ostringstream s;
  s << unwrap_op(op).schema();
  const std::string text = s.str();
  if (cap <= 0) throw std::invalid_argument("buffer capacity must be positive");
  std::strncpy(buf, text.c_str(), static_cast<size_t>(cap) - 1);
  buf[cap - 1] = '\0';
  FT_CATCH
}

FT_API(int) ft_op_call(ft_op op, const ft_value* args, int32_t nargs, ft_value* outs, int32_t cap,
                       int32_t* nouts) {
  *nouts = 0;
  FT_TRY
  const c10::OperatorHandle& handle = unwrap_op(op);
  const auto& schema = handle.schema();
  const auto& params = schema.arguments();
  if (static_cast<size_t>(nargs) > params.size())
    throw std::invalid_argument(schema.name() + " takes " + std::to_string(params.size()) + " arguments, got " +
                                std::to_string(nargs));
  torch::jit::Stack stack;
  stack.reserve(params.size());
  for (size_t k = 0; k < params.size(); ++k) {
    if (k < static_cast<size_t>(nargs)) {
      stack.push_back(to_ivalue(args[k], params[k]));
    } else {
      ft_value dflt{};
      dflt.tag = FT_DEFAULT;
      stack.push_back(to_ivalue(dflt, params[k]));
    }
  }
  handle.callBoxed(stack);
  int32_t n = 0;
  try {
    for (const auto& r : stack) put_result(r, outs, cap, n);
  } catch (...) {
    release(outs, n);
    throw;
  }
  *nouts = n;
  FT_CATCH
}
