//===- EmulatedRunner.h - Run a spec's GPU kernel on the emulator -*- C++
//-*-===//
//
// attn-run's `sm_80-emu` and `sm_90-emu` targets: the NVIDIA kernel of a
// spec function, exactly as the NVIDIA pipeline generates it up to NVVM,
// lowered for the host by attn-emulate-gpu-kernels, compiled in this
// process and run by the SIMT emulator, which reports barrier, collective,
// bounds and race faults.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TARGETS_EMULATEDRUNNER_H
#define ATTN_TARGETS_EMULATEDRUNNER_H

#include "attn/Reference/Tensor.h"
#include "attn/Targets/ResultShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"

#include <memory>
#include <string>

namespace mlir::attn {

class EmulatedGpuKernel {
public:
  ~EmulatedGpuKernel();

  /// Compiles the kernels of `func` (left unchanged) for `chip` (sm_80,
  /// sm_90, gfx90a, gfx942) and the emulator; `debugFault` plants the
  /// kernel mapping's fault of that name (tests of the emulator only). Emits a
  /// diagnostic and fails where the backend rejects the function.
  static FailureOr<std::unique_ptr<EmulatedGpuKernel>>
  compile(func::FuncOp func, StringRef chip, StringRef debugFault = "");

  /// Runs the kernels on `arguments` (values as the reference holds them,
  /// converted to each argument's element type); returns the results as
  /// double, or sets `error` (a fault the emulator found, or a bad
  /// argument).
  FailureOr<std::vector<reference::Tensor>>
  run(ArrayRef<reference::Tensor> arguments, std::string &error);

  /// "sm_90 kernel on the SIMT emulator (...)".
  const std::string &getTargetDescription() const { return target; }

private:
  EmulatedGpuKernel() = default;

  /// One kernel and its launch (attn.launch); a function of several ops
  /// runs one per op, in order, on the same buffers (gpuStepBuffers()).
  struct Step {
    std::string name;
    unsigned queryArgument = 0;
    int64_t threads = 0, queryTile = 0, group = 1, kvHeads = 1, sharedBytes = 0;
    std::vector<std::string> sites;
  };

  std::unique_ptr<ExecutionEngine> engine;
  std::string target;
  SmallVector<Type> argumentTypes, resultTypes, temporaryTypes;
  int64_t warpSize = 32;
  SmallVector<Step> steps;
  SmallVector<ResultShape> resultShapes, temporaryShapes;
};

} // namespace mlir::attn

#endif // ATTN_TARGETS_EMULATEDRUNNER_H
