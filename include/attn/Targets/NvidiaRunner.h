//===- NvidiaRunner.h - Run a spec function on an NVIDIA GPU ---*- C++ -*-===//
//
// attn-run's GPU targets: a spec function compiled to PTX in this process
// and run through attnrt's CUDA backend (the driver loaded at run time),
// with device buffers for its arguments and results.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TARGETS_NVIDIARUNNER_H
#define ATTN_TARGETS_NVIDIARUNNER_H

#include "attn/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <memory>
#include <string>

struct attnKernel;

namespace mlir::attn {

class NvidiaKernel {
public:
  ~NvidiaKernel();

  /// Whether this machine has an NVIDIA GPU the runtime can use; otherwise
  /// `why` says what is missing (no driver, no GPU). `chip` is the device's
  /// ("sm_90"), `name` its name.
  static bool findDevice(std::string &chip, std::string &name,
                         std::string &why);

  /// Compiles `func` (left unchanged) for `chip` (sm_80, sm_90) to PTX.
  /// Emits a diagnostic and fails where the backend rejects it.
  static FailureOr<std::unique_ptr<NvidiaKernel>> compile(func::FuncOp func,
                                                          StringRef chip);

  /// Runs the kernel on `arguments` (values as the reference holds them,
  /// converted to each argument's element type on the way to the GPU) once
  /// to check, then `benchRuns` more times to time; returns the results of
  /// the first run as double. `milliseconds` gets the first launch's time,
  /// `benchMilliseconds` the median of the timed ones. Sets `error`.
  FailureOr<std::vector<reference::Tensor>>
  run(ArrayRef<reference::Tensor> arguments, int benchRuns,
      double &milliseconds, double &benchMilliseconds, std::string &error);

  /// "sm_90 (PTX, 168 bytes ...)": what the code was compiled for.
  const std::string &getTargetDescription() const { return target; }

private:
  NvidiaKernel() = default;
  struct Descriptor;
  std::unique_ptr<Descriptor> descriptor;
  std::string target;
  SmallVector<Type> argumentTypes, resultTypes;
  unsigned queryArgument = 0;
};

} // namespace mlir::attn

#endif // ATTN_TARGETS_NVIDIARUNNER_H
