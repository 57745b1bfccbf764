//===- OracleTestUtils.h - Helpers for the oracle's unit tests -*- C++ -*-===//
//
// Unit tests state a small spec in MLIR text, evaluate one function with the
// oracle on hand-made inputs, and compare with values derived by hand or by
// an independent formula.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_UNIT_ORACLETESTUTILS_H
#define ATTN_TEST_UNIT_ORACLETESTUTILS_H

#include "attn/Dialect/Attn.h"
#include "attn/Reference/Oracle.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>
#include <string>
#include <vector>

namespace mlir::attn::testing {

using reference::Tensor;

/// Parses `spec` and evaluates its function `name` (or its only function) on
/// `inputs`. On failure, `error` holds the diagnostics and the result is
/// empty.
struct OracleRun {
  std::vector<Tensor> results;
  std::string error;
  bool ok() const { return error.empty(); }
};

inline OracleRun runOracle(const std::string &spec,
                           const std::vector<Tensor> &inputs,
                           const std::string &name = "",
                           const reference::EvaluationOptions &options = {}) {
  MLIRContext context;
  context.loadDialect<AttnDialect, func::FuncDialect, arith::ArithDialect,
                      math::MathDialect, tensor::TensorDialect>();
  context.printOpOnDiagnostic(false);
  OracleRun run;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    run.error += diag.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(spec, &context);
  if (!module) {
    if (run.error.empty())
      run.error = "parse failed";
    return run;
  }
  func::FuncOp func;
  for (func::FuncOp f : module->getOps<func::FuncOp>())
    if (name.empty() || f.getSymName() == name)
      func = f;
  if (!func) {
    run.error = "no function " + name;
    return run;
  }
  FailureOr<std::vector<Tensor>> results =
      reference::evaluateFunction(func, inputs, options);
  if (succeeded(results))
    run.results = std::move(*results);
  else if (run.error.empty())
    run.error = "evaluation failed without a diagnostic";
  return run;
}

/// A tensor of `shape` holding `values` (row-major).
inline Tensor makeTensor(std::vector<int64_t> shape,
                         std::vector<double> values) {
  Tensor t(std::move(shape));
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.numElements());
  t.data = std::move(values);
  return t;
}

/// A tensor of `shape` with element k = f(k).
template <typename Fn>
inline Tensor makeTensorFrom(std::vector<int64_t> shape, Fn f) {
  Tensor t(std::move(shape));
  for (int64_t k = 0; k < t.numElements(); ++k)
    t.data[k] = f(k);
  return t;
}

/// Asserts every element of `actual` is within `tolerance` of `expected`.
inline void expectNear(const Tensor &actual,
                       const std::vector<double> &expected,
                       double tolerance = 1e-12) {
  ASSERT_EQ(static_cast<int64_t>(expected.size()), actual.numElements());
  for (size_t k = 0; k < expected.size(); ++k) {
    if (std::isinf(expected[k]))
      EXPECT_EQ(actual.data[k], expected[k]) << "at element " << k;
    else
      EXPECT_NEAR(actual.data[k], expected[k], tolerance) << "at element " << k;
  }
}

} // namespace mlir::attn::testing

#endif // ATTN_TEST_UNIT_ORACLETESTUTILS_H
