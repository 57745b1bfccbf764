//===- CpuJit.h - Spec functions compiled for this CPU --------*- C++ -*-===//
//
// Lowers a spec function with the CPU pipeline, compiles it for the host CPU
// (its own features) and runs it in this process on reference tensors. This
// is what `attn-run --target=cpu` uses; applications use the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TARGETS_CPUJIT_H
#define ATTN_TARGETS_CPUJIT_H

#include "attn/Passes.h"
#include "attn/Reference/Tensor.h"
#include "attn/Targets/ResultShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"

#include <memory>
#include <optional>
#include <string>

namespace mlir::attn {

class CpuJitKernel {
public:
  /// Compiles `func` (left unchanged; its module is cloned). Emits a
  /// diagnostic and fails if the pipeline rejects it.
  static FailureOr<std::unique_ptr<CpuJitKernel>>
  compile(func::FuncOp func, const CpuPipelineOptions &options);

  /// Runs the kernel on `arguments` (one per function argument, values as
  /// the reference holds them, converted to each argument's element type).
  /// Returns the results converted to double, or sets `error`.
  FailureOr<std::vector<reference::Tensor>>
  run(ArrayRef<reference::Tensor> arguments, std::string &error);

  /// One call of the kernel, ready to launch: the arguments converted to the
  /// kernel's element types and the results allocated (filled with NaN).
  /// run() is prepare(), launch() and read(); a benchmark times launch().
  class Call {
  public:
    Call(Call &&);
    Call &operator=(Call &&);
    ~Call();

  private:
    friend class CpuJitKernel;
    Call();
    struct State;
    std::unique_ptr<State> state;
  };

  /// Converts `arguments` (as for run()) for a call; sets `error` on a
  /// mismatch.
  FailureOr<Call> prepare(ArrayRef<reference::Tensor> arguments,
                          std::string &error);
  /// A call built argument by argument, for arguments too large to hold
  /// twice: buffers for arguments of `shapes` (scalars: empty shapes),
  /// zero-filled until write() fills them. Sets `error` on a rank mismatch.
  FailureOr<Call> allocate(ArrayRef<std::vector<int64_t>> shapes,
                           std::string &error);
  /// Stores `values` at row-major `offset` of argument `argument` of `call`,
  /// converted to its element type (a scalar argument takes one value).
  void write(Call &call, unsigned argument, int64_t offset,
             ArrayRef<double> values) const;
  /// Frees `call`'s argument buffers once its last launch is done, so that
  /// reading the results needs no room beside them. The call cannot be
  /// launched again.
  void releaseArguments(Call &call) const;

  /// Runs the kernel once on `call`'s buffers, overwriting its results.
  void launch(Call &call);
  /// The results of `call`'s last launch, converted to double.
  std::vector<reference::Tensor> read(const Call &call) const;

  /// A key tile a kernel compiled with CpuPipelineOptions::recordTiles
  /// visited: status 1 partial (masks evaluated per element), 2 full.
  struct TileRecord {
    int64_t batch, kvHead, queryTile, keyTile, status;
  };
  /// The tiles such kernels visited since the last call, in no order.
  static std::vector<TileRecord> takeTileRecords();

  /// The host CPU and the vector features the code was compiled for.
  const std::string &getTargetDescription() const { return target; }

private:
  CpuJitKernel() = default;

  std::unique_ptr<ExecutionEngine> engine;
  std::string name, target;
  /// The function's signature (element types and ranks), and its results'
  /// shapes as functions of the argument shapes.
  SmallVector<Type> argumentTypes, resultTypes;
  /// For each result, where its sizes come from (ResultShapes.h).
  SmallVector<ResultShape> resultShapeSource;
};

} // namespace mlir::attn

#endif // ATTN_TARGETS_CPUJIT_H
