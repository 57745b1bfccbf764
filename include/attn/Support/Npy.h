//===- Npy.h - NumPy .npy files -------------------------------*- C++ -*-===//
//
// Reads and writes the NumPy .npy format (version 1 to 3, C order, little
// endian), so inputs and results can be exchanged with any other tool.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_NPY_H
#define ATTN_SUPPORT_NPY_H

#include "attn/Reference/Tensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace mlir::attn {

/// Element types an .npy file is written with.
enum class NpyType { F16, F32, F64, I8, I32, I64 };

/// The .npy descriptor of `type`, e.g. "<f4".
llvm::StringRef npyDescriptor(NpyType type);

/// Reads `path`. Integer and boolean files give ElementKind::Integer tensors.
llvm::Expected<reference::Tensor> readNpy(llvm::StringRef path);

/// Parses an .npy image held in memory; `name` is used in error messages.
llvm::Expected<reference::Tensor> parseNpy(llvm::StringRef bytes,
                                           llvm::StringRef name);

/// Writes `tensor` to `path` with elements converted to `type`.
llvm::Error writeNpy(llvm::StringRef path, const reference::Tensor &tensor,
                     NpyType type);

/// The .npy image `writeNpy` would write.
std::string serializeNpy(const reference::Tensor &tensor, NpyType type);

/// Rounds `value` to the nearest f16 / bf16 / f32 (ties to even, overflow
/// to infinity, gradual underflow), as a double.
double roundToF16(double value);
double roundToBF16(double value);
double roundToF32(double value);

/// The f16 / bf16 bit pattern nearest `value` (ties to even; NaN becomes the
/// quiet NaN), and the double a bit pattern holds.
uint16_t encodeF16(double value);
uint16_t encodeBF16(double value);
double decodeF16(uint16_t bits);
double decodeBF16(uint16_t bits);

} // namespace mlir::attn

#endif // ATTN_SUPPORT_NPY_H
