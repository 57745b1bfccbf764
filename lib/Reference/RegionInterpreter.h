//===- RegionInterpreter.h - Interpreting score/mask regions --*- C++ -*-===//
//
// A score or mask region is compiled once into a list of steps over numbered
// registers, then run for every (b, h, i, j). Every value is a double:
// integers and booleans are exact, floats are evaluated in double precision,
// as the oracle promises.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_REFERENCE_REGIONINTERPRETER_H
#define ATTN_LIB_REFERENCE_REGIONINTERPRETER_H

#include "attn/Reference/Tensor.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/Region.h"
#include "mlir/Support/LLVM.h"

#include <functional>
#include <optional>

namespace mlir::attn::reference {

/// What a region may read besides its arguments.
struct RegionContext {
  /// One per capture, in operand order; rank 0 for scalar captures.
  llvm::ArrayRef<const Tensor *> captures;
  /// p(i) for batch b and query i (attn.position).
  std::function<int64_t(int64_t b, int64_t i)> position;
};

class RegionProgram {
public:
  /// Compiles `region` whose first `leadingArgs` arguments are scalars and
  /// the rest captures. Emits a diagnostic and fails on an op the oracle
  /// cannot interpret.
  static mlir::FailureOr<RegionProgram> compile(mlir::Region &region,
                                                unsigned leadingArgs);

  /// Runs the program; returns the yielded value, or nullopt after recording
  /// an error (see `getError`).
  std::optional<double> run(llvm::ArrayRef<double> leading,
                            const RegionContext &context);

  /// The first run-time error, with the location of the op that raised it.
  const std::optional<std::pair<mlir::Location, std::string>> &
  getError() const {
    return error;
  }

  using Step =
      std::function<bool(std::vector<double> &registers,
                         const RegionContext &context, std::string &message)>;

private:
  std::vector<Step> steps;
  std::vector<mlir::Location> stepLocations;
  unsigned numRegisters = 0;
  unsigned numLeading = 0;
  unsigned resultRegister = 0;
  std::vector<double> registers;
  std::optional<std::pair<mlir::Location, std::string>> error;
};

} // namespace mlir::attn::reference

#endif // ATTN_LIB_REFERENCE_REGIONINTERPRETER_H
