//===- ResultShapes.h - A spec function's result sizes --------*- C++ -*-===//
//
// Every target that runs a spec function in this process (the CPU JIT, the
// GPU runners, the emulator) allocates its results from the arguments'
// shapes the same way: an attn.attention (or linear attention, or merge)
// output is [B, Hq, Sq, Dv] and its lse [B, Hq, Sq], B, Hq and Sq those of
// its query; block statistics are [B, Hq, ceil(Sq / Bq), ceil(Skv / Bk)],
// Skv the key's length (or pages x page size for a paged cache).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TARGETS_RESULTSHAPES_H
#define ATTN_TARGETS_RESULTSHAPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>
#include <vector>

namespace mlir::attn {

/// Where one result's sizes come from.
struct ResultShape {
  /// The argument giving B, Hq and Sq.
  unsigned query = 0;
  /// Block statistics: the block sizes (0 otherwise), the key argument and
  /// the page table's.
  int64_t queryBlock = 0, keyBlock = 0;
  unsigned key = 0;
  std::optional<unsigned> pageTable;
};

/// Where each result of `func` gets its sizes; emits a diagnostic naming
/// `backend` and fails where a query or key is no function argument.
FailureOr<SmallVector<ResultShape>> deriveResultShapes(func::FuncOp func,
                                                       StringRef backend);

/// The same for any results of `func`'s ops (a GPU step's temporaries).
FailureOr<SmallVector<ResultShape>>
deriveValueShapes(func::FuncOp func, ValueRange values, StringRef backend);

/// A temporary of a function's GPU steps (gpuStepBuffers() past the
/// arguments and results) as attnrt allocates it: each dynamic size of
/// `type` is that of the same dimension of argument `shapeArgument`.
struct GpuTemporary {
  RankedTensorType type;
  unsigned shapeArgument = 0;
};

/// The temporaries of `func`'s GPU steps, in gpuStepBuffers() order; emits
/// a diagnostic naming `backend` and fails on one whose sizes do not follow
/// so (block statistics).
FailureOr<SmallVector<GpuTemporary>> deriveGpuTemporaries(func::FuncOp func,
                                                          StringRef backend);

/// The sizes of a result of `type` from the arguments' shapes.
std::vector<int64_t>
computeResultShape(const ResultShape &from, RankedTensorType type,
                   ArrayRef<std::vector<int64_t>> argumentShapes);

} // namespace mlir::attn

#endif // ATTN_TARGETS_RESULTSHAPES_H
