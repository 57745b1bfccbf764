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

namespace mlir::attn::reference {

/// How to evaluate. The default is the exact (double precision) semantics.
struct EvaluationOptions {
  /// When set, the oracle models a straightforward implementation in a
  /// narrower type: the values it stores are rounded with this function (the
  /// scores Q K^T, the weights before they multiply V, and the outputs) and
  /// its dot products accumulate in f32. The difference from the exact
  /// result measures that implementation's error, the yardstick tolerances
  /// are derived from (as FlashAttention's tests do).
  double (*roundIntermediate)(double) = nullptr;
};

/// Evaluates `func` on `arguments` (one per function argument, shapes
/// concrete). Supported ops: attn.attention, attn.linear_attention,
/// attn.merge, arith.constant (splat or dense) and func.return.
mlir::FailureOr<std::vector<Tensor>>
evaluateFunction(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> arguments,
                 const EvaluationOptions &options = {});

} // namespace mlir::attn::reference

#endif // ATTN_REFERENCE_ORACLE_H
