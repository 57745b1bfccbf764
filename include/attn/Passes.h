//===- Passes.h - attn passes and pipelines -------------------*- C++ -*-===//

#ifndef ATTN_PASSES_H
#define ATTN_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::attn {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Options of the CPU lowering. 128 query rows per tile amortise the key
/// tile transposition best on the benchmark workloads (W1 86 -> 65 ms,
/// W2 427 -> 363 ms against 32 rows, 2 threads, AVX-512).
struct CpuPipelineOptions {
  int64_t queryTile = 128;
  int64_t keyTile = 64;
  /// Report visited tiles to attn_record_tile (see attn-tile-attention).
  bool recordTiles = false;
  /// Only the data masks' per-launch summaries (see attn-tile-attention).
  bool summaryOnly = false;
};

/// Adds the passes that take a spec module to the LLVM dialect for the host
/// CPU: the tiled online form, then the upstream conversions.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// The upstream conversions from the memref, vector, math, arith, scf and
/// func dialects (and OpenMP) to the LLVM dialect for the host, which end
/// the CPU and the emulator pipelines.
void buildHostConversionPipeline(OpPassManager &pm);

/// Options of the NVIDIA lowering.
struct NvidiaPipelineOptions {
  /// sm_80 or sm_90.
  std::string chip = "sm_90";
  /// What gpu-module-to-binary makes: "isa" (PTX), "bin" (a cubin, through
  /// ptxas), "fatbin"; empty stops at the NVVM dialect.
  std::string format = "isa";
  /// The CUDA toolkit folder; empty: findCudaToolkit().
  std::string toolkit;
  /// attn-nvidia-kernels' debug-fault (testing the emulator only).
  std::string debugFault;
};

/// Adds the passes that take a spec module to serialised NVIDIA kernels:
/// buildNvidiaKernelPipeline() then buildNvidiaCodegenPipeline().
void buildNvidiaPipeline(OpPassManager &pm,
                         const NvidiaPipelineOptions &options);
/// The first half: canonical form, attn-nvidia-kernels (gpu.func kernels
/// carrying their `attn.launch` attributes), clean-up.
void buildNvidiaKernelPipeline(OpPassManager &pm,
                               const NvidiaPipelineOptions &options);
/// The second half: the conversions to NVVM and gpu-module-to-binary.
void buildNvidiaCodegenPipeline(OpPassManager &pm,
                                const NvidiaPipelineOptions &options);

/// The CUDA toolkit folder ($CUDA_HOME, $CUDA_PATH, $CUDA_ROOT, or
/// /usr/local/cuda where it exists), or an empty string.
std::string findCudaToolkit();

/// Why `ptx` cannot be loaded as it is: it calls libdevice math functions
/// (__nv_*) that were not linked in because no CUDA toolkit was found; an
/// empty string where it is complete.
std::string findUnlinkedLibdevice(llvm::StringRef ptx);

/// Registers the dialects, interfaces and translations the NVIDIA pipeline
/// needs in a context (the LLVM NVPTX target is linked in with libLLVM).
void registerNvidiaBackend(DialectRegistry &registry);

/// Registers the `attn-nvidia-pipeline` pipeline.
void registerNvidiaPipeline();

/// Options of the AMD lowering.
struct AmdPipelineOptions {
  /// gfx90a or gfx942.
  std::string chip = "gfx942";
  /// What gpu-module-to-binary makes: "isa" (AMDGPU assembly), "bin" (an
  /// HSACO, linked by ld.lld); empty stops at the ROCDL dialect.
  std::string format = "isa";
  /// The toolkit folder (amdgcn/bitcode and llvm/bin/ld.lld); empty:
  /// findRocmToolkit().
  std::string toolkit;
  /// attn-amd-kernels' debug-fault (testing the emulator only).
  std::string debugFault;
};

/// Adds the passes that take a spec module to serialised AMD kernels:
/// buildAmdKernelPipeline() then buildAmdCodegenPipeline().
void buildAmdPipeline(OpPassManager &pm, const AmdPipelineOptions &options);
/// The first half: canonical form, attn-amd-kernels, clean-up.
void buildAmdKernelPipeline(OpPassManager &pm,
                            const AmdPipelineOptions &options);
/// The second half: the conversions to ROCDL and gpu-module-to-binary.
void buildAmdCodegenPipeline(OpPassManager &pm,
                             const AmdPipelineOptions &options);

/// The folder gpu-module-to-binary takes as the ROCm toolkit ($ROCM_PATH,
/// the one the build made, or /opt/rocm where each exists), or an empty
/// string.
std::string findRocmToolkit();

/// Registers the dialects, interfaces and translations the AMD pipeline
/// needs in a context.
void registerAmdBackend(DialectRegistry &registry);

/// Registers the `attn-amd-pipeline` pipeline.
void registerAmdPipeline();

/// Adds the passes that take a spec module to host code for the SIMT
/// emulator: buildNvidiaKernelPipeline(), attn-emulate-gpu-kernels, then
/// the upstream conversions to the LLVM dialect for the host.
void buildNvidiaEmulatorPipeline(OpPassManager &pm,
                                 const NvidiaPipelineOptions &options);

/// Registers the `attn-nvidia-emulator-pipeline` pipeline.
void registerNvidiaEmulatorPipeline();

/// Registers every attn pass and the `attn-cpu-pipeline` pipeline.
void registerAllPasses();

/// A function of several attention and merge ops (each reading the
/// function's arguments or earlier ops' results) becomes one GPU kernel per
/// op, its steps, run one after another. Every step's kernel takes the same
/// buffers: the function's arguments, its results, then the temporaries
/// (the ops' results the function does not return, in op order). A function
/// of one op is one step whose kernel bears the function's name and takes
/// its arguments and results. attnrt allocates the temporaries and runs the
/// steps in turn (attnGpuStep).
SmallVector<Value> gpuStepBuffers(func::FuncOp func);
/// The ops (steps) of `func`.
unsigned gpuStepCount(func::FuncOp func);
/// The kernel of step `step` of a function of several.
std::string gpuStepKernelName(llvm::StringRef function, unsigned step);

} // namespace mlir::attn

#endif // ATTN_PASSES_H
