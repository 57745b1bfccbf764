//===- GpuLinearAttention.h - Chunked linear attention on a GPU -*- C++ -*-===//
//
// attn.linear_attention as one GPU kernel, chunk by chunk as Lightning
// Attention-2 computes it: one block per (batch, query head, block of value
// columns) carries its columns of the state S = sum phi(k) v^T, and z =
// sum phi(k), in shared memory across the chunks; inside a chunk the masked,
// decayed quadratic product phi(Q) phi(K)^T, its rows applied to V, and the
// carried state applied to phi(Q); the feature maps applied once per loaded
// row.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_GPU_GPULINEARATTENTION_H
#define ATTN_PASSES_GPU_GPULINEARATTENTION_H

#include "GpuKernel.h"

#include "attn/Dialect/Attn.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::attn {

/// The launch of a linear-attention kernel: one block per (b, query head,
/// block of value columns), so a block takes every row (rowsPerBlock covers
/// any Sq) and the grid's y spans the query heads times the column blocks.
struct LinearKernelLaunch {
  int64_t rowsPerBlock, gridY, sharedBytes;
};

/// Emits `op` into `kernel`, whose buffers `mapping` gives for its operands
/// and result, with the chunk products on the matrix units `makeUnit` makes
/// where the operands are f16 or bf16 and F and Dv multiples of 16 up to
/// 128, else on the threads; fails with a diagnostic where the state does
/// not fit the target's shared memory (second-order Taylor features, F =
/// 1 + D + D^2).
FailureOr<LinearKernelLaunch>
emitLinearAttentionKernel(LinearAttentionOp op, gpu::GPUFuncOp kernel,
                          const IRMapping &mapping, const GpuTarget &target,
                          const MatrixUnitFactory &makeUnit,
                          PlantedFault fault);

} // namespace mlir::attn

#endif // ATTN_PASSES_GPU_GPULINEARATTENTION_H
