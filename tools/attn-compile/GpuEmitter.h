//===- GpuEmitter.h - A spec's NVIDIA kernels as PTX and cubin -*- C++ -*-===//
//
// attn-compile's GPU targets: the chosen functions through the NVIDIA
// pipeline to PTX, then through the CUDA toolkit's ptxas to a cubin where
// the toolkit is present, with what each kernel's launch needs.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNCOMPILE_GPUEMITTER_H
#define ATTN_TOOLS_ATTNCOMPILE_GPUEMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>

namespace mlir::attn {

/// From a kernel's `attn.launch` (see attn-nvidia-kernels).
struct GpuKernelLaunch {
  int64_t threads = 0, sharedBytes = 0, group = 1, rowsPerBlock = 0, gridY = 0;
};

struct GpuModuleCode {
  /// "sm_80", "sm_90".
  std::string chip;
  std::string ptx;
  /// The cubin's bytes; empty where there is no ptxas.
  std::string cubin;
  /// ptxas -v's report (registers, spills per kernel); empty without ptxas.
  std::string ptxasReport;
  /// Per spec function.
  std::map<std::string, GpuKernelLaunch> launches;
};

/// Lowers `module` (the functions to compile) for `chip`, writes the PTX to
/// `ptxPath` and, where the CUDA toolkit has ptxas, the cubin to
/// `cubinPath`. Emits diagnostics and fails on any error.
FailureOr<GpuModuleCode> emitNvidiaModule(ModuleOp module, StringRef chip,
                                          StringRef ptxPath,
                                          StringRef cubinPath);

/// The spill stores and loads ptxas reported, summed over the kernels.
int64_t countSpillBytes(StringRef ptxasReport);

} // namespace mlir::attn

#endif // ATTN_TOOLS_ATTNCOMPILE_GPUEMITTER_H
