//===- ArgumentChecker.cpp - DLTensors against a kernel's signature -------===//
//
// Every argument of a launch is checked before a kernel sees it: pointers,
// device, element type, rank, sizes (the spec's static sizes and the sizes
// that must agree across arguments), compact strides, alignment, outputs
// that overlap other arguments, and the values the kernel uses as bounds
// (q_len, kv_len, page tables). The first problem found becomes the error, with
// a message that names the argument, what it holds and what was expected.
// Descriptors are validated once, when registered, so the checks can index them
// freely.
//
//===----------------------------------------------------------------------===//

#include "ElementTypes.h"
#include "RuntimeInternal.h"

#include <algorithm>
#include <cstring>

using namespace attn::runtime;

namespace {

std::string shapeString(const int64_t *sizes, int32_t rank) {
  std::string text = "[";
  for (int32_t d = 0; d < rank; ++d)
    text += (d ? ", " : "") + std::to_string(sizes[d]);
  return text + "]";
}

class Checker {
public:
  Checker(const attnKernelDescriptor &descriptor,
          const DLTensor *const *arguments, int32_t count, bool inputsOnly,
          CheckedArguments &checked)
      : descriptor(descriptor), arguments(arguments), count(count),
        inputsOnly(inputsOnly), checked(checked) {}

  attnStatus run();

private:
  /// "f: argument 'k' (input 1, key)".
  std::string where(int32_t argument) const;
  const attnArgumentSpec &spec(int32_t argument) const {
    return descriptor.arguments[argument];
  }
  const char *symbolName(int32_t symbol) const {
    return descriptor.symbols[symbol].name;
  }
  bool isDerived(int32_t symbol) const {
    return descriptor.symbols[symbol].factors[0] >= 0;
  }
  /// Where `symbol`'s value came from, for messages.
  std::string originOf(int32_t symbol) const;
  /// The symbol dimension `dim` of `argument` equals, or -1.
  int32_t equalSymbol(int32_t argument, int32_t dim) const;
  /// The signature's shape of `argument`, e.g. "[B, 32, Sq, 128]".
  std::string expectedShape(int32_t argument) const;
  bool considered(int32_t argument) const {
    return argument >= 0 && argument < count;
  }

  attnStatus checkTensor(int32_t argument);
  attnStatus checkDevice(int32_t argument);
  attnStatus bindSymbols();
  attnStatus checkEquality(const attnConstraint &constraint);
  attnStatus checkValues(const attnConstraint &constraint);
  attnStatus checkConstraint(const attnConstraint &constraint);
  attnStatus checkAliasing();

  const attnKernelDescriptor &descriptor;
  const DLTensor *const *arguments;
  int32_t count;
  bool inputsOnly;
  CheckedArguments &checked;
  /// Bytes each argument spans.
  std::vector<int64_t> bytes;
  /// The argument and dimension that gave each symbol its value.
  std::vector<std::pair<int32_t, int32_t>> boundBy;
};

std::string Checker::where(int32_t argument) const {
  const attnArgumentSpec &s = spec(argument);
  bool output = argument >= descriptor.numInputs;
  int32_t index = output ? argument - descriptor.numInputs : argument;
  return std::string(descriptor.function) + ": argument '" + s.name + "' (" +
         (output ? "output " : "input ") + std::to_string(index) + ", " +
         s.role + ")";
}

int32_t Checker::equalSymbol(int32_t argument, int32_t dim) const {
  for (int32_t c = 0; c < descriptor.numConstraints; ++c) {
    const attnConstraint &constraint = descriptor.constraints[c];
    if (constraint.kind == ATTN_CONSTRAINT_DIM_EQUALS &&
        constraint.argument == argument && constraint.dim == dim)
      return constraint.symbol;
  }
  return -1;
}

std::string Checker::expectedShape(int32_t argument) const {
  const attnArgumentSpec &s = spec(argument);
  std::string text = "[";
  for (int32_t d = 0; d < s.rank; ++d) {
    text += d ? ", " : "";
    int32_t symbol = equalSymbol(argument, d);
    if (s.staticSizes[d] >= 0)
      text += std::to_string(s.staticSizes[d]);
    else if (symbol >= 0)
      text += symbolName(symbol);
    else
      text += "?";
  }
  return text + "]";
}

attnStatus Checker::checkDevice(int32_t argument) {
  DLDevice device = arguments[argument]->device;
  if (argument > 0 && (device.device_type != checked.device.device_type ||
                       device.device_id != checked.device.device_id))
    return fail(ATTN_ERROR_DEVICE,
                where(argument) + ": is on " + deviceName(device) +
                    " but argument '" + spec(0).name + "' is on " +
                    deviceName(checked.device) +
                    "; every argument must be on one device");
  if (argument > 0)
    return ATTN_SUCCESS;
  checked.device = device;
  std::string compiled;
  bool found = false;
  for (int32_t n = 0; n < descriptor.numImages; ++n) {
    int32_t type = descriptor.images[n].deviceType;
    compiled += (n ? ", " : "") + deviceTypeName(type);
    found |= type == device.device_type;
  }
  if (!found)
    return fail(ATTN_ERROR_DEVICE,
                where(argument) + ": is on " + deviceName(device) +
                    ", but the kernel was compiled only for: " +
                    (compiled.empty() ? std::string("no device") : compiled));
  if (!findBackend(device.device_type))
    return fail(ATTN_ERROR_DEVICE, where(argument) + ": is on " +
                                       deviceName(device) +
                                       ", and this build of attnrt has no " +
                                       deviceTypeName(device.device_type) +
                                       " backend (it has: CPU)");
  return ATTN_SUCCESS;
}

attnStatus Checker::checkTensor(int32_t argument) {
  const attnArgumentSpec &s = spec(argument);
  const DLTensor *tensor = arguments[argument];
  if (!tensor)
    return fail(ATTN_ERROR_NULL_POINTER,
                where(argument) + ": the DLTensor pointer is null");
  if (attnStatus status = checkDevice(argument))
    return status;
  if (!dtypeMatches(s.elementType, tensor->dtype))
    return fail(ATTN_ERROR_DTYPE, where(argument) + ": has element type " +
                                      dtypeName(tensor->dtype) + ", expected " +
                                      elementTypeName(s.elementType));
  if (tensor->ndim != s.rank) {
    std::string got = std::to_string(tensor->ndim) + " dimensions";
    if (tensor->shape && tensor->ndim > 0)
      got += " " + shapeString(tensor->shape, tensor->ndim);
    return fail(ATTN_ERROR_RANK,
                where(argument) + ": has " + got + ", expected " +
                    std::to_string(s.rank) +
                    (s.rank ? " " + expectedShape(argument)
                            : std::string(" (a scalar as a 0-d tensor)")));
  }
  if (s.rank > 0 && !tensor->shape)
    return fail(ATTN_ERROR_NULL_POINTER,
                where(argument) + ": the shape pointer is null");
  int64_t elements = 1;
  for (int32_t d = 0; d < s.rank; ++d) {
    int64_t size = tensor->shape[d];
    if (size < 0)
      return fail(ATTN_ERROR_SHAPE,
                  where(argument) + ": dimension " + std::to_string(d) +
                      " is " + std::to_string(size) + ", a size must be >= 0");
    if (s.staticSizes[d] >= 0 && size != s.staticSizes[d]) {
      int32_t symbol = equalSymbol(argument, d);
      return fail(ATTN_ERROR_SHAPE,
                  where(argument) + ": dimension " + std::to_string(d) +
                      " is " + std::to_string(size) + ", expected " +
                      std::to_string(s.staticSizes[d]) +
                      (symbol >= 0
                           ? std::string(" (") + symbolName(symbol) + ")"
                           : std::string()) +
                      "; shape " + shapeString(tensor->shape, s.rank) +
                      ", expected " + expectedShape(argument));
    }
    if (__builtin_mul_overflow(elements, size, &elements))
      return fail(ATTN_ERROR_SHAPE, where(argument) + ": shape " +
                                        shapeString(tensor->shape, s.rank) +
                                        " overflows 64 bits");
  }
  int64_t size = 0;
  if (__builtin_mul_overflow(elements, elementBytes(s.elementType), &size))
    return fail(ATTN_ERROR_SHAPE, where(argument) + ": shape " +
                                      shapeString(tensor->shape, s.rank) +
                                      " overflows 64 bits");
  // Compact row-major strides; a dimension of size 1 may have any stride, and
  // an empty tensor has nothing to lay out.
  if (tensor->strides && elements > 0) {
    int64_t expected = 1;
    std::vector<int64_t> compact(s.rank);
    for (int32_t d = s.rank - 1; d >= 0; --d) {
      compact[d] = expected;
      expected *= tensor->shape[d];
    }
    for (int32_t d = 0; d < s.rank; ++d)
      if (tensor->shape[d] != 1 && tensor->strides[d] != compact[d])
        return fail(ATTN_ERROR_STRIDES,
                    where(argument) + ": strides " +
                        shapeString(tensor->strides, s.rank) + " of shape " +
                        shapeString(tensor->shape, s.rank) +
                        " are not the compact row-major strides " +
                        shapeString(compact.data(), s.rank) +
                        "; pass a contiguous tensor");
  }
  if (!tensor->data)
    return fail(ATTN_ERROR_NULL_POINTER,
                where(argument) + ": the data pointer is null");
  char *data = static_cast<char *>(tensor->data) + tensor->byte_offset;
  if (reinterpret_cast<uintptr_t>(data) % s.alignment != 0)
    return fail(ATTN_ERROR_ALIGNMENT,
                where(argument) + ": data + byte_offset (" +
                    std::to_string(reinterpret_cast<uintptr_t>(data)) +
                    ") is not a multiple of " + std::to_string(s.alignment) +
                    " bytes, the alignment " + elementTypeName(s.elementType) +
                    " elements need");
  checked.data[argument] = data;
  checked.sizes[argument].assign(tensor->shape, tensor->shape + s.rank);
  bytes[argument] = size;
  return ATTN_SUCCESS;
}

std::string Checker::originOf(int32_t symbol) const {
  if (isDerived(symbol)) {
    const int32_t *factors = descriptor.symbols[symbol].factors;
    return std::string(symbolName(factors[0])) + " * " +
           symbolName(factors[1]) + " = " +
           std::to_string(checked.symbols[factors[0]]) + " * " +
           std::to_string(checked.symbols[factors[1]]);
  }
  auto [source, dim] = boundBy[symbol];
  if (source < 0)
    return "the spec's static size";
  return "from dimension " + std::to_string(dim) + " of '" + spec(source).name +
         "'";
}

attnStatus Checker::checkEquality(const attnConstraint &constraint) {
  int64_t size = checked.sizes[constraint.argument][constraint.dim];
  int64_t value = checked.symbols[constraint.symbol];
  if (size == value || value < 0)
    return ATTN_SUCCESS;
  return fail(ATTN_ERROR_SHAPE,
              where(constraint.argument) + ": dimension " +
                  std::to_string(constraint.dim) + " is " +
                  std::to_string(size) + ", but " +
                  symbolName(constraint.symbol) + " is " +
                  std::to_string(value) + " (" + originOf(constraint.symbol) +
                  "); shape " +
                  shapeString(checked.sizes[constraint.argument].data(),
                              spec(constraint.argument).rank) +
                  ", expected " + expectedShape(constraint.argument));
}

attnStatus Checker::bindSymbols() {
  for (int32_t n = 0; n < descriptor.numSymbols; ++n)
    checked.symbols[n] = descriptor.symbols[n].staticValue;
  // Sizes the arguments give, in argument order: the first gives the value.
  for (int32_t c = 0; c < descriptor.numConstraints; ++c) {
    const attnConstraint &constraint = descriptor.constraints[c];
    if (constraint.kind != ATTN_CONSTRAINT_DIM_EQUALS ||
        !considered(constraint.argument) || isDerived(constraint.symbol))
      continue;
    int64_t &value = checked.symbols[constraint.symbol];
    if (value < 0) {
      value = checked.sizes[constraint.argument][constraint.dim];
      boundBy[constraint.symbol] = {constraint.argument, constraint.dim};
      continue;
    }
    if (attnStatus status = checkEquality(constraint))
      return status;
  }
  // Then the sizes that are products of those.
  for (int32_t n = 0; n < descriptor.numSymbols; ++n) {
    if (!isDerived(n))
      continue;
    int64_t a = checked.symbols[descriptor.symbols[n].factors[0]];
    int64_t b = checked.symbols[descriptor.symbols[n].factors[1]];
    int64_t product;
    if (a >= 0 && b >= 0 && !__builtin_mul_overflow(a, b, &product))
      checked.symbols[n] = product;
  }
  for (int32_t c = 0; c < descriptor.numConstraints; ++c) {
    const attnConstraint &constraint = descriptor.constraints[c];
    if (constraint.kind == ATTN_CONSTRAINT_DIM_EQUALS &&
        considered(constraint.argument) && isDerived(constraint.symbol))
      if (attnStatus status = checkEquality(constraint))
        return status;
  }
  return ATTN_SUCCESS;
}

attnStatus Checker::checkValues(const attnConstraint &constraint) {
  if (!considered(constraint.argument))
    return ATTN_SUCCESS;
  int64_t bound = checked.symbols[constraint.symbol];
  bool inclusive = constraint.kind == ATTN_CONSTRAINT_VALUES_AT_MOST;
  const attnArgumentSpec &s = spec(constraint.argument);
  int64_t elements = 1;
  for (int64_t size : checked.sizes[constraint.argument])
    elements *= size;
  // Lengths and page tables are small: on a GPU they are copied here to be
  // read, so that a length past its tensor is an error, not a silently
  // wrong result.
  const char *data = checked.data[constraint.argument];
  std::vector<char> host;
  if (checked.device.device_type != kDLCPU && elements > 0) {
    host.resize(elements * elementBytes(s.elementType));
    DeviceBackend *backend = findBackend(checked.device.device_type);
    if (!backend || backend->copyOut(checked.device, host.data(), data,
                                     host.size()) != ATTN_SUCCESS)
      return fail(ATTN_ERROR_DEVICE,
                  where(constraint.argument) + ": cannot read it from " +
                      deviceName(checked.device) + " to check its values (" +
                      attnGetLastError() + ")");
    data = host.data();
  }
  for (int64_t n = 0; n < elements; ++n) {
    int64_t value = readInteger(data, s.elementType, n);
    if (value >= 0 && (inclusive ? value <= bound : value < bound))
      continue;
    std::string expected =
        std::string("0 <= ") + s.name + (inclusive ? "[...] <= " : "[...] < ") +
        symbolName(constraint.symbol) + " = " + std::to_string(bound);
    if (isDerived(constraint.symbol))
      expected += " (" + originOf(constraint.symbol) + ")";
    return fail(ATTN_ERROR_DATA,
                where(constraint.argument) + ": element " + std::to_string(n) +
                    " is " + std::to_string(value) + ", expected " + expected);
  }
  return ATTN_SUCCESS;
}

attnStatus Checker::checkConstraint(const attnConstraint &constraint) {
  int64_t symbol = checked.symbols[constraint.symbol];
  if (symbol < 0)
    return ATTN_SUCCESS; // Given only by outputs not passed yet.
  std::string name = symbolName(constraint.symbol);
  switch (constraint.kind) {
  case ATTN_CONSTRAINT_DIM_EQUALS:
    return ATTN_SUCCESS; // bindSymbols() checked these.
  case ATTN_CONSTRAINT_DIM_BROADCASTS: {
    if (!considered(constraint.argument))
      return ATTN_SUCCESS;
    int64_t size = checked.sizes[constraint.argument][constraint.dim];
    if (size == symbol || size == 1)
      return ATTN_SUCCESS;
    return fail(ATTN_ERROR_SHAPE,
                where(constraint.argument) + ": dimension " +
                    std::to_string(constraint.dim) + " is " +
                    std::to_string(size) + ", expected 1 or " + name + " = " +
                    std::to_string(symbol) + " (it broadcasts)");
  }
  case ATTN_CONSTRAINT_DIM_COVERS: {
    if (!considered(constraint.argument))
      return ATTN_SUCCESS;
    int64_t size = checked.sizes[constraint.argument][constraint.dim];
    int64_t divisor = constraint.value;
    int64_t needed = (symbol + divisor - 1) / divisor;
    if (size >= needed)
      return ATTN_SUCCESS;
    std::string what = divisor == 1
                           ? name + " = " + std::to_string(symbol)
                           : std::to_string(needed) + " = ceil(" + name +
                                 " / " + std::to_string(divisor) + "), " +
                                 name + " = " + std::to_string(symbol);
    return fail(ATTN_ERROR_SHAPE,
                where(constraint.argument) + ": dimension " +
                    std::to_string(constraint.dim) + " is " +
                    std::to_string(size) + ", expected at least " + what +
                    " (the kernel indexes it over that range)");
  }
  case ATTN_CONSTRAINT_VALUES_AT_MOST:
  case ATTN_CONSTRAINT_VALUES_BELOW:
    return checkValues(constraint);
  case ATTN_CONSTRAINT_SYMBOL_MULTIPLE: {
    int64_t other = checked.symbols[constraint.value];
    if (other < 0 || (other > 0 && symbol % other == 0))
      return ATTN_SUCCESS;
    return fail(ATTN_ERROR_SHAPE,
                std::string(descriptor.function) + ": " + name + " = " +
                    std::to_string(symbol) + " is not a multiple of " +
                    symbolName(constraint.value) + " = " +
                    std::to_string(other) +
                    " (each key/value head serves a whole group of query "
                    "heads)");
  }
  }
  return ATTN_SUCCESS;
}

attnStatus Checker::checkAliasing() {
  for (int32_t out = descriptor.numInputs; out < count; ++out) {
    if (bytes[out] == 0)
      continue;
    const char *begin = checked.data[out], *end = begin + bytes[out];
    for (int32_t other = 0; other < count; ++other) {
      if (other == out || bytes[other] == 0)
        continue;
      const char *otherBegin = checked.data[other];
      const char *otherEnd = otherBegin + bytes[other];
      if (begin < otherEnd && otherBegin < end)
        return fail(ATTN_ERROR_ALIASING,
                    where(out) + ": overlaps argument '" + spec(other).name +
                        "'; an output needs memory of its own");
    }
  }
  return ATTN_SUCCESS;
}

attnStatus Checker::run() {
  int32_t expected =
      descriptor.numInputs + (inputsOnly ? 0 : descriptor.numOutputs);
  if (count != expected)
    return fail(
        ATTN_ERROR_INVALID_VALUE,
        std::string(descriptor.function) + ": got " + std::to_string(count) +
            " arguments, expected " + std::to_string(expected) + " (" +
            std::to_string(descriptor.numInputs) + " inputs" +
            (inputsOnly ? std::string()
                        : " and " + std::to_string(descriptor.numOutputs) +
                              " outputs") +
            ")");
  if (count > 0 && !arguments)
    return fail(ATTN_ERROR_NULL_POINTER, std::string(descriptor.function) +
                                             ": the argument array is null");
  checked.device = DLDevice{kDLCPU, 0};
  checked.data.assign(count, nullptr);
  checked.sizes.assign(count, {});
  checked.symbols.assign(descriptor.numSymbols, -1);
  bytes.assign(count, 0);
  boundBy.assign(descriptor.numSymbols, {-1, -1});
  for (int32_t n = 0; n < count; ++n)
    if (attnStatus status = checkTensor(n))
      return status;
  if (attnStatus status = bindSymbols())
    return status;
  for (int32_t c = 0; c < descriptor.numConstraints; ++c)
    if (attnStatus status = checkConstraint(descriptor.constraints[c]))
      return status;
  return checkAliasing();
}

} // namespace

attnStatus attn::runtime::checkArguments(const attnKernelDescriptor &descriptor,
                                         const DLTensor *const *arguments,
                                         int32_t numArguments, bool inputsOnly,
                                         CheckedArguments &checked) {
  return Checker(descriptor, arguments, numArguments, inputsOnly, checked)
      .run();
}
