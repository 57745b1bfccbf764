//===- Oracle.h - The reference oracle ------------------------*- C++ -*-===//
//
// A plain evaluation, in double precision, of the semantics of VARIANTS.md for
// every attn op. It shares only the parser (and the ops' accessors) with the
// compiler, so every lowering can be checked against it. Regions are
// interpreted op by op.
//
// Errors (a shape that does not match the spec, an index out of range in a
// data mask, an op the oracle cannot evaluate) are reported as MLIR
// diagnostics at the op's location; evaluation then returns failure.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_REFERENCE_ORACLE_H
#define ATTN_REFERENCE_ORACLE_H

#include "attn/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

#include <functional>

namespace mlir::attn::reference {

/// How to evaluate. The default is the exact (double precision) semantics.
struct EvaluationOptions {
  /// When set, the oracle models a straightforward implementation in a
  /// narrower type: the values it stores are rounded with this function (the
  /// scores Q K^T before and after the modifiers, the weights before they
  /// multiply V, and the outputs) and
  /// its dot products accumulate in f32. The difference from the exact
  /// result measures that implementation's error, the yardstick tolerances
  /// are derived from (as FlashAttention's tests do).
  double (*roundIntermediate)(double) = nullptr;
  /// When set, attn.attention evaluates only the query rows (b, h, i) it
  /// accepts; the others hold NaN in the output and lse, and so does every
  /// block statistic of a query block with such a row. Checks of large
  /// shapes sample rows this way.
  std::function<bool(int64_t b, int64_t h, int64_t i)> includeRow;
};

/// Evaluates `func` on `arguments` (one per function argument, shapes
/// concrete). Supported ops: attn.attention, attn.linear_attention,
/// attn.merge, arith.constant (splat or dense) and func.return.
mlir::FailureOr<std::vector<Tensor>>
evaluateFunction(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> arguments,
                 const EvaluationOptions &options = {});

/// The work of one attn.attention: its kept (query, key) pairs, summed over
/// batch, query heads and rows, and its head dimensions.
struct AttentionWork {
  int64_t keptPairs = 0;
  int64_t headDim = 0, valueDim = 0;
  /// 2 * keptPairs * (headDim + valueDim): the multiply-adds of Q K^T and
  /// P V on the kept pairs alone, two FLOPs each (what benchmarks count).
  double flops() const {
    return 2.0 * static_cast<double>(keptPairs) *
           static_cast<double>(headDim + valueDim);
  }
};

/// Counts the kept pairs of every attn.attention of `func` (in order) on
/// `arguments`, with the oracle's own mask code: masks, data masks, the mask
/// region, q_len/kv_len and alignment as evaluateFunction applies them, and
/// nothing else (no scores, no values). Each attn.attention must read only
/// function arguments and constants.
/// Sees the keys each evaluated query row (b, h, i) keeps, in increasing
/// order; `op` numbers the function's attn.attention ops from 0.
using KeptRowVisitor =
    std::function<void(int64_t op, int64_t b, int64_t h, int64_t i,
                       llvm::ArrayRef<int64_t> keptKeys)>;

/// The kept pairs of every attn.attention of `func` (masks only), and each
/// row's kept keys to `visit` when given (what the tile tests scan).
mlir::FailureOr<std::vector<AttentionWork>>
countKeptPairs(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> arguments,
               const KeptRowVisitor &visit = nullptr);

} // namespace mlir::attn::reference

#endif // ATTN_REFERENCE_ORACLE_H
