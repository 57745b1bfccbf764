//===- ObjectEmitter.h - LLVM dialect to a host object file ---*- C++ -*-===//
//
// Translates a module lowered to the LLVM dialect (by the CPU pipeline) to
// LLVM IR, optimises it for the chosen CPU and writes a relocatable,
// position-independent object with LLVM's TargetMachine. Only the
// `_mlir_ciface_*` entry points stay global, so objects of several specs
// (and the application) link side by side.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNCOMPILE_OBJECTEMITTER_H
#define ATTN_TOOLS_ATTNCOMPILE_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::attn {

struct CpuObjectOptions {
  /// The CPU to compile for; empty: this machine's, with its features.
  std::string cpu;
  /// Extra features, "+avx2,-avx512f" (LLVM's -mattr syntax).
  std::string features;
  /// Also write the optimised LLVM IR here, when not empty.
  std::string llvmIRPath;
};

/// The CPU and the notable vector features the object was compiled for.
struct CpuTargetDescription {
  std::string triple, cpu, features;
  /// "znver4 (avx2 fma avx512f ...)".
  std::string summary;
};

/// Writes `module` (in the LLVM dialect) as an object file to `path`.
/// Emits a diagnostic on `module` and fails on any error.
FailureOr<CpuTargetDescription> emitCpuObject(ModuleOp module, StringRef path,
                                              const CpuObjectOptions &options);

} // namespace mlir::attn

#endif // ATTN_TOOLS_ATTNCOMPILE_OBJECTEMITTER_H
