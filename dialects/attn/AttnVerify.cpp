//===- AttnVerify.cpp - attn.attention verifier ---------------------------===//
//
// attn.attention has many optional operands; each must agree with the masks
// and modifiers that read it and with the shapes of Q, K and V. Every
// diagnostic names the operand, what was expected and what was found.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

namespace {

bool compatibleDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

std::string dimString(int64_t d) {
  return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
}

int64_t ceilDivDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? ShapedType::kDynamic : (a + b - 1) / b;
}

/// The sizes the op's operands are checked against. `?` where dynamic.
struct AttentionShape {
  int64_t batch, queryHeads, queryLen, headDim;
  int64_t kvHeads, kvLen, valueDim;
};

/// Checks operand shapes against the layouts VARIANTS.md gives them.
class ShapeChecker {
public:
  ShapeChecker(AttentionOp op) : op(op) {}

  /// `type` has rank `expected.size()` and each dimension matches (or, with
  /// `broadcast`, is 1: the operand broadcasts like NumPy).
  LogicalResult expect(StringRef name, Type type, ArrayRef<int64_t> expected,
                       StringRef layout, bool broadcast = false) {
    auto tensor = llvm::cast<RankedTensorType>(type);
    if (tensor.getRank() != static_cast<int64_t>(expected.size()))
      return op.emitOpError() << name << " must be " << layout << " (rank "
                              << expected.size() << "), got " << tensor;
    for (auto [i, dim] : llvm::enumerate(expected)) {
      int64_t actual = tensor.getDimSize(i);
      if (compatibleDim(actual, dim) || (broadcast && actual == 1))
        continue;
      return op.emitOpError()
             << name << " dimension " << i << " is " << dimString(actual)
             << ", expected " << (broadcast ? "1 or " : "") << dimString(dim)
             << " (" << layout << ")";
    }
    return success();
  }

  /// Like `expect`, but a dimension of size 1 broadcasts.
  LogicalResult expectBroadcast(StringRef name, Type type,
                                ArrayRef<int64_t> full, StringRef layout,
                                bool rightAligned) {
    auto tensor = llvm::cast<RankedTensorType>(type);
    int64_t rank = tensor.getRank(), fullRank = full.size();
    if (rank > fullRank || (!rightAligned && rank != fullRank))
      return op.emitOpError()
             << name << " must broadcast to " << layout << ", got " << tensor;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t dim = tensor.getDimSize(i);
      int64_t want = full[fullRank - rank + i];
      if (dim != 1 && !compatibleDim(dim, want))
        return op.emitOpError() << name << " dimension " << i << " is "
                                << dimString(dim) << ", expected 1 or "
                                << dimString(want) << " (" << layout << ")";
    }
    return success();
  }

private:
  AttentionOp op;
};

} // namespace

static FailureOr<AttentionShape> verifyQueryKeyValue(AttentionOp op) {
  RankedTensorType q = op.getQuery().getType(), k = op.getKey().getType(),
                   v = op.getValue().getType();
  bool paged = op.isPaged();
  StringRef kvLayout =
      paged ? "[num_pages, page_size, Hkv, D]" : "[B, Hkv, Skv, D]";
  if (q.getRank() != 4)
    return op.emitOpError() << "query must be a rank-4 tensor [B, Hq, Sq, D], "
                            << "got " << q;
  for (auto [name, type] :
       {std::pair<StringRef, RankedTensorType>{"key", k}, {"value", v}})
    if (type.getRank() != 4)
      return op.emitOpError() << name << " must be a rank-4 tensor " << kvLayout
                              << ", got " << type;
  Type elementType = q.getElementType();
  if (!elementType.isF16() && !elementType.isBF16() && !elementType.isF32())
    return op.emitOpError() << "query element type must be f16, bf16 or f32, "
                            << "got " << elementType;
  for (auto [name, type] :
       {std::pair<StringRef, RankedTensorType>{"key", k}, {"value", v}})
    if (type.getElementType() != elementType)
      return op.emitOpError()
             << name << " element type " << type.getElementType()
             << " does not match query element type " << elementType;

  int headsDim = paged ? 2 : 1;
  AttentionShape shape;
  shape.batch = q.getDimSize(0);
  shape.queryHeads = q.getDimSize(1);
  shape.queryLen = q.getDimSize(2);
  shape.headDim = q.getDimSize(3);
  shape.kvHeads = k.getDimSize(headsDim);
  shape.valueDim = v.getDimSize(3);
  shape.kvLen = ShapedType::kDynamic;
  if (!paged) {
    shape.kvLen = ShapedType::isDynamic(k.getDimSize(2)) ? v.getDimSize(2)
                                                         : k.getDimSize(2);
  } else {
    // Key-indexed operands of a paged cache use the padded length
    // max_pages * page_size (VARIANTS.md section 7).
    RankedTensorType pages = op.getPageTable().getType();
    int64_t pageSize = ShapedType::isDynamic(k.getDimSize(1)) ? v.getDimSize(1)
                                                              : k.getDimSize(1);
    if (pages.getRank() == 2 && !ShapedType::isDynamic(pages.getDimSize(1)) &&
        !ShapedType::isDynamic(pageSize))
      shape.kvLen = pages.getDimSize(1) * pageSize;
  }

  if (ShapedType::isDynamic(shape.queryHeads) ||
      ShapedType::isDynamic(shape.kvHeads) ||
      ShapedType::isDynamic(v.getDimSize(headsDim)))
    return op.emitOpError("head counts must be static");
  if (ShapedType::isDynamic(shape.headDim) ||
      ShapedType::isDynamic(k.getDimSize(3)) ||
      ShapedType::isDynamic(shape.valueDim))
    return op.emitOpError("head dimensions must be static");
  if (shape.queryHeads < 1 || shape.kvHeads < 1)
    return op.emitOpError()
           << "head counts must be >= 1, got " << shape.queryHeads
           << " query heads and " << shape.kvHeads << " key/value heads";
  if (shape.queryHeads % shape.kvHeads != 0)
    return op.emitOpError()
           << "query heads " << shape.queryHeads
           << " not a multiple of key/value heads " << shape.kvHeads;
  if (k.getDimSize(3) != shape.headDim)
    return op.emitOpError()
           << "key head dimension " << k.getDimSize(3)
           << " does not match query head dimension " << shape.headDim;
  if (v.getDimSize(headsDim) != shape.kvHeads)
    return op.emitOpError() << "value heads " << v.getDimSize(headsDim)
                            << " do not match key heads " << shape.kvHeads;
  for (int64_t i : {0, paged ? 1 : 2})
    if (!compatibleDim(k.getDimSize(i), v.getDimSize(i)))
      return op.emitOpError()
             << "value dimension " << i << " is " << dimString(v.getDimSize(i))
             << " but key dimension " << i << " is "
             << dimString(k.getDimSize(i));
  if (!paged)
    for (auto [name, type] :
         {std::pair<StringRef, RankedTensorType>{"key", k}, {"value", v}})
      if (!compatibleDim(type.getDimSize(0), shape.batch))
        return op.emitOpError()
               << name << " batch " << dimString(type.getDimSize(0))
               << " does not match query batch " << dimString(shape.batch);
  return shape;
}

static LogicalResult verifyResults(AttentionOp op, const AttentionShape &s,
                                   ShapeChecker &check) {
  RankedTensorType out = op.getOutput().getType();
  if (failed(check.expect("output", out,
                          {s.batch, s.queryHeads, s.queryLen, s.valueDim},
                          "[B, Hq, Sq, Dv]")))
    return failure();
  if (out.getElementType() != op.getQuery().getType().getElementType())
    return op.emitOpError() << "output element type " << out.getElementType()
                            << " does not match query element type "
                            << op.getQuery().getType().getElementType();

  NormalizerAttrInterface normalizer = op.getNormalizerOrDefault();
  if (Value lse = op.getLse()) {
    if (!normalizer.isNormalized())
      return op.emitOpError()
             << "an lse result needs a normalised "
             << "normaliser, but " << normalizer << " is not normalised";
    if (failed(check.expect("lse", lse.getType(),
                            {s.batch, s.queryHeads, s.queryLen},
                            "[B, Hq, Sq]")))
      return failure();
    if (!llvm::cast<RankedTensorType>(lse.getType()).getElementType().isF32())
      return op.emitOpError("lse element type must be f32");
  }

  std::optional<ArrayRef<int64_t>> blocks = op.getBlockStats();
  Value blockMax = op.getBlockMax();
  if (blocks.has_value() != (blockMax != nullptr))
    return op.emitOpError("block_stats(...) and a block_max result go "
                          "together: give both or neither");
  if (blockMax) {
    if (!normalizer.isNormalized())
      return op.emitOpError()
             << "block statistics need a normalised "
             << "normaliser, but " << normalizer << " is not normalised";
    if (blocks->size() != 2 || (*blocks)[0] < 1 || (*blocks)[1] < 1)
      return op.emitOpError("block_stats must be [Bq, Bk] with both >= 1");
    int64_t kvLen = s.kvLen;
    if (failed(check.expect("block_max", blockMax.getType(),
                            {s.batch, s.queryHeads,
                             ceilDivDim(s.queryLen, (*blocks)[0]),
                             ceilDivDim(kvLen, (*blocks)[1])},
                            "[B, Hq, ceil(Sq/Bq), ceil(Skv/Bk)]")))
      return failure();
    if (!llvm::cast<RankedTensorType>(blockMax.getType())
             .getElementType()
             .isF32())
      return op.emitOpError("block_max element type must be f32");
  }
  if (Value gate = op.getGate()) {
    int64_t rank = llvm::cast<RankedTensorType>(gate.getType()).getRank();
    if (rank != 3 && rank != 4)
      return op.emitOpError() << "gate must be [B, Hq, Sq] or [B, Hq, Sq, Dv], "
                              << "got " << gate.getType();
    SmallVector<int64_t> expected = {s.batch, s.queryHeads, s.queryLen};
    if (rank == 4)
      expected.push_back(s.valueDim);
    if (failed(check.expect("gate", gate.getType(), expected,
                            rank == 3 ? "[B, Hq, Sq]" : "[B, Hq, Sq, Dv]",
                            /*broadcast=*/true)))
      return failure();
  }
  return success();
}

static LogicalResult verifyLengthsAndPages(AttentionOp op,
                                           const AttentionShape &s,
                                           ShapeChecker &check) {
  for (auto [name, len] : {std::pair<StringRef, Value>{"q_len", op.getQLen()},
                           {"kv_len", op.getKvLen()}})
    if (len && failed(check.expect(name, len.getType(), {s.batch}, "[B]")))
      return failure();
  if (!op.isPaged())
    return success();
  if (!op.getKvLen())
    return op.emitOpError("a paged key/value cache needs kv_len");
  return check.expect("page_table", op.getPageTable().getType(),
                      {s.batch, ShapedType::kDynamic}, "[B, max_pages]");
}

/// Operands read by data masks and by modifiers must come with the attribute
/// that reads them (`kind` is "mask" or "modifier"), and vice versa.
static LogicalResult expectPaired(AttentionOp op, bool hasAttr, StringRef kind,
                                  StringRef attrName, Value operand,
                                  StringRef operandName) {
  if (hasAttr && !operand)
    return op.emitOpError() << kind << " " << attrName << " needs the "
                            << operandName << " operand";
  if (!hasAttr && operand)
    return op.emitOpError() << operandName << " given but no " << attrName
                            << " " << kind << " reads it";
  return success();
}

static LogicalResult verifyMasks(AttentionOp op, const AttentionShape &s,
                                 ShapeChecker &check) {
  llvm::SmallDenseMap<TypeID, Attribute> seenDataMasks;
  bool causal = false, prefix = false;
  for (Attribute mask : op.getMasks()) {
    auto maskAttr = llvm::dyn_cast<MaskAttrInterface>(mask);
    if (!maskAttr)
      return op.emitOpError()
             << "masks entry " << mask << " is not an attn mask attribute";
    if (maskAttr.isDataDependent() &&
        !seenDataMasks.try_emplace(mask.getTypeID(), mask).second)
      return op.emitOpError() << "mask " << mask << " is given twice; it reads "
                              << "one operand";
    causal |= llvm::isa<CausalMaskAttr>(mask);
    prefix |= llvm::isa<PrefixLMMaskAttr>(mask);
  }
  if (causal && prefix)
    return op.emitOpError("prefix_lm replaces causal; give one of them");

  auto document = op.getMaskOfType<DocumentMaskAttr>();
  if (failed(expectPaired(op, bool(document), "mask", "#attn.document",
                          op.getSegmentIds(), "segment_ids")))
    return failure();
  if (op.getKvSegmentIds() && !op.getSegmentIds())
    return op.emitOpError("kv_segment_ids given without segment_ids");
  if (document) {
    if (failed(check.expect("segment_ids", op.getSegmentIds().getType(),
                            {s.batch, s.queryLen}, "[B, Sq]",
                            /*broadcast=*/true)))
      return failure();
    if (Value kvSeg = op.getKvSegmentIds()) {
      if (failed(check.expect("kv_segment_ids", kvSeg.getType(),
                              {s.batch, s.kvLen}, "[B, Skv]",
                              /*broadcast=*/true)))
        return failure();
    } else if (!compatibleDim(s.queryLen, s.kvLen)) {
      // seg_kv defaults to seg_q only where Sq = Skv.
      return op.emitOpError()
             << "#attn.document needs kv_segment_ids [B, Skv] when the query "
             << "length " << s.queryLen << " differs from the key length "
             << s.kvLen;
    }
  }

  auto limit = op.getMaskOfType<KeyLimitMaskAttr>();
  if (failed(expectPaired(op, bool(limit), "mask", "#attn.key_limit",
                          op.getKeyLimit(), "key_limit")))
    return failure();
  if (limit) {
    auto type = llvm::cast<RankedTensorType>(op.getKeyLimit().getType());
    if (type.getRank() == 3
            ? failed(check.expect("key_limit", type,
                                  {s.batch, s.queryHeads, s.queryLen},
                                  "[B, Hq, Sq]", /*broadcast=*/true))
            : failed(check.expect("key_limit", type, {s.batch, s.queryLen},
                                  "[B, Sq] or [B, Hq, Sq]",
                                  /*broadcast=*/true)))
      return failure();
  }

  auto blockSparse = op.getMaskOfType<BlockSparseMaskAttr>();
  if (failed(expectPaired(op, bool(blockSparse), "mask", "#attn.block_sparse",
                          op.getBlockLayout(), "block_layout")))
    return failure();
  if (blockSparse) {
    bool bitmap = blockSparse.getFormat() == BlockLayoutFormat::bitmap;
    auto type = llvm::cast<RankedTensorType>(op.getBlockLayout().getType());
    if (!type.getElementType().isIntOrIndex())
      return op.emitOpError() << "block_layout element type must be an "
                              << "integer, got " << type.getElementType();
    StringRef layout = bitmap ? "[B or 1, Hq or 1, ceil(Sq/Bq), ceil(Skv/Bk)]"
                              : "[B or 1, Hq or 1, ceil(Sq/Bq), K]";
    if (failed(check.expectBroadcast(
            "block_layout", type,
            {s.batch, s.queryHeads, ShapedType::kDynamic, ShapedType::kDynamic},
            layout, /*rightAligned=*/false)))
      return failure();
    int64_t qBlocks = ceilDivDim(s.queryLen, blockSparse.getQBlock());
    if (!compatibleDim(type.getDimSize(2), qBlocks))
      return op.emitOpError()
             << "block_layout dimension 2 is " << dimString(type.getDimSize(2))
             << ", expected " << dimString(qBlocks) << " (" << layout << ")";
    int64_t kvBlocks = ceilDivDim(s.kvLen, blockSparse.getKvBlock());
    if (bitmap && !compatibleDim(type.getDimSize(3), kvBlocks))
      return op.emitOpError()
             << "block_layout dimension 3 is " << dimString(type.getDimSize(3))
             << ", expected " << dimString(kvBlocks) << " (" << layout << ")";
  }

  auto selected = op.getMaskOfType<SelectedTokensMaskAttr>();
  if (failed(expectPaired(op, bool(selected), "mask", "#attn.selected_tokens",
                          op.getSelected(), "selected")))
    return failure();
  if (selected) {
    auto type = llvm::cast<RankedTensorType>(op.getSelected().getType());
    int64_t heads = type.getRank() == 3 ? type.getDimSize(1) : 0;
    if (heads != s.kvHeads &&
        failed(check.expect("selected", type,
                            {s.batch, s.queryHeads, ShapedType::kDynamic},
                            "[B, Hq or Hkv, K]")))
      return failure();
    if (heads == s.kvHeads &&
        failed(check.expect("selected", type,
                            {s.batch, s.kvHeads, ShapedType::kDynamic},
                            "[B, Hq or Hkv, K]")))
      return failure();
  }

  for (Attribute mask : op.getMasks()) {
    auto na = llvm::dyn_cast<NeighborhoodMaskAttr>(mask);
    if (!na || ShapedType::isDynamic(s.kvLen) || op.getKvLen())
      continue;
    int64_t tokens = 1;
    for (int64_t extent : na.getGrid())
      tokens *= extent;
    if (tokens != s.kvLen)
      return op.emitOpError() << "neighborhood grid holds " << tokens
                              << " tokens but the key length is " << s.kvLen;
  }
  return success();
}

static LogicalResult verifyModifiers(AttentionOp op, const AttentionShape &s,
                                     ShapeChecker &check) {
  unsigned temperatures = 0, biases = 0, alibis = 0, tables = 0;
  RelativePositionModAttr relative;
  for (Attribute mod : op.getModifiers()) {
    if (!llvm::isa<ScoreModAttrInterface>(mod))
      return op.emitOpError() << "modifiers entry " << mod
                              << " is not an attn score modifier attribute";
    temperatures += llvm::isa<TemperatureModAttr>(mod);
    biases += llvm::isa<BiasModAttr>(mod);
    alibis += llvm::isa<AlibiModAttr>(mod);
    if (auto rel = llvm::dyn_cast<RelativePositionModAttr>(mod)) {
      relative = rel;
      ++tables;
    }
  }
  if (temperatures != op.getTemperature().size())
    return op.emitOpError()
           << temperatures << " #attn.temperature modifiers "
           << "but " << op.getTemperature().size() << " temperature operands";
  if (biases != op.getBias().size())
    return op.emitOpError() << biases << " #attn.bias modifiers but "
                            << op.getBias().size() << " bias operands";
  if (alibis > 1 || tables > 1)
    return op.emitOpError("at most one #attn.alibi and one "
                          "#attn.relative_position modifier");
  if (failed(expectPaired(op, alibis == 1, "modifier", "#attn.alibi",
                          op.getAlibiSlopes(), "alibi_slopes")))
    return failure();
  if (failed(expectPaired(op, tables == 1, "modifier",
                          "#attn.relative_position", op.getPositionTable(),
                          "position_table")))
    return failure();

  for (Value tau : op.getTemperature()) {
    auto type = llvm::cast<RankedTensorType>(tau.getType());
    if (type.getRank() == 1
            ? failed(check.expect("temperature", type, {s.queryHeads},
                                  "[Hq] or [B, Hq, Sq]", /*broadcast=*/true))
            : failed(check.expect("temperature", type,
                                  {s.batch, s.queryHeads, s.queryLen},
                                  "[Hq] or [B, Hq, Sq]", /*broadcast=*/true)))
      return failure();
  }
  if (Value slopes = op.getAlibiSlopes())
    if (failed(check.expect("alibi_slopes", slopes.getType(), {s.queryHeads},
                            "[Hq]", /*broadcast=*/true)))
      return failure();
  if (relative)
    if (failed(check.expect("position_table", op.getPositionTable().getType(),
                            {s.queryHeads, 2 * relative.getMaxDistance() + 1},
                            "[Hq, 2 * max_distance + 1]", /*broadcast=*/true)))
      return failure();
  for (Value bias : op.getBias())
    if (failed(
            check.expectBroadcast("bias", bias.getType(),
                                  {s.batch, s.queryHeads, s.queryLen, s.kvLen},
                                  "[B, Hq, Sq, Skv]", /*rightAligned=*/true)))
      return failure();
  return success();
}

LogicalResult AttentionOp::verify() {
  FailureOr<AttentionShape> shape = verifyQueryKeyValue(*this);
  if (failed(shape))
    return failure();
  if (Attribute normalizer = getNormalizerAttr())
    if (!llvm::isa<NormalizerAttrInterface>(normalizer))
      return emitOpError() << "normalizer " << normalizer
                           << " is not an attn normaliser attribute";
  if (FloatAttr scale = getScaleAttr())
    if (!std::isfinite(scale.getValueAsDouble()))
      return emitOpError() << "scale must be finite, got "
                           << scale.getValueAsDouble();
  ShapeChecker check(*this);
  if (failed(verifyResults(*this, *shape, check)) ||
      failed(verifyLengthsAndPages(*this, *shape, check)) ||
      failed(verifyMasks(*this, *shape, check)) ||
      failed(verifyModifiers(*this, *shape, check)))
    return failure();
  if (!getCaptures().empty() && getScore().empty() && getMask().empty())
    return emitOpError("captures given but there is no score or mask region "
                       "to read them");
  return success();
}

/// A region's entry block takes `indexArgs` leading arguments (the first of
/// type `firstArg` when given, the rest `index`), then one per capture, and
/// yields one value of type `yielded`.
static LogicalResult verifyRegion(AttentionOp op, Region &region,
                                  StringRef name, Type firstArg,
                                  unsigned indexArgs, Type yielded) {
  if (region.empty())
    return success();
  Block &block = region.front();
  unsigned leading = indexArgs + (firstArg ? 1 : 0);
  StringRef signature = firstArg ? "(s: f32, b, h, i, j: index, captures...)"
                                 : "(b, h, i, j: index, captures...)";
  if (block.getNumArguments() != leading + op.getCaptures().size())
    return op.emitOpError() << name << " region must take " << signature << ": "
                            << leading + op.getCaptures().size()
                            << " arguments, got " << block.getNumArguments();
  Builder builder(op.getContext());
  for (unsigned i = 0; i < leading; ++i) {
    Type want = (firstArg && i == 0) ? firstArg : builder.getIndexType();
    if (block.getArgument(i).getType() != want)
      return op.emitOpError()
             << name << " region argument " << i << " must be " << want
             << ", got " << block.getArgument(i).getType();
  }
  for (auto [i, capture] : llvm::enumerate(op.getCaptures()))
    if (block.getArgument(leading + i).getType() != capture.getType())
      return op.emitOpError()
             << name << " region argument " << leading + i << " has type "
             << block.getArgument(leading + i).getType() << " but capture " << i
             << " is " << capture.getType();
  auto yield = llvm::dyn_cast_if_present<YieldOp>(
      block.empty() ? nullptr : &block.back());
  if (!yield)
    return op.emitOpError() << name << " region must end in attn.yield";
  if (yield.getValues().size() != 1 ||
      yield.getValues()[0].getType() != yielded)
    return yield.emitOpError() << "in the " << name << " region must yield "
                               << "one " << yielded << " value";
  return success();
}

LogicalResult AttentionOp::verifyRegions() {
  Builder builder(getContext());
  if (failed(verifyRegion(*this, getScore(), "score", builder.getF32Type(),
                          kScoreRegionIndexArgs - 1, builder.getF32Type())) ||
      failed(verifyRegion(*this, getMask(), "mask", Type(),
                          kMaskRegionIndexArgs, builder.getI1Type())))
    return failure();
  return success();
}
