//===- FunctionModule.h - The module a GPU runner compiles ----*- C++ -*-===//

#ifndef ATTN_LIB_TARGETS_FUNCTIONMODULE_H
#define ATTN_LIB_TARGETS_FUNCTIONMODULE_H

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

} // namespace mlir::attn

#endif // ATTN_LIB_TARGETS_FUNCTIONMODULE_H
