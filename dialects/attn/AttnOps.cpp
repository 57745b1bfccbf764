//===- AttnOps.cpp - attn dialect operations ------------------------------===//
//
// Assembly helpers, accessors and the verifiers of linear_attention, merge
// and the region ops. attn.attention's verifier lives in AttnVerify.cpp.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// custom<AttentionResultTypes>: `type (, lse type)? (, block_max type)?`
//===----------------------------------------------------------------------===//

static ParseResult parseAttentionResultTypes(OpAsmParser &parser, Type &output,
                                             Type &lse, Type &blockMax) {
  if (parser.parseType(output))
    return failure();
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc loc = parser.getCurrentLocation();
    if (succeeded(parser.parseOptionalKeyword("lse"))) {
      if (lse)
        return parser.emitError(loc, "the lse result is given twice");
      if (blockMax)
        return parser.emitError(loc, "the lse result must come before "
                                     "block_max");
      if (parser.parseType(lse))
        return failure();
      continue;
    }
    if (succeeded(parser.parseOptionalKeyword("block_max"))) {
      if (blockMax)
        return parser.emitError(loc, "the block_max result is given twice");
      if (parser.parseType(blockMax))
        return failure();
      continue;
    }
    return parser.emitError(loc, "expected 'lse' or 'block_max' before the "
                                 "type of an extra result");
  }
  return success();
}

static void printAttentionResultTypes(OpAsmPrinter &printer, Operation *,
                                      Type output, Type lse, Type blockMax) {
  printer << output;
  if (lse)
    printer << ", lse " << lse;
  if (blockMax)
    printer << ", block_max " << blockMax;
}

//===----------------------------------------------------------------------===//
// custom<F64List>: `[f, f, ...]` with every double printed exactly
//===----------------------------------------------------------------------===//

static ParseResult parseF64List(OpAsmParser &parser, DenseF64ArrayAttr &attr) {
  FailureOr<DenseF64ArrayAttr> values = parseF64ArrayParameter(parser);
  if (failed(values))
    return failure();
  attr = *values;
  return success();
}

static void printF64List(OpAsmPrinter &printer, Operation *,
                         DenseF64ArrayAttr attr) {
  printF64ArrayParameter(printer, attr);
}

//===----------------------------------------------------------------------===//
// custom<EnumKeyword>: an enum attribute written as its bare keyword
//===----------------------------------------------------------------------===//

template <typename AttrT>
static ParseResult parseEnumKeyword(OpAsmParser &parser, AttrT &attr) {
  using EnumT = decltype(std::declval<AttrT>().getValue());
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<EnumT> value = symbolizeEnum<EnumT>(keyword);
  if (!value) {
    // Enum values are dense from 0; stringify gives "" past the last one.
    std::string known;
    for (uint32_t i = 0; !stringifyEnum(static_cast<EnumT>(i)).empty(); ++i)
      known += (i ? ", " : "") + stringifyEnum(static_cast<EnumT>(i)).str();
    return parser.emitError(loc)
           << "unknown " << AttrT::getMnemonic() << " '" << keyword
           << "' (expected one of: " << known << ")";
  }
  attr = AttrT::get(parser.getContext(), *value);
  return success();
}

template <typename AttrT>
static void printEnumKeyword(OpAsmPrinter &printer, Operation *, AttrT attr) {
  printer << stringifyEnum(attr.getValue());
}

#define GET_OP_CLASSES
#include "attn/AttnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// AttentionOp accessors
//===----------------------------------------------------------------------===//

NormalizerAttrInterface AttentionOp::getNormalizerOrDefault() {
  if (auto normalizer = llvm::dyn_cast_if_present<NormalizerAttrInterface>(
          getNormalizerAttr()))
    return normalizer;
  return llvm::cast<NormalizerAttrInterface>(SoftmaxAttr::get(getContext()));
}

double AttentionOp::getScaleOrDefault() {
  if (FloatAttr scale = getScaleAttr())
    return scale.getValueAsDouble();
  return 1.0 /
         std::sqrt(static_cast<double>(getQuery().getType().getDimSize(3)));
}

SmallVector<unsigned> AttentionOp::getModifierApplicationOrder() {
  // Sort (order, position) pairs: stable without std::stable_sort's
  // temporary buffer.
  SmallVector<std::pair<unsigned, unsigned>> keys;
  for (auto [position, mod] : llvm::enumerate(getModifiers()))
    keys.push_back(
        {llvm::cast<ScoreModAttrInterface>(mod).getApplicationOrder(),
         static_cast<unsigned>(position)});
  llvm::sort(keys);
  SmallVector<unsigned> positions;
  for (auto [order, position] : keys)
    positions.push_back(position);
  return positions;
}

int64_t AttentionOp::getGroupSize() {
  int64_t kvHeads = getKey().getType().getDimSize(isPaged() ? 2 : 1);
  return getQuery().getType().getDimSize(1) / kvHeads;
}

//===----------------------------------------------------------------------===//
// LinearAttentionOp
//===----------------------------------------------------------------------===//

int64_t LinearAttentionOp::getFeatureDim() {
  int64_t d = getQuery().getType().getDimSize(3);
  switch (getFeatureMap()) {
  case FeatureMap::random_features:
    return getWeights() ? getWeights().getType().getDimSize(
                              getWeights().getType().getRank() - 2)
                        : ShapedType::kDynamic;
  case FeatureMap::taylor:
    return 1 + d + d * d;
  default:
    return d;
  }
}

double LinearAttentionOp::getDecayAt(int64_t h) {
  std::optional<ArrayRef<double>> decay = getDecay();
  if (!decay || decay->empty())
    return 1.0;
  return decay->size() == 1 ? (*decay)[0] : (*decay)[h];
}

static bool compatibleDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static std::string dimString(int64_t d) {
  return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
}

LogicalResult LinearAttentionOp::verify() {
  RankedTensorType q = getQuery().getType(), k = getKey().getType(),
                   v = getValue().getType();
  for (auto [name, type] : {std::pair<StringRef, RankedTensorType>{"query", q},
                            {"key", k},
                            {"value", v}})
    if (type.getRank() != 4)
      return emitOpError() << name << " must be a rank-4 tensor [B, H, S, D], "
                           << "got " << type;
  int64_t hq = q.getDimSize(1), hkv = k.getDimSize(1), d = q.getDimSize(3);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) ||
      ShapedType::isDynamic(d) || ShapedType::isDynamic(v.getDimSize(3)))
    return emitOpError("head counts and head dimensions must be static");
  if (hq < 1 || hkv < 1)
    return emitOpError() << "head counts must be >= 1, got " << hq
                         << " query heads and " << hkv << " key/value heads";
  if (hq % hkv != 0)
    return emitOpError() << "query heads " << hq
                         << " not a multiple of key/value heads " << hkv;
  Type elementType = q.getElementType();
  for (auto [name, type] : {std::pair<StringRef, RankedTensorType>{"key", k},
                            {"value", v},
                            {"output", getOutput().getType()}})
    if (type.getElementType() != elementType)
      return emitOpError() << name << " element type " << type.getElementType()
                           << " does not match query element type "
                           << elementType;
  if (k.getDimSize(3) != d)
    return emitOpError() << "key head dimension " << k.getDimSize(3)
                         << " does not match query head dimension " << d;
  if (v.getDimSize(1) != hkv)
    return emitOpError() << "value heads " << v.getDimSize(1)
                         << " do not match key heads " << hkv;
  if (!compatibleDim(k.getDimSize(2), v.getDimSize(2)))
    return emitOpError() << "value length " << dimString(v.getDimSize(2))
                         << " does not match key length "
                         << dimString(k.getDimSize(2));
  for (auto [name, type] :
       {std::pair<StringRef, RankedTensorType>{"key", k}, {"value", v}})
    if (!compatibleDim(q.getDimSize(0), type.getDimSize(0)))
      return emitOpError() << name << " batch " << dimString(type.getDimSize(0))
                           << " does not match query batch "
                           << dimString(q.getDimSize(0));
  RankedTensorType out = getOutput().getType();
  SmallVector<int64_t> expected = {q.getDimSize(0), hq, q.getDimSize(2),
                                   v.getDimSize(3)};
  if (out.getRank() != 4 ||
      !llvm::all_of(llvm::seq<int64_t>(0, 4), [&](int64_t i) {
        return compatibleDim(out.getDimSize(i), expected[i]);
      }))
    return emitOpError() << "output must be [B, Hq, Sq, Dv] = ["
                         << dimString(expected[0]) << ", " << hq << ", "
                         << dimString(expected[2]) << ", " << expected[3]
                         << "], got " << out;
  for (auto [name, len] : {std::pair<StringRef, Value>{"q_len", getQLen()},
                           {"kv_len", getKvLen()}}) {
    if (!len)
      continue;
    auto type = llvm::cast<RankedTensorType>(len.getType());
    if (type.getRank() != 1 ||
        !compatibleDim(type.getDimSize(0), q.getDimSize(0)))
      return emitOpError() << name << " must be a [B] tensor, got " << type;
  }

  bool random = getFeatureMap() == FeatureMap::random_features;
  if (random && !getWeights())
    return emitOpError("random_features needs a weights operand [F, D] or "
                       "[Hq, F, D]");
  if (!random && getWeights())
    return emitOpError() << "weights given but feature map "
                         << stringifyFeatureMap(getFeatureMap())
                         << " reads none";
  if (random) {
    RankedTensorType w = getWeights().getType();
    bool perHead = w.getRank() == 3;
    if ((w.getRank() != 2 && !perHead) || (perHead && w.getDimSize(0) != hq) ||
        w.getDimSize(w.getRank() - 1) != d ||
        ShapedType::isDynamic(w.getDimSize(w.getRank() - 2)))
      return emitOpError() << "weights must be [F, " << d << "] or [" << hq
                           << ", F, " << d << "] with F static, got " << w;
  }

  if (std::optional<ArrayRef<double>> decay = getDecay()) {
    if (decay->size() != 1 && static_cast<int64_t>(decay->size()) != hq)
      return emitOpError() << "decay needs 1 or " << hq
                           << " (query heads) values, got " << decay->size();
    for (double lambda : *decay) {
      if (!(lambda > 0.0 && lambda <= 1.0))
        return emitOpError()
               << "decay values must be in (0, 1], got " << lambda;
      if (lambda < 1.0 && !getCausal())
        return emitOpError("decay < 1 needs causal");
    }
  }
  double eps = getEps().convertToDouble();
  if (!(eps >= 0.0) || !std::isfinite(eps))
    return emitOpError() << "eps must be finite and >= 0, got " << eps;
  return success();
}

//===----------------------------------------------------------------------===//
// MergeOp
//===----------------------------------------------------------------------===//

LogicalResult MergeOp::verify() {
  // SameVariadicOperandSize splits the operands in two halves; an odd count
  // would silently drop the last one.
  if ((*this)->getNumOperands() % 2 != 0)
    return emitOpError() << "needs one lse per partial output, got "
                         << (*this)->getNumOperands() << " operands in all";
  if (getOutputs().empty())
    return emitOpError("needs at least one partial result");
  RankedTensorType o = llvm::cast<RankedTensorType>(getOutputs()[0].getType());
  RankedTensorType lse = llvm::cast<RankedTensorType>(getLses()[0].getType());
  if (o.getRank() != 4)
    return emitOpError() << "partial outputs must be [B, H, S, Dv], got " << o;
  if (lse.getRank() != 3 ||
      !llvm::all_of(llvm::seq<int64_t>(0, 3), [&](int64_t i) {
        return compatibleDim(lse.getDimSize(i), o.getDimSize(i));
      }))
    return emitOpError() << "partial lse must be [B, H, S] matching " << o
                         << ", got " << lse;
  for (auto [index, part] : llvm::enumerate(getOutputs()))
    if (part.getType() != o)
      return emitOpError() << "partial output " << index << " has type "
                           << part.getType() << ", expected " << o;
  for (auto [index, part] : llvm::enumerate(getLses()))
    if (part.getType() != lse)
      return emitOpError() << "partial lse " << index << " has type "
                           << part.getType() << ", expected " << lse;
  if (getOutput().getType() != o)
    return emitOpError() << "result output type " << getOutput().getType()
                         << " does not match the parts' " << o;
  if (getLse().getType() != lse)
    return emitOpError() << "result lse type " << getLse().getType()
                         << " does not match the parts' " << lse;
  return success();
}

//===----------------------------------------------------------------------===//
// PositionOp
//===----------------------------------------------------------------------===//

LogicalResult PositionOp::verify() {
  if (!(*this)->getParentOfType<AttentionOp>())
    return emitOpError("is only valid inside a score or mask region of "
                       "attn.attention");
  return success();
}
