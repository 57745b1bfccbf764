//===- FunctionModule.h - What a GPU runner compiles ----------*- C++ -*-===//

#ifndef ATTN_LIB_TARGETS_FUNCTIONMODULE_H
#define ATTN_LIB_TARGETS_FUNCTIONMODULE_H

#include "../../passes/gpu/GpuTarget.h"

#include "attn/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::attn {

/// A copy of `func`'s module holding `func` and the declarations only (the
/// pipelines lower every function of a module).
inline OwningOpRef<ModuleOp> cloneFunctionModule(func::FuncOp func) {
  OwningOpRef<ModuleOp> copy(func->getParentOfType<ModuleOp>().clone());
  for (func::FuncOp other :
       llvm::make_early_inc_range(copy->getOps<func::FuncOp>()))
    if (!other.isExternal() && other.getSymName() != func.getSymName())
      other.erase();
  return copy;
}

/// Registers both GPU backends in `func`'s context and returns `chip`'s
/// description, or emits an error naming the chips there are.
inline FailureOr<GpuTarget> lookupGpuChip(func::FuncOp func, StringRef chip) {
  DialectRegistry registry;
  registerNvidiaBackend(registry);
  registerAmdBackend(registry);
  func.getContext()->appendDialectRegistry(registry);
  std::optional<GpuTarget> target = lookupAmdTarget(chip);
  if (!target)
    target = lookupNvidiaTarget(chip);
  if (!target)
    return func.emitError("no GPU chip named '")
           << chip << "' (known: sm_80, sm_90, gfx90a, gfx942)";
  return *target;
}

} // namespace mlir::attn

#endif // ATTN_LIB_TARGETS_FUNCTIONMODULE_H
