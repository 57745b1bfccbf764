//===- ElementCoding.cpp - Reference values as kernel element types -------===//

#include "ElementCoding.h"

#include "attn/Support/Npy.h"

#include <cstring>

using namespace mlir;

std::optional<attnElementType> mlir::attn::runtimeElementType(Type type) {
  if (type.isF32())
    return ATTN_ELEMENT_F32;
  if (type.isF16())
    return ATTN_ELEMENT_F16;
  if (type.isBF16())
    return ATTN_ELEMENT_BF16;
  if (type.isF64())
    return ATTN_ELEMENT_F64;
  if (type.isInteger(1))
    return ATTN_ELEMENT_I1;
  if (type.isInteger(8))
    return ATTN_ELEMENT_I8;
  if (type.isInteger(16))
    return ATTN_ELEMENT_I16;
  if (type.isInteger(32))
    return ATTN_ELEMENT_I32;
  if (type.isInteger(64) || type.isIndex())
    return ATTN_ELEMENT_I64;
  return std::nullopt;
}

int64_t mlir::attn::bytesOf(attnElementType type) {
  switch (type) {
  case ATTN_ELEMENT_F64:
  case ATTN_ELEMENT_I64:
    return 8;
  case ATTN_ELEMENT_F32:
  case ATTN_ELEMENT_I32:
    return 4;
  case ATTN_ELEMENT_F16:
  case ATTN_ELEMENT_BF16:
  case ATTN_ELEMENT_I16:
    return 2;
  default:
    return 1;
  }
}

DLDataType mlir::attn::dtypeOf(attnElementType type) {
  switch (type) {
  case ATTN_ELEMENT_F32:
    return {kDLFloat, 32, 1};
  case ATTN_ELEMENT_F16:
    return {kDLFloat, 16, 1};
  case ATTN_ELEMENT_BF16:
    return {kDLBfloat, 16, 1};
  case ATTN_ELEMENT_F64:
    return {kDLFloat, 64, 1};
  case ATTN_ELEMENT_I1:
    return {kDLUInt, 8, 1};
  case ATTN_ELEMENT_I8:
    return {kDLInt, 8, 1};
  case ATTN_ELEMENT_I16:
    return {kDLInt, 16, 1};
  case ATTN_ELEMENT_I32:
    return {kDLInt, 32, 1};
  default:
    return {kDLInt, 64, 1};
  }
}

void mlir::attn::encode(ArrayRef<double> values, attnElementType type,
                        char *out) {
  int64_t size = bytesOf(type);
  for (size_t n = 0; n < values.size(); ++n) {
    char *p = out + n * size;
    double v = values[n];
    auto store = [&](auto x) { std::memcpy(p, &x, sizeof(x)); };
    switch (type) {
    case ATTN_ELEMENT_F64:
      store(v);
      break;
    case ATTN_ELEMENT_F32:
      store(float(v));
      break;
    case ATTN_ELEMENT_F16:
      store(encodeF16(v));
      break;
    case ATTN_ELEMENT_BF16:
      store(encodeBF16(v));
      break;
    case ATTN_ELEMENT_I64:
      store(int64_t(v));
      break;
    case ATTN_ELEMENT_I32:
      store(int32_t(v));
      break;
    case ATTN_ELEMENT_I16:
      store(int16_t(v));
      break;
    default:
      store(int8_t(v));
      break;
    }
  }
}

double mlir::attn::decode(const char *p, attnElementType type) {
  auto load = [&](auto x) {
    std::memcpy(&x, p, sizeof(x));
    return x;
  };
  switch (type) {
  case ATTN_ELEMENT_F64:
    return load(double());
  case ATTN_ELEMENT_F32:
    return load(float());
  case ATTN_ELEMENT_F16:
    return decodeF16(load(uint16_t()));
  case ATTN_ELEMENT_BF16:
    return decodeBF16(load(uint16_t()));
  case ATTN_ELEMENT_I64:
    return double(load(int64_t()));
  case ATTN_ELEMENT_I32:
    return load(int32_t());
  case ATTN_ELEMENT_I16:
    return load(int16_t());
  default:
    return load(int8_t());
  }
}
