//===- SizeClasses.h - Which sizes of a spec function agree ---*- C++ -*-===//
//
// Every dimension of every tensor value in a spec function is a slot; slots
// that must hold the same size are united into classes (union-find), and
// what is not an equality (a dimension that broadcasts, a tensor a region
// indexes, a length bounded by a size, one size a multiple of another) is
// kept as a pending constraint on a value. The operand layouts fill this
// (OperandLayouts.cpp); the signature is read off it (KernelSignature.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNCOMPILE_SIZECLASSES_H
#define ATTN_TOOLS_ATTNCOMPILE_SIZECLASSES_H

#include "KernelSignature.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"

#include <array>
#include <string>
#include <vector>

namespace mlir::attn {

using Slot = unsigned;

/// A dimension a layout leaves unconstrained.
constexpr Slot kAnySize = ~0u;

/// A constraint found on a value, resolved to argument indices at the end.
struct PendingConstraint {
  KernelConstraintKind kind;
  /// The constrained value (null for SymbolMultiple) and its dimension.
  Value value;
  unsigned dim;
  Slot symbol;
  int64_t divisor = 1;
  Slot otherSymbol = 0;
};

class SizeClasses {
public:
  /// Dimension `dim` of the ranked tensor `value`.
  Slot slot(Value value, unsigned dim) {
    auto [it, inserted] = slots.try_emplace({value, dim}, parent.size());
    if (inserted) {
      parent.push_back(it->second);
      auto type = llvm::cast<RankedTensorType>(value.getType());
      staticSize.push_back(type.isDynamicDim(dim) ? -1 : type.getDimSize(dim));
    }
    return it->second;
  }
  /// A size no value has: the product of two others.
  Slot product(Slot a, Slot b) {
    Slot s = parent.size();
    parent.push_back(s);
    staticSize.push_back(-1);
    products.push_back({s, a, b});
    return s;
  }
  Slot find(Slot s) {
    while (parent[s] != s)
      s = parent[s] = parent[parent[s]];
    return s;
  }
  void unite(Slot a, Slot b) { parent[find(a)] = find(b); }
  /// What messages and headers call the class of `s` (the first name wins).
  void name(Slot s, StringRef text) { names.push_back({s, text.str()}); }
  void require(PendingConstraint constraint) { pending.push_back(constraint); }

  /// Unites `value`'s dimensions with `layout` (one slot per dimension).
  void expectEqual(Value value, ArrayRef<Slot> layout) {
    auto type = llvm::cast<RankedTensorType>(value.getType());
    for (int64_t d = 0; d < type.getRank() && d < int64_t(layout.size()); ++d)
      if (layout[d] != kAnySize)
        unite(slot(value, d), layout[d]);
  }
  /// `value`'s dimensions broadcast to `layout`: each is 1 or the layout's
  /// size. Right-aligned when `value` has fewer dimensions.
  void expectBroadcast(Value value, ArrayRef<Slot> layout) {
    auto type = llvm::cast<RankedTensorType>(value.getType());
    int64_t skip = int64_t(layout.size()) - type.getRank();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (d + skip < 0 || layout[d + skip] == kAnySize ||
          type.getDimSize(d) == 1)
        continue;
      slot(value, d); // The dimension itself exists as a slot.
      require({KernelConstraintKind::DimBroadcasts, value, unsigned(d),
               layout[d + skip]});
    }
  }

  llvm::DenseMap<std::pair<Value, unsigned>, Slot> slots;
  std::vector<Slot> parent;
  /// Each slot's static size, or -1.
  std::vector<int64_t> staticSize;
  std::vector<std::pair<Slot, std::string>> names;
  std::vector<PendingConstraint> pending;
  /// (product, factor, factor) slots.
  std::vector<std::array<Slot, 3>> products;
};

/// Adds the layouts of the ops of `func` to `sizes`. Fails with a
/// diagnostic on an op or operand whose layout is not known here.
LogicalResult addOperandLayouts(func::FuncOp func, SizeClasses &sizes);

} // namespace mlir::attn

#endif // ATTN_TOOLS_ATTNCOMPILE_SIZECLASSES_H
