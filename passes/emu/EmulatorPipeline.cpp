//===- EmulatorPipeline.cpp - From a spec to host code for the emulator ---===//
//
// The NVIDIA kernels exactly as the NVIDIA pipeline makes them (up to the
// point where upstream's conversions to NVVM take over), then
// attn-emulate-gpu-kernels and the host conversions. Registered as
// `attn-nvidia-emulator-pipeline`.
//
//===----------------------------------------------------------------------===//

#include "attn/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::attn::buildNvidiaEmulatorPipeline(
    OpPassManager &pm, const NvidiaPipelineOptions &options) {
  buildNvidiaKernelPipeline(pm, options);
  pm.addPass(createAttnEmulateGpuKernels());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  buildHostConversionPipeline(pm);
}

namespace {
struct EmulatorPipelineCommandLine
    : public PassPipelineOptions<EmulatorPipelineCommandLine> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("NVIDIA chip: sm_80 or sm_90"),
                           llvm::cl::init("sm_90")};
  Option<std::string> debugFault{
      *this, "debug-fault",
      llvm::cl::desc("attn-nvidia-kernels' planted fault (testing only)"),
      llvm::cl::init("")};
};
} // namespace

void mlir::attn::registerNvidiaEmulatorPipeline() {
  PassPipelineRegistration<EmulatorPipelineCommandLine>(
      "attn-nvidia-emulator-pipeline",
      "Lower a spec to NVIDIA kernels, then to host code for the SIMT "
      "emulator",
      [](OpPassManager &pm, const EmulatorPipelineCommandLine &line) {
        attn::NvidiaPipelineOptions options;
        options.chip = line.chip;
        options.debugFault = line.debugFault;
        attn::buildNvidiaEmulatorPipeline(pm, options);
      });
}
