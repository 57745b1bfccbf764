//===- ElementCoding.h - Reference values as kernel element types -*- C++
//-*-===//
//
// The GPU runners (on a GPU, on the emulator) hold arguments as raw bytes in
// the kernel's element types: these convert the reference's doubles to and
// from them, and name the runtime's element type of an MLIR type.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_TARGETS_ELEMENTCODING_H
#define ATTN_LIB_TARGETS_ELEMENTCODING_H

#include "attn/runtime.h"

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"

#include <optional>

namespace mlir::attn {

/// The runtime's element type of a tensor element (or scalar) type.
std::optional<attnElementType> runtimeElementType(Type type);
/// Bytes of one element.
int64_t bytesOf(attnElementType type);
/// The DLPack type of an element type.
DLDataType dtypeOf(attnElementType type);
/// Writes `values` as `type` elements at `out` (rounded to nearest even).
void encode(llvm::ArrayRef<double> values, attnElementType type, char *out);
/// Reads one `type` element at `p`.
double decode(const char *p, attnElementType type);

} // namespace mlir::attn

#endif // ATTN_LIB_TARGETS_ELEMENTCODING_H
