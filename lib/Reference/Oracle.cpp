//===- Oracle.cpp - Evaluating a spec function ----------------------------===//
//
// Walks a function of a spec, binds its arguments, evaluates each attn op
// with the reference semantics and returns what func.return returns.
// Arguments are checked against the function signature first, so a wrong
// input shape is reported against the argument, not deep inside an op.
//
//===----------------------------------------------------------------------===//

#include "attn/Reference/Oracle.h"

#include "OracleInternal.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <deque>
#include <limits>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::reference;

namespace mlir::attn::reference {
FailureOr<std::vector<Tensor>> evaluateMerge(MergeOp op, ValueLookup lookup,
                                             const EvaluationOptions &options) {
  const Tensor &first = *lookup(op.getOutputs()[0]);
  const Tensor &firstLse = *lookup(op.getLses()[0]);
  int64_t rows = firstLse.numElements(), width = first.dim(3);
  for (auto [r, part] : llvm::enumerate(op.getOutputs())) {
    const Tensor &o = *lookup(part), &l = *lookup(op.getLses()[r]);
    if (o.shape != first.shape || l.shape != firstLse.shape ||
        l.numElements() * width != o.numElements())
      return op.emitError()
             << "partial result " << r << " has output " << o.shapeString()
             << " and lse " << l.shapeString() << ", expected "
             << first.shapeString() << " and " << firstLse.shapeString();
  }
  constexpr double negInf = -std::numeric_limits<double>::infinity();
  Tensor output(first.shape), lse(firstLse.shape, negInf);
  for (int64_t row = 0; row < rows; ++row) {
    double m = negInf;
    for (Value part : op.getLses())
      m = std::max(m, lookup(part)->data[row]);
    if (m == negInf)
      continue; // Every part empty: o = 0, lse = -inf.
    double sum = 0.0;
    for (Value part : op.getLses())
      sum += std::exp(lookup(part)->data[row] - m);
    double total = m + std::log(sum);
    lse.data[row] = total;
    for (auto [r, part] : llvm::enumerate(op.getOutputs())) {
      double weight = std::exp(lookup(op.getLses()[r])->data[row] - total);
      const double *o = &lookup(part)->data[row * width];
      for (int64_t n = 0; n < width; ++n)
        output.data[row * width + n] += weight * o[n];
    }
  }
  // The output in the narrow type (the lse stays f32).
  auto outputType = llvm::cast<RankedTensorType>(op.getOutput().getType());
  if (options.roundIntermediate && !outputType.getElementType().isF32() &&
      !outputType.getElementType().isF64())
    for (double &x : output.data)
      x = options.roundIntermediate(x);
  std::vector<Tensor> results;
  results.push_back(std::move(output));
  results.push_back(std::move(lse));
  return results;
}
} // namespace mlir::attn::reference

/// A constant's value as a tensor, or failure for an unsupported attribute.
static FailureOr<Tensor> constantTensor(arith::ConstantOp op) {
  Attribute value = op.getValue();
  auto asDouble = [](Attribute element) -> std::optional<double> {
    if (auto f = llvm::dyn_cast<FloatAttr>(element))
      return f.getValueAsDouble();
    if (auto i = llvm::dyn_cast<IntegerAttr>(element))
      return static_cast<double>(i.getValue().getSExtValue());
    return std::nullopt;
  };
  if (auto elements = llvm::dyn_cast<DenseElementsAttr>(value)) {
    auto type = llvm::cast<RankedTensorType>(elements.getType());
    Tensor t(std::vector<int64_t>(type.getShape()), 0.0,
             type.getElementType().isIntOrIndex() ? ElementKind::Integer
                                                  : ElementKind::Float);
    int64_t n = 0;
    for (Attribute element : elements.getValues<Attribute>())
      t.data[n++] = *asDouble(element);
    return t;
  }
  if (std::optional<double> scalar = asDouble(value)) {
    Tensor t({}, *scalar,
             llvm::isa<IntegerAttr>(value) ? ElementKind::Integer
                                           : ElementKind::Float);
    return t;
  }
  return op.emitError("the reference oracle cannot evaluate this constant");
}

/// Checks `t` against the function argument type `type`.
static LogicalResult checkArgument(func::FuncOp func, unsigned index,
                                   const Tensor &t, Type type) {
  auto tensorType = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensorType) {
    if (t.rank() != 0)
      return func.emitError()
             << "argument " << index << " is a scalar of type " << type
             << " but was given shape " << t.shapeString();
    return success();
  }
  bool matches = tensorType.getRank() == t.rank();
  for (int64_t d = 0; matches && d < t.rank(); ++d)
    matches =
        tensorType.isDynamicDim(d) || tensorType.getDimSize(d) == t.dim(d);
  if (!matches)
    return func.emitError()
           << "argument " << index << " has shape " << t.shapeString()
           << " but the function takes " << type;
  for (int64_t d = 0; d < t.rank(); ++d)
    if (t.dim(d) < 0)
      return func.emitError()
             << "argument " << index << " has a negative dimension";
  return success();
}

namespace mlir::attn::reference {
FailureOr<std::vector<Tensor>>
evaluateFunction(func::FuncOp func, ArrayRef<Tensor> arguments,
                 const EvaluationOptions &options) {
  if (func.isExternal())
    return func.emitError("the reference oracle needs a function body");
  if (arguments.size() != func.getNumArguments())
    return func.emitError() << "the function takes " << func.getNumArguments()
                            << " arguments, " << arguments.size() << " given";
  llvm::DenseMap<Value, Tensor> values;
  for (auto [index, arg] : llvm::enumerate(func.getArguments())) {
    if (failed(checkArgument(func, index, arguments[index], arg.getType())))
      return failure();
    values[arg] = arguments[index];
  }
  auto lookup = [&](Value v) -> const Tensor * {
    auto it = values.find(v);
    return it == values.end() ? nullptr : &it->second;
  };
  std::vector<Tensor> results;
  for (Operation &op : func.getBody().front()) {
    FailureOr<std::vector<Tensor>> produced =
        llvm::TypeSwitch<Operation *, FailureOr<std::vector<Tensor>>>(&op)
            .Case<AttentionOp>([&](AttentionOp a) {
              return evaluateAttention(a, lookup, options);
            })
            .Case<LinearAttentionOp>([&](LinearAttentionOp a) {
              return evaluateLinearAttention(a, lookup, options);
            })
            .Case<MergeOp>(
                [&](MergeOp a) { return evaluateMerge(a, lookup, options); })
            .Case<arith::ConstantOp>(
                [&](arith::ConstantOp c) -> FailureOr<std::vector<Tensor>> {
                  FailureOr<Tensor> t = constantTensor(c);
                  if (failed(t))
                    return failure();
                  return std::vector<Tensor>{std::move(*t)};
                })
            .Case<func::ReturnOp>(
                [&](func::ReturnOp ret) -> FailureOr<std::vector<Tensor>> {
                  for (Value v : ret.getOperands())
                    results.push_back(*lookup(v));
                  return std::vector<Tensor>{};
                })
            .Default([&](Operation *other) -> FailureOr<std::vector<Tensor>> {
              return other->emitError()
                     << "the reference oracle cannot evaluate '"
                     << other->getName() << "'";
            });
    if (failed(produced))
      return failure();
    for (auto [result, tensor] : llvm::zip(op.getResults(), *produced))
      values[result] = std::move(tensor);
  }
  return results;
}
} // namespace mlir::attn::reference

namespace mlir::attn::reference {
FailureOr<std::vector<AttentionWork>>
countKeptPairs(func::FuncOp func, ArrayRef<Tensor> arguments,
               const KeptRowVisitor &visit) {
  if (func.isExternal())
    return func.emitError("the reference oracle needs a function body");
  if (arguments.size() != func.getNumArguments())
    return func.emitError() << "the function takes " << func.getNumArguments()
                            << " arguments, " << arguments.size() << " given";
  llvm::DenseMap<Value, const Tensor *> values;
  for (auto [index, arg] : llvm::enumerate(func.getArguments())) {
    if (failed(checkArgument(func, index, arguments[index], arg.getType())))
      return failure();
    values[arg] = &arguments[index];
  }
  std::deque<Tensor> constants; // Stable addresses.
  auto lookup = [&](Value v) -> const Tensor * { return values.lookup(v); };
  std::vector<AttentionWork> work;
  for (Operation &op : func.getBody().front()) {
    if (auto constant = llvm::dyn_cast<arith::ConstantOp>(op)) {
      FailureOr<Tensor> t = constantTensor(constant);
      if (failed(t))
        return failure();
      constants.push_back(std::move(*t));
      values[constant.getResult()] = &constants.back();
      continue;
    }
    auto attention = llvm::dyn_cast<AttentionOp>(op);
    if (!attention)
      continue;
    for (Value operand : attention->getOperands())
      if (!values.count(operand))
        return attention.emitError("counting kept pairs needs every operand "
                                   "to be a function argument or a constant");
    int64_t index = static_cast<int64_t>(work.size());
    FailureOr<AttentionWork> counted = countAttentionKeptPairs(
        attention, lookup,
        [&](int64_t b, int64_t h, int64_t i, ArrayRef<int64_t> kept) {
          if (visit)
            visit(index, b, h, i, kept);
        });
    if (failed(counted))
      return failure();
    work.push_back(*counted);
  }
  return work;
}
} // namespace mlir::attn::reference
