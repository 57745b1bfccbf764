//===- Tensor.h - Dense tensors for the reference oracle ------*- C++ -*-===//
//
// The oracle evaluates in double precision on plain row-major arrays: no
// MLIR types, no strides, nothing shared with the compiler's lowerings.
// Integer tensors are held as doubles too (exact up to 2^53).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_REFERENCE_TENSOR_H
#define ATTN_REFERENCE_TENSOR_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::attn::reference {

/// What a tensor's elements are, so results can be written back faithfully.
enum class ElementKind { Float, Integer };

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
  ElementKind kind = ElementKind::Float;

  Tensor() = default;
  Tensor(std::vector<int64_t> shape, double fill = 0.0,
         ElementKind kind = ElementKind::Float);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numElements() const;
  int64_t dim(int64_t i) const { return shape[i]; }

  /// Row-major offset of `index` (one entry per dimension, in bounds).
  int64_t offset(llvm::ArrayRef<int64_t> index) const;
  double &at(llvm::ArrayRef<int64_t> index) { return data[offset(index)]; }
  double at(llvm::ArrayRef<int64_t> index) const { return data[offset(index)]; }

  /// Element at `index` of the full shape `fullShape` this tensor broadcasts
  /// to (NumPy rules, right-aligned; size-1 dimensions repeat).
  double atBroadcast(llvm::ArrayRef<int64_t> index) const;

  /// "[2, 8, 128, 64]".
  std::string shapeString() const;
};

/// "[2, 8, 128, 64]" for any shape.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::attn::reference

#endif // ATTN_REFERENCE_TENSOR_H
