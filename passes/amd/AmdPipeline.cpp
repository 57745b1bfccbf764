//===- AmdPipeline.cpp - From a spec to AMDGPU assembly and HSACO ---------===//
//
// The AMD kernels (attn-amd-kernels), then upstream conversions to ROCDL
// and the serialisation of the GPU module to AMDGPU assembly, or to an
// HSACO linked by ld.lld with the ROCm device libraries. Registered as
// `attn-amd-pipeline`.
//
//===----------------------------------------------------------------------===//

#include "../gpu/GpuKernel.h"

#include "attn/Passes.h"

#include "mlir/Conversion/AMDGPUToROCDL/AMDGPUToROCDL.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToROCDL/GPUToROCDLPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToROCDL/MathToROCDL.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/ROCDL/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/ROCDL/ROCDLToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace mlir;

std::string mlir::attn::findRocmToolkit() {
  auto complete = [](llvm::StringRef folder) {
    llvm::SmallString<256> bitcode(folder), linker(folder);
    llvm::sys::path::append(bitcode, "amdgcn", "bitcode");
    llvm::sys::path::append(linker, "llvm", "bin", "ld.lld");
    return llvm::sys::fs::is_directory(bitcode) &&
           llvm::sys::fs::exists(linker);
  };
  if (std::optional<std::string> path = llvm::sys::Process::GetEnv("ROCM_PATH"))
    if (!path->empty() && complete(*path))
      return *path;
#ifdef ATTN_ROCM_TOOLKIT
  if (complete(ATTN_ROCM_TOOLKIT))
    return ATTN_ROCM_TOOLKIT;
#endif
  if (complete("/opt/rocm"))
    return "/opt/rocm";
  return "";
}

void mlir::attn::buildAmdKernelPipeline(OpPassManager &pm,
                                        const AmdPipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  AttnAmdKernelsOptions kernels;
  kernels.chip = options.chip;
  kernels.debugFault = options.debugFault;
  pm.addPass(createAttnAmdKernels(kernels));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildAmdCodegenPipeline(OpPassManager &pm,
                                         const AmdPipelineOptions &options) {
  GpuROCDLAttachTargetOptions attach;
  attach.chip = options.chip;
  attach.optLevel = 3;
  pm.addPass(createGpuROCDLAttachTarget(attach));
  // Math functions the AMDGPU backend has no instruction for (tanh, ...)
  // become calls into the device libraries' OCML, linked into the HSACO.
  ConvertMathToROCDLOptions math;
  math.chipset = options.chip;
  pm.addPass(createConvertMathToROCDL(math));
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createSCFToControlFlowPass());
  ConvertAMDGPUToROCDLPassOptions amdgpu;
  amdgpu.chipset = options.chip;
  device.addPass(createConvertAMDGPUToROCDLPass(amdgpu));
  ConvertGpuOpsToROCDLOpsOptions rocdl;
  rocdl.chipset = options.chip;
  rocdl.runtime = gpu::amd::Runtime::HIP;
  device.addPass(createConvertGpuOpsToROCDLOps(rocdl));
  device.addPass(createCanonicalizerPass());
  device.addPass(createReconcileUnrealizedCastsPass());
  if (options.format.empty())
    return;
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath =
      options.toolkit.empty() ? findRocmToolkit() : options.toolkit;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::attn::buildAmdPipeline(OpPassManager &pm,
                                  const AmdPipelineOptions &options) {
  buildAmdKernelPipeline(pm, options);
  buildAmdCodegenPipeline(pm, options);
}

void mlir::attn::registerAmdBackend(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, amdgpu::AMDGPUDialect, ROCDL::ROCDLDialect,
                  cf::ControlFlowDialect, math::MathDialect,
                  vector::VectorDialect>();
  // convert-gpu-to-rocdl converts every dialect through its interface.
  registerGpuLoweringInterfaces(registry);
  ROCDL::registerROCDLTargetInterfaceExternalModels(registry);
  registerROCDLDialectTranslation(registry);
}

namespace {
struct AmdPipelineCommandLine
    : public PassPipelineOptions<AmdPipelineCommandLine> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("AMD chip: gfx90a or gfx942"),
                           llvm::cl::init("gfx942")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("isa (AMDGPU assembly), bin (HSACO), or empty to stop "
                     "at the ROCDL dialect"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("ROCm toolkit folder: amdgcn/bitcode and "
                     "llvm/bin/ld.lld (default: $ROCM_PATH, the build's "
                     "rocm-toolkit, /opt/rocm)"),
      llvm::cl::init("")};
};
} // namespace

void mlir::attn::registerAmdPipeline() {
  PassPipelineRegistration<AmdPipelineCommandLine>(
      "attn-amd-pipeline",
      "Lower a spec to AMD GPU kernels and serialise them (AMDGPU assembly "
      "by default)",
      [](OpPassManager &pm, const AmdPipelineCommandLine &line) {
        attn::AmdPipelineOptions options;
        options.chip = line.chip;
        options.format = line.format;
        options.toolkit = line.toolkit;
        attn::buildAmdPipeline(pm, options);
      });
}
