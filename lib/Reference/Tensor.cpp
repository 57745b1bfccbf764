//===- Tensor.cpp - Dense tensors for the reference oracle ----------------===//

#include "attn/Reference/Tensor.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::attn::reference;

Tensor::Tensor(std::vector<int64_t> shape, double fill, ElementKind kind)
    : shape(std::move(shape)), kind(kind) {
  data.assign(numElements(), fill);
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t Tensor::offset(llvm::ArrayRef<int64_t> index) const {
  int64_t offset = 0;
  for (auto [i, d] : llvm::enumerate(shape))
    offset = offset * d + index[i];
  return offset;
}

double Tensor::atBroadcast(llvm::ArrayRef<int64_t> index) const {
  int64_t offset = 0, skip = index.size() - shape.size();
  for (auto [i, d] : llvm::enumerate(shape))
    offset = offset * d + (d == 1 ? 0 : index[skip + i]);
  return data[offset];
}

std::string mlir::attn::reference::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os);
  os << ']';
  return text;
}

std::string Tensor::shapeString() const { return formatShape(shape); }
