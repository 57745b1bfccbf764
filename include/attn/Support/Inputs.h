//===- Inputs.h - Shapes and inputs for running a spec --------*- C++ -*-===//
//
// A spec's functions take tensors with dynamic batch and sequence lengths.
// To run one, every argument needs a concrete shape and sensible data: a
// segment-id tensor must hold sorted ids, a page table a permutation of
// pages, a length tensor values in range. Both follow from the role the
// argument plays in the attn op that reads it (query, bias, kv_len, ...),
// which this file infers.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_INPUTS_H
#define ATTN_SUPPORT_INPUTS_H

#include "attn/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <random>

namespace mlir::attn {

/// What an argument is to the op that reads it.
struct ArgumentRole {
  /// The op's operand group, e.g. "query", "bias", "captures".
  std::string name = "unused";
  /// The op that reads the argument (null when unused).
  mlir::Operation *user = nullptr;
};

/// The symbolic sizes a run binds: B, SQ, SKV (and K for index lists).
using DimBindings = std::map<std::string, int64_t>;

/// One argument ready to generate or load.
struct ArgumentPlan {
  unsigned index;
  /// `attn.name` of the argument, else "argN".
  std::string name;
  ArgumentRole role;
  mlir::Type type;
  std::vector<int64_t> shape;
};

/// The role of every argument of `func`.
std::vector<ArgumentRole> inferArgumentRoles(mlir::func::FuncOp func);

/// Concrete shapes for every argument of `func`: static dimensions from the
/// signature, dynamic ones from `dims` by role, or a whole-shape override
/// (`overrides[N]` for argument N). Emits a diagnostic naming the argument
/// and dimension that could not be resolved, unless `allowUnresolved` (the
/// inputs come from files), which leaves -1 there.
mlir::FailureOr<std::vector<ArgumentPlan>>
planArguments(mlir::func::FuncOp func, const DimBindings &dims,
              const std::map<unsigned, std::vector<int64_t>> &overrides,
              bool allowUnresolved = false);

/// Data for `plan` fitting its role, from `rng`; floats are rounded to the
/// argument's element type.
reference::Tensor generateArgument(const ArgumentPlan &plan,
                                   const DimBindings &dims,
                                   std::mt19937_64 &rng);

/// Whether `plan` is bulk data (query, key, value, bias, ...: independent
/// uniform values) that generateArgumentInChunks() can stream.
bool isBulkArgument(const ArgumentPlan &plan);

/// The data generateArgument() gives a bulk argument, the same values from
/// the same `rng` state, handed to `sink` in chunks (offset, values) instead
/// of held at once: how attn-run fills a large kernel argument without a
/// double-precision copy of it.
void generateArgumentInChunks(
    const ArgumentPlan &plan, std::mt19937_64 &rng,
    llvm::function_ref<void(int64_t, llvm::ArrayRef<double>)> sink);

/// Rounds every element of a floating-point tensor to `elementType`.
void roundToElementType(reference::Tensor &tensor, mlir::Type elementType);

/// Rewrites the query, key, value and output tensors of `func` whose element
/// type is `from` to `to` (what `attn-run --dtype` does); other operands keep
/// their types. The caller re-verifies.
void retypeFunction(mlir::func::FuncOp func, mlir::Type from, mlir::Type to);

/// The element type of `func`'s attention data, which retypeFunction()
/// changes: the first attention's or linear attention's query, or merge's
/// output; null where `func` holds none.
mlir::Type dataElementType(mlir::func::FuncOp func);

/// Gives every attn.attention of `func` head dimension `headDim` (D and Dv:
/// the last dimension of query, key, value, output and an elementwise gate),
/// and every attn.merge (its parts and output). Fails where `func` holds
/// linear attention.
mlir::LogicalResult setHeadDim(mlir::func::FuncOp func, int64_t headDim);

} // namespace mlir::attn

#endif // ATTN_SUPPORT_INPUTS_H
