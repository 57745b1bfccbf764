//===- NvidiaPipeline.cpp - From a spec to PTX and cubin ------------------===//
//
// The NVIDIA kernels (attn-nvidia-kernels), then upstream conversions to
// NVVM and the serialisation of the GPU module to PTX (or a cubin through
// ptxas). Registered as `attn-nvidia-pipeline`.
//
//===----------------------------------------------------------------------===//

#include "../gpu/GpuKernel.h"

#include "attn/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"

using namespace mlir;

std::string mlir::attn::findCudaToolkit() {
  for (const char *variable : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (std::optional<std::string> path = llvm::sys::Process::GetEnv(variable))
      if (!path->empty() && llvm::sys::fs::is_directory(*path))
        return *path;
  if (llvm::sys::fs::is_directory("/usr/local/cuda"))
    return "/usr/local/cuda";
  return "";
}

std::string mlir::attn::findUnlinkedLibdevice(llvm::StringRef ptx) {
  size_t at = ptx.find(".extern .func");
  for (; at != llvm::StringRef::npos; at = ptx.find(".extern .func", at + 1)) {
    llvm::StringRef line = ptx.substr(at, ptx.find('\n', at) - at);
    size_t name = line.find("__nv_");
    if (name == llvm::StringRef::npos)
      continue;
    llvm::StringRef function = line.substr(name).take_until(
        [](char c) { return c == '(' || c == ' '; });
    return ("the kernels call the libdevice function " + function +
            ", which comes from the CUDA toolkit, and no toolkit was found: "
            "set CUDA_HOME to the toolkit's folder (the one holding "
            "nvvm/libdevice)")
        .str();
  }
  return "";
}

void mlir::attn::buildNvidiaKernelPipeline(
    OpPassManager &pm, const NvidiaPipelineOptions &options) {
  // Canonical form first: mask regions that say a named mask become it, so
  // the mask analysis can skip tiles for them.
  pm.addPass(createCanonicalizerPass());
  AttnNvidiaKernelsOptions kernels;
  kernels.chip = options.chip;
  kernels.debugFault = options.debugFault;
  pm.addPass(createAttnNvidiaKernels(kernels));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildNvidiaCodegenPipeline(
    OpPassManager &pm, const NvidiaPipelineOptions &options) {
  GpuNVVMAttachTargetOptions attach;
  attach.chip = options.chip;
  attach.features = "+ptx80";
  attach.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(attach));
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createSCFToControlFlowPass());
  device.addPass(createConvertNVGPUToNVVMPass());
  device.addPass(createConvertGpuOpsToNVVMOps());
  device.addPass(createCanonicalizerPass());
  device.addPass(createReconcileUnrealizedCastsPass());
  if (options.format.empty())
    return;
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath =
      options.toolkit.empty() ? findCudaToolkit() : options.toolkit;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::attn::buildNvidiaPipeline(OpPassManager &pm,
                                     const NvidiaPipelineOptions &options) {
  buildNvidiaKernelPipeline(pm, options);
  buildNvidiaCodegenPipeline(pm, options);
}

void mlir::attn::registerNvidiaBackend(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, nvgpu::NVGPUDialect, NVVM::NVVMDialect,
                  cf::ControlFlowDialect, math::MathDialect,
                  vector::VectorDialect>();
  // convert-gpu-to-nvvm converts every dialect through its interface.
  registerGpuLoweringInterfaces(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerConvertNVVMToLLVMInterface(registry);
  registerNVVMDialectTranslation(registry);
}

namespace {
struct NvidiaPipelineCommandLine
    : public PassPipelineOptions<NvidiaPipelineCommandLine> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("NVIDIA chip: sm_80 or sm_90"),
                           llvm::cl::init("sm_90")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("isa (PTX), bin (cubin through ptxas), fatbin, or "
                     "empty to stop at the NVVM dialect"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit folder (default: $CUDA_HOME, "
                     "/usr/local/cuda)"),
      llvm::cl::init("")};
};
} // namespace

void mlir::attn::registerNvidiaPipeline() {
  PassPipelineRegistration<NvidiaPipelineCommandLine>(
      "attn-nvidia-pipeline",
      "Lower a spec to NVIDIA GPU kernels and serialise them (PTX by "
      "default)",
      [](OpPassManager &pm, const NvidiaPipelineCommandLine &line) {
        attn::NvidiaPipelineOptions options;
        options.chip = line.chip;
        options.format = line.format;
        options.toolkit = line.toolkit;
        attn::buildNvidiaPipeline(pm, options);
      });
}
