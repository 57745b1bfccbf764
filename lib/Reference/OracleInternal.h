//===- OracleInternal.h - Per-op evaluators of the oracle -----*- C++ -*-===//

#ifndef ATTN_LIB_REFERENCE_ORACLEINTERNAL_H
#define ATTN_LIB_REFERENCE_ORACLEINTERNAL_H

#include "attn/Dialect/Attn.h"
#include "attn/Reference/Oracle.h"
#include "attn/Reference/Tensor.h"

#include "llvm/ADT/FunctionExtras.h"

namespace mlir::attn::reference {

/// The tensor bound to an SSA value of the function being evaluated.
using ValueLookup = llvm::function_ref<const Tensor *(mlir::Value)>;

mlir::FailureOr<std::vector<Tensor>>
evaluateAttention(mlir::attn::AttentionOp op, ValueLookup lookup,
                  const EvaluationOptions &options = {});

/// Each row's kept keys, for countAttentionKeptPairs().
using KeptKeysVisitor = llvm::function_ref<void(
    int64_t b, int64_t h, int64_t i, llvm::ArrayRef<int64_t> keptKeys)>;

/// The kept pairs of `op`: its masks evaluated for every row, nothing else;
/// each row's kept keys go to `visit`.
mlir::FailureOr<AttentionWork>
countAttentionKeptPairs(mlir::attn::AttentionOp op, ValueLookup lookup,
                        KeptKeysVisitor visit);

/// `op` in double precision, or (with options.roundIntermediate) as a
/// straightforward narrow-type implementation computes it: the feature
/// vectors, the weights and the outputs rounded, sums accumulated in f32.
mlir::FailureOr<std::vector<Tensor>>
evaluateLinearAttention(mlir::attn::LinearAttentionOp op, ValueLookup lookup,
                        const EvaluationOptions &options);

/// `op` in double precision, or (with options.roundIntermediate) as a
/// straightforward implementation in the output's narrow type computes it:
/// the merged output rounded as it is stored.
mlir::FailureOr<std::vector<Tensor>>
evaluateMerge(mlir::attn::MergeOp op, ValueLookup lookup,
              const EvaluationOptions &options);

/// Whether key coordinate `j` is in the 1-D neighborhood of query coordinate
/// `i` on an axis of `extent` tokens (VARIANTS.md section 2.1).
bool isInNeighborhood1D(int64_t i, int64_t j, int64_t extent, int64_t kernel,
                        int64_t dilation, int64_t stride, bool causal);

} // namespace mlir::attn::reference

#endif // ATTN_LIB_REFERENCE_ORACLEINTERNAL_H
