//===- attn-opt.cpp - Inspect and transform attn specs --------------------===//
//
// mlir-opt with the attn dialect, the upstream dialects a spec uses, and the
// project's passes registered.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"
#include "attn/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::attn::registerAllPasses();
  mlir::DialectRegistry registry;
  registry.insert<mlir::attn::AttnDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::math::MathDialect,
                  mlir::tensor::TensorDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect, mlir::LLVM::LLVMDialect>();
  mlir::attn::registerNvidiaBackend(registry);
  mlir::attn::registerAmdBackend(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "attn optimizer driver\n", registry));
}
