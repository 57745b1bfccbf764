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
#include <vector>

namespace mlir::attn {

/// From a kernel's `attn.launch` (see attn-nvidia-kernels).
struct GpuKernelLaunch {
  int64_t threads = 0, sharedBytes = 0, group = 1, rowsPerBlock = 0, gridY = 0;
  /// The argument whose dimensions 0 and 2 give the grid's B and Sq.
  int64_t queryArgument = -1;
};

/// What the AMD code object's metadata says of one kernel.
struct AmdKernelResources {
  std::string name;
  int64_t vgprs = 0, agprs = 0, sgprs = 0, scratchBytes = 0, vgprSpills = 0,
          sgprSpills = 0, ldsBytes = 0;
};

/// A spec's kernels for one GPU chip, as the glue embeds them.
struct GpuModuleCode {
  /// "sm_80", "sm_90", "gfx90a", "gfx942".
  std::string chip;
  /// NVIDIA: the PTX; AMD: the AMDGPU assembly (not embedded).
  std::string ptx, assembly;
  /// The device binary: the cubin (empty where there is no ptxas), or the
  /// HSACO.
  std::string cubin;
  bool amd = false;
  /// ptxas -v's report (registers, spills per kernel); empty without ptxas.
  std::string ptxasReport;
  /// AMD: each kernel's registers, scratch and spills.
  std::vector<AmdKernelResources> amdKernels;
  /// Per spec function.
  std::map<std::string, GpuKernelLaunch> launches;
};

/// Lowers `module` (the functions to compile) for `chip`, writes the PTX to
/// `ptxPath` and, where the CUDA toolkit has ptxas, the cubin to
/// `cubinPath`. Emits diagnostics and fails on any error.
FailureOr<GpuModuleCode> emitNvidiaModule(ModuleOp module, StringRef chip,
                                          StringRef ptxPath,
                                          StringRef cubinPath);

/// Lowers `module` for `chip` (gfx90a, gfx942), writes the AMDGPU assembly
/// to `assemblyPath` and the HSACO (linked by ld.lld with the ROCm device
/// libraries) to `hsacoPath`. Emits diagnostics and fails on any error.
FailureOr<GpuModuleCode> emitAmdModule(ModuleOp module, StringRef chip,
                                       StringRef assemblyPath,
                                       StringRef hsacoPath);

/// The spill stores and loads ptxas reported, summed over the kernels.
int64_t countSpillBytes(StringRef ptxasReport);

} // namespace mlir::attn

#endif // ATTN_TOOLS_ATTNCOMPILE_GPUEMITTER_H
