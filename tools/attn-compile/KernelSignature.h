//===- KernelSignature.h - What attnrt checks a kernel's arguments against ===//
//
// A compiled spec function is called with DLPack tensors; the runtime checks
// them against a signature that attn-compile derives from the spec and
// writes into the generated code as static tables. The signature gives each
// argument (inputs, then the outputs the caller allocates) its role, element
// type, rank and static sizes, and states how dynamic sizes relate across
// arguments as constraints on named symbols: `q[0] = B`, `k[0] = B`,
// `bias[2]` is 1 or `Sq`, `kv_len` values lie in [0, Skv], `Hq` is a
// multiple of `Hkv`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNCOMPILE_KERNELSIGNATURE_H
#define ATTN_TOOLS_ATTNCOMPILE_KERNELSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::attn {

/// Element types a kernel argument can have (attnElementType).
enum class KernelElementType { F32, F16, BF16, F64, I1, I8, I16, I32, I64 };

struct KernelArgument {
  /// A C identifier, unique within the kernel.
  std::string name;
  /// "query", "kv_len", "captures", ..., "output", "lse".
  std::string role;
  bool isOutput = false;
  KernelElementType elementType;
  /// The spec's type (a ranked tensor, or a scalar of rank 0).
  Type type;
  /// One per dimension, -1 where dynamic.
  std::vector<int64_t> staticSizes;
  int64_t alignment = 1;
};

struct KernelSymbol {
  std::string name;
  /// -1 where dynamic.
  int64_t staticValue = -1;
  /// The two symbols this one is the product of, or -1, -1.
  int32_t factors[2] = {-1, -1};
};

/// attnConstraintKind, in its order.
enum class KernelConstraintKind {
  DimEquals,
  DimBroadcasts,
  DimCovers,
  ValuesAtMost,
  SymbolMultiple,
  ValuesBelow
};

struct KernelConstraint {
  KernelConstraintKind kind;
  int32_t argument = -1, dim = -1, symbol = -1;
  /// The divisor (DimCovers) or the second symbol (SymbolMultiple).
  int64_t value = 0;
};

struct KernelSignature {
  std::string function;
  unsigned numInputs = 0;
  std::vector<KernelArgument> arguments;
  std::vector<KernelSymbol> symbols;
  std::vector<KernelConstraint> constraints;

  unsigned getNumOutputs() const { return arguments.size() - numInputs; }
  /// The symbol dimension `dim` of `argument` equals, or -1.
  int32_t getEqualSymbol(int32_t argument, int32_t dim) const;
  /// "[B, 32, Sq, 128]".
  std::string describeShape(int32_t argument) const;
};

/// Derives the signature of spec function `func` (before lowering).
/// `sourceNames` holds the SSA names the spec gave its arguments (empty
/// strings where unknown); an `attn.name` argument attribute takes
/// precedence. Emits a diagnostic and fails on an argument the runtime
/// cannot pass, and on an op or operand whose layout it does not know (the
/// runtime would not check what the kernel reads).
FailureOr<KernelSignature>
deriveKernelSignature(func::FuncOp func, ArrayRef<std::string> sourceNames);

/// A buffer a function's GPU steps pass between them (attnTemporarySpec).
struct KernelTemporary {
  std::string name;
  KernelElementType elementType;
  /// One per dimension, -1 where it is that of argument `shapeArgument`.
  std::vector<int64_t> staticSizes;
  unsigned shapeArgument = 0;
};

/// The GPU kernels of a function of several attention and merge ops, run
/// in turn (attnGpuStep), and the temporaries between them; both empty for
/// a function of one op (one kernel, named as the function).
struct KernelSteps {
  std::vector<std::string> kernels;
  std::vector<KernelTemporary> temporaries;
};

/// The steps of `func` on the GPU; emits a diagnostic and fails where a
/// temporary's sizes do not follow from the arguments.
FailureOr<KernelSteps> deriveKernelSteps(func::FuncOp func);

/// The attnElementType enumerator of `type`, e.g. "ATTN_ELEMENT_F32".
const char *getElementTypeEnumerator(KernelElementType type);

/// The attnConstraintKind enumerator of `kind`.
const char *getConstraintKindEnumerator(KernelConstraintKind kind);

} // namespace mlir::attn

#endif // ATTN_TOOLS_ATTNCOMPILE_KERNELSIGNATURE_H
