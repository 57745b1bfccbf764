//===- ElementTypes.h - Kernel element types and DLPack dtypes -*- C++ -*-===//
//
// The element types of include/attn/runtime.h as the argument checks and
// descriptor validation need them: sizes, DLPack encodings, names for
// messages, and reading the integer tensors whose values are checked.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_ELEMENTTYPES_H
#define ATTN_RUNTIME_ELEMENTTYPES_H

#include "attn/runtime.h"

#include <cstdint>
#include <string>

namespace attn::runtime {

/// Whether `type` is an attnElementType enumerator.
bool isValidElementType(int32_t type);

/// Bytes per element.
int64_t elementBytes(attnElementType type);

/// i8, i16, i32 or i64 (not i1).
bool isIntegerElement(attnElementType type);

/// "float16 (f16)": the DLPack spelling, then the spec's.
std::string elementTypeName(attnElementType type);

/// "float16", "int32", "bfloat16", "float32x4" for a DLPack dtype.
std::string dtypeName(DLDataType dtype);

/// Whether a tensor of `dtype` holds `type` elements.
bool dtypeMatches(attnElementType type, DLDataType dtype);

/// Element `n` of an integer tensor of `type` at `data`.
int64_t readInteger(const char *data, attnElementType type, int64_t n);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_ELEMENTTYPES_H
