//===- CpuPipeline.cpp - From a spec to LLVM for the host CPU -------------===//
//
// The tiled online form, then upstream conversions down to the LLVM dialect.
// Registered as `attn-cpu-pipeline` so the whole lowering can be inspected
// and tested with attn-opt.
//
//===----------------------------------------------------------------------===//

#include "attn/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct CpuPipelineCommandLine
    : public PassPipelineOptions<CpuPipelineCommandLine> {
  Option<int64_t> queryTile{*this, "query-tile",
                            llvm::cl::desc("Query rows per tile"),
                            llvm::cl::init(128)};
  Option<int64_t> keyTile{*this, "key-tile", llvm::cl::desc("Keys per tile"),
                          llvm::cl::init(64)};
};
} // namespace

void mlir::attn::buildCpuPipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  AttnTileAttentionOptions tiles;
  tiles.queryTile = options.queryTile;
  tiles.keyTile = options.keyTile;
  tiles.recordTiles = options.recordTiles;
  tiles.summaryOnly = options.summaryOnly;
  // Canonical form first: mask regions that say a named mask become it, so
  // the mask analysis can skip tiles for them.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createAttnTileAttention(tiles));
  pm.addPass(createAttnCpuApproximateMath());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Threads: the (batch, head, query tile) loop runs under OpenMP, which
  // wraps each iteration's tile state in a memref.alloca_scope; memrefs are
  // lowered before the loops become branches, so that scope is inlined
  // (with a stack save/restore) while its region is still one block.
  pm.addPass(createConvertSCFToOpenMPPass());
  buildHostConversionPipeline(pm);
}

void mlir::attn::buildHostConversionPipeline(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::attn::registerAllPasses() {
  registerAttnPasses();
  registerNvidiaPipeline();
  registerAmdPipeline();
  registerNvidiaEmulatorPipeline();
  PassPipelineRegistration<CpuPipelineCommandLine>(
      "attn-cpu-pipeline",
      "Lower a spec to the LLVM dialect for the host CPU (tiled online form, "
      "then upstream conversions)",
      [](OpPassManager &pm, const CpuPipelineCommandLine &line) {
        CpuPipelineOptions options;
        options.queryTile = line.queryTile;
        options.keyTile = line.keyTile;
        buildCpuPipeline(pm, options);
      });
}
