//===- AttnAttrs.cpp - Masks, score modifiers, normalisers ----------------===//
//
// Parameter parsers for the attribute forms the generated ones do not cover
// (floats, booleans and bracketed lists) and the attribute verifiers, which
// reject parameters outside the ranges VARIANTS.md gives.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

#include "attn/AttnAttrInterfaces.cpp.inc"
#include "attn/AttnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/AttnAttrs.cpp.inc"

//===----------------------------------------------------------------------===//
// Parameter parsing and printing
//===----------------------------------------------------------------------===//

void AttnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "attn/AttnAttrs.cpp.inc"
      >();
}

FailureOr<APFloat> mlir::attn::parseF64Parameter(AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return failure();
  return APFloat(value);
}

FailureOr<bool> mlir::attn::parseBoolParameter(AsmParser &parser) {
  if (succeeded(parser.parseOptionalKeyword("true")))
    return true;
  if (succeeded(parser.parseOptionalKeyword("false")))
    return false;
  return parser.emitError(parser.getCurrentLocation(),
                          "expected 'true' or 'false'");
}

/// Parses `[elem (, elem)*]` with `parseElement`.
template <typename T, typename ParseFn>
static FailureOr<SmallVector<T>> parseList(AsmParser &parser,
                                           ParseFn parseElement) {
  SmallVector<T> values;
  if (parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square, [&]() -> ParseResult {
            FailureOr<T> value = parseElement(parser);
            if (failed(value))
              return failure();
            values.push_back(*value);
            return success();
          }))
    return failure();
  return values;
}

FailureOr<DenseF64ArrayAttr>
mlir::attn::parseF64ArrayParameter(AsmParser &parser) {
  FailureOr<SmallVector<APFloat>> values =
      parseList<APFloat>(parser, parseF64Parameter);
  if (failed(values))
    return failure();
  SmallVector<double> doubles;
  for (const APFloat &v : *values)
    doubles.push_back(v.convertToDouble());
  return DenseF64ArrayAttr::get(parser.getContext(), doubles);
}

void mlir::attn::printF64ArrayParameter(AsmPrinter &printer,
                                        DenseF64ArrayAttr values) {
  printer << '[';
  llvm::interleaveComma(values.asArrayRef(), printer,
                        [&](double v) { printer.printFloat(APFloat(v)); });
  printer << ']';
}

FailureOr<SmallVector<int64_t>>
mlir::attn::parseI64ArrayParameter(AsmParser &parser) {
  return parseList<int64_t>(parser, [](AsmParser &p) -> FailureOr<int64_t> {
    int64_t value;
    if (p.parseInteger(value))
      return failure();
    return value;
  });
}

void mlir::attn::printI64ArrayParameter(AsmPrinter &printer,
                                        ArrayRef<int64_t> values) {
  printer << '[';
  llvm::interleaveComma(values, printer);
  printer << ']';
}

FailureOr<SmallVector<bool>>
mlir::attn::parseBoolArrayParameter(AsmParser &parser) {
  return parseList<bool>(parser, parseBoolParameter);
}

void mlir::attn::printBoolArrayParameter(AsmPrinter &printer,
                                         ArrayRef<bool> values) {
  printer << '[';
  llvm::interleaveComma(values, printer,
                        [&](bool v) { printer << (v ? "true" : "false"); });
  printer << ']';
}

//===----------------------------------------------------------------------===//
// Mask verifiers
//===----------------------------------------------------------------------===//

LogicalResult
SlidingWindowMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              std::optional<int64_t> left,
                              std::optional<int64_t> right, int64_t sinks) {
  if (left && *left < 0)
    return emitError() << "sliding_window left must be >= 0, got " << *left;
  if (right && *right < 0)
    return emitError() << "sliding_window right must be >= 0, got " << *right;
  if (sinks < 0)
    return emitError() << "sliding_window sinks must be >= 0, got " << sinks;
  return success();
}

LogicalResult
PrefixLMMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t prefix) {
  if (prefix < 0)
    return emitError() << "prefix_lm length must be >= 0, got " << prefix;
  return success();
}

static LogicalResult
verifyPerDimension(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                   size_t rank, ArrayRef<int64_t> values) {
  if (values.empty())
    return success();
  if (values.size() != rank)
    return emitError() << "neighborhood " << name << " has " << values.size()
                       << " entries but the grid has " << rank << " dimensions";
  for (int64_t v : values)
    if (v < 1)
      return emitError() << "neighborhood " << name
                         << " entries must be >= 1, got " << v;
  return success();
}

LogicalResult NeighborhoodMaskAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, ArrayRef<int64_t> grid,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> dilation,
    ArrayRef<int64_t> stride, ArrayRef<bool> causal, int64_t sinks) {
  if (grid.empty() || grid.size() > 3)
    return emitError() << "neighborhood grid must have 1 to 3 dimensions, got "
                       << grid.size();
  for (int64_t extent : grid)
    if (extent < 1)
      return emitError() << "neighborhood grid extents must be >= 1, got "
                         << extent;
  if (kernel.size() != grid.size())
    return emitError() << "neighborhood kernel has " << kernel.size()
                       << " entries but the grid has " << grid.size()
                       << " dimensions";
  if (failed(verifyPerDimension(emitError, "kernel", grid.size(), kernel)) ||
      failed(
          verifyPerDimension(emitError, "dilation", grid.size(), dilation)) ||
      failed(verifyPerDimension(emitError, "stride", grid.size(), stride)))
    return failure();
  if (!causal.empty() && causal.size() != grid.size())
    return emitError() << "neighborhood causal has " << causal.size()
                       << " entries but the grid has " << grid.size()
                       << " dimensions";
  if (sinks < 0)
    return emitError() << "neighborhood sinks must be >= 0, got " << sinks;
  return success();
}

int64_t NeighborhoodMaskAttr::getDilationAt(unsigned dim) const {
  return getDilation().empty() ? 1 : getDilation()[dim];
}
int64_t NeighborhoodMaskAttr::getStrideAt(unsigned dim) const {
  return getStride().empty() ? 1 : getStride()[dim];
}
bool NeighborhoodMaskAttr::isCausalAt(unsigned dim) const {
  return !getCausal().empty() && getCausal()[dim];
}
bool NeighborhoodMaskAttr::isAnyCausal() const {
  return llvm::is_contained(getCausal(), true);
}

LogicalResult
BlockSparseMaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                            int64_t qBlock, int64_t kvBlock,
                            BlockLayoutFormat format) {
  if (qBlock < 1 || kvBlock < 1)
    return emitError() << "block_sparse block sizes must be >= 1, got "
                       << qBlock << " x " << kvBlock;
  return success();
}

//===----------------------------------------------------------------------===//
// Modifier and normaliser verifiers
//===----------------------------------------------------------------------===//

LogicalResult
LengthScalingModAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                             APFloat baseValue) {
  double base = baseValue.convertToDouble();
  if (!(base > 1.0) || !std::isfinite(base))
    return emitError() << "length_scaling base L0 must be finite and > 1, got "
                       << base;
  return success();
}

LogicalResult
SoftcapModAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       APFloat capValue) {
  double cap = capValue.convertToDouble();
  if (!(cap > 0.0) || !std::isfinite(cap))
    return emitError() << "softcap must be finite and > 0, got " << cap;
  return success();
}

LogicalResult
RelativePositionModAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t maxDistance) {
  if (maxDistance < 0)
    return emitError() << "relative_position max_distance must be >= 0, got "
                       << maxDistance;
  return success();
}

LogicalResult
SinkCalibrationModAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> columns,
                               DenseF64ArrayAttr factorsAttr) {
  if (!factorsAttr)
    return emitError() << "sink_calibration needs factors";
  ArrayRef<double> factors = factorsAttr.asArrayRef();
  if (factors.size() != 1 && factors.size() != columns.size())
    return emitError() << "sink_calibration needs one factor or one per "
                          "column: "
                       << columns.size() << " columns, " << factors.size()
                       << " factors";
  for (double a : factors)
    if (!(a > 0.0) || !std::isfinite(a))
      return emitError() << "sink_calibration factors must be finite and > 0, "
                            "got "
                         << a;
  auto factorAt = [&](size_t k) {
    return factors.size() == 1 ? factors[0] : factors[k];
  };
  for (size_t a = 0; a < columns.size(); ++a)
    for (size_t b = a + 1; b < columns.size(); ++b)
      if (columns[a] == columns[b] && factorAt(a) != factorAt(b))
        return emitError() << "sink_calibration column " << columns[a]
                           << " is listed twice with different factors";
  return success();
}

LogicalResult SoftplusAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   APFloat powerValue) {
  double power = powerValue.convertToDouble();
  if (!(power > 0.0) || !std::isfinite(power))
    return emitError() << "softplus power must be finite and > 0, got "
                       << power;
  return success();
}

LogicalResult ReluAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               APFloat powerValue, bool normalized) {
  double power = powerValue.convertToDouble();
  if (!(power > 0.0) || !std::isfinite(power))
    return emitError() << "relu power must be finite and > 0, got " << power;
  return success();
}

LogicalResult SigmoidAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  APFloat biasValue, bool logLength) {
  double bias = biasValue.convertToDouble();
  if (!std::isfinite(bias))
    return emitError() << "sigmoid bias must be finite, got " << bias;
  if (logLength && bias != 0.0)
    return emitError() << "sigmoid takes a constant bias or log_length, not "
                          "both";
  return success();
}

LogicalResult
ClippedSoftmaxAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                           APFloat zeta, APFloat gamma) {
  if (!zeta.isFinite() || !gamma.isFinite())
    return emitError() << "clipped_softmax zeta and gamma must be finite";
  return success();
}
