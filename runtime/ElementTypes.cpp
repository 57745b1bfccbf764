//===- ElementTypes.cpp - Kernel element types and DLPack dtypes ----------===//
//
// How each element type a kernel takes is written in DLPack, how large it is,
// and how the runtime names it in messages ("float16 (f16)", so both the
// DLPack and the spec spelling appear).
//
//===----------------------------------------------------------------------===//

#include "ElementTypes.h"

#include <cstring>

using namespace attn::runtime;

namespace {
/// kDLBool arrived in DLPack 0.8; older headers lack the enumerator.
constexpr uint8_t kDLBoolCode = 6;
} // namespace

bool attn::runtime::isValidElementType(int32_t type) {
  return type >= ATTN_ELEMENT_F32 && type <= ATTN_ELEMENT_I64;
}

int64_t attn::runtime::elementBytes(attnElementType type) {
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
  case ATTN_ELEMENT_I1:
  case ATTN_ELEMENT_I8:
    return 1;
  }
  return 1;
}

bool attn::runtime::isIntegerElement(attnElementType type) {
  return type == ATTN_ELEMENT_I8 || type == ATTN_ELEMENT_I16 ||
         type == ATTN_ELEMENT_I32 || type == ATTN_ELEMENT_I64;
}

std::string attn::runtime::elementTypeName(attnElementType type) {
  switch (type) {
  case ATTN_ELEMENT_F32:
    return "float32 (f32)";
  case ATTN_ELEMENT_F16:
    return "float16 (f16)";
  case ATTN_ELEMENT_BF16:
    return "bfloat16 (bf16)";
  case ATTN_ELEMENT_F64:
    return "float64 (f64)";
  case ATTN_ELEMENT_I1:
    return "bool, 1 byte (i1)";
  case ATTN_ELEMENT_I8:
    return "int8 (i8)";
  case ATTN_ELEMENT_I16:
    return "int16 (i16)";
  case ATTN_ELEMENT_I32:
    return "int32 (i32)";
  case ATTN_ELEMENT_I64:
    return "int64 (i64)";
  }
  return "?";
}

std::string attn::runtime::dtypeName(DLDataType dtype) {
  std::string name;
  switch (dtype.code) {
  case kDLInt:
    name = "int";
    break;
  case kDLUInt:
    name = "uint";
    break;
  case kDLFloat:
    name = "float";
    break;
  case kDLBfloat:
    name = "bfloat";
    break;
  case kDLBoolCode:
    name = "bool";
    break;
  default:
    name = "type code " + std::to_string(dtype.code) + " of ";
  }
  name += std::to_string(dtype.bits);
  if (dtype.lanes != 1)
    name += "x" + std::to_string(dtype.lanes);
  return name;
}

bool attn::runtime::dtypeMatches(attnElementType type, DLDataType dtype) {
  if (dtype.lanes != 1)
    return false;
  switch (type) {
  case ATTN_ELEMENT_F32:
    return dtype.code == kDLFloat && dtype.bits == 32;
  case ATTN_ELEMENT_F16:
    return dtype.code == kDLFloat && dtype.bits == 16;
  case ATTN_ELEMENT_BF16:
    return dtype.code == kDLBfloat && dtype.bits == 16;
  case ATTN_ELEMENT_F64:
    return dtype.code == kDLFloat && dtype.bits == 64;
  case ATTN_ELEMENT_I1:
    return (dtype.code == kDLBoolCode || dtype.code == kDLUInt) &&
           dtype.bits == 8;
  case ATTN_ELEMENT_I8:
    return dtype.code == kDLInt && dtype.bits == 8;
  case ATTN_ELEMENT_I16:
    return dtype.code == kDLInt && dtype.bits == 16;
  case ATTN_ELEMENT_I32:
    return dtype.code == kDLInt && dtype.bits == 32;
  case ATTN_ELEMENT_I64:
    return dtype.code == kDLInt && dtype.bits == 64;
  }
  return false;
}

int64_t attn::runtime::readInteger(const char *data, attnElementType type,
                                   int64_t n) {
  switch (type) {
  case ATTN_ELEMENT_I8: {
    int8_t v;
    std::memcpy(&v, data + n, 1);
    return v;
  }
  case ATTN_ELEMENT_I16: {
    int16_t v;
    std::memcpy(&v, data + 2 * n, 2);
    return v;
  }
  case ATTN_ELEMENT_I32: {
    int32_t v;
    std::memcpy(&v, data + 4 * n, 4);
    return v;
  }
  default: {
    int64_t v;
    std::memcpy(&v, data + 8 * n, 8);
    return v;
  }
  }
}
