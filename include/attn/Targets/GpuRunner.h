//===- GpuRunner.h - Run a spec function on a GPU --------------*- C++ -*-===//
//
// attn-run's GPU targets: a spec function compiled in this process to PTX
// (NVIDIA) or an HSACO (AMD) and run through attnrt's CUDA or HIP backend
// (the driver library loaded at run time), with device buffers for its
// arguments and results.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TARGETS_GPURUNNER_H
#define ATTN_TARGETS_GPURUNNER_H

#include "attn/Reference/Tensor.h"
#include "attn/Targets/ResultShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <dlpack/dlpack.h>

#include <memory>
#include <string>

struct attnKernel;

namespace mlir::attn {

class GpuKernel {
public:
  ~GpuKernel();

  /// Whether this machine has a GPU of `vendor` ("NVIDIA", "AMD") the
  /// runtime can use; otherwise `why` says what is missing (no driver, no
  /// GPU). `chip` is the device's ("sm_90"; empty where the runtime does
  /// not say), `name` its name.
  static bool findDevice(StringRef vendor, std::string &chip, std::string &name,
                         std::string &why);

  /// Compiles `func` (left unchanged) for `chip` (sm_80, sm_90: PTX;
  /// gfx90a, gfx942: an HSACO). Emits a diagnostic and fails where the
  /// backend rejects it.
  static FailureOr<std::unique_ptr<GpuKernel>> compile(func::FuncOp func,
                                                       StringRef chip);

  /// Runs the kernel on `arguments` (values as the reference holds them,
  /// converted to each argument's element type on the way to the GPU) once
  /// to check, then `benchRuns` more times to time; returns the results of
  /// the first run as double. `milliseconds` gets the first launch's time,
  /// `benchMilliseconds` the median of the timed ones. Sets `error`.
  FailureOr<std::vector<reference::Tensor>>
  run(ArrayRef<reference::Tensor> arguments, int benchRuns,
      double &milliseconds, double &benchMilliseconds, std::string &error);

  /// "sm_90 (PTX, 46080 bytes ...)": what the code was compiled for.
  const std::string &getTargetDescription() const { return target; }

private:
  GpuKernel() = default;
  struct Descriptor;
  std::unique_ptr<Descriptor> descriptor;
  std::string target;
  SmallVector<Type> argumentTypes, resultTypes;
  unsigned queryArgument = 0;
  SmallVector<ResultShape> resultShapes;
  DLDevice device{};
};

} // namespace mlir::attn

#endif // ATTN_TARGETS_GPURUNNER_H
