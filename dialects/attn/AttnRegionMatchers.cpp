//===- AttnRegionMatchers.cpp - Named forms of regions --------------------===//
//
// A mask region written as comparisons of the key index j against the query
// position p(i) describes a window: keep(i, j) iff p + lower <= j <= p + upper,
// or j < sinks. Each comparison is one bound; AND intersects bounds, OR with a
// `j < n` adds sinks. Whatever does not fit that shape is left as a region,
// which is always correct.
//
//===----------------------------------------------------------------------===//

#include "AttnRegionMatchers.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

bool mlir::attn::isQueryPosition(AttentionOp op, Value position, Value b,
                                 Value i) {
  if (auto pos = position.getDefiningOp<PositionOp>())
    return pos.getBatch() == b && pos.getQuery() == i;
  return position == i && op.getAlignment() == Alignment::top_left;
}

namespace {

/// keep(i, j) iff (p + lower <= j <= p + upper) or j < sinks; a missing bound
/// is unbounded.
struct KeptSet {
  std::optional<int64_t> lower, upper;
  int64_t sinks = 0;
  bool hasInterval = false;
};

class MaskRegionMatcher {
public:
  MaskRegionMatcher(AttentionOp op) : op(op) {
    Block &block = op.getMask().front();
    b = block.getArgument(0);
    i = block.getArgument(2);
    j = block.getArgument(3);
  }

  std::optional<KeptSet> match(Value kept) {
    if (auto orOp = kept.getDefiningOp<arith::OrIOp>()) {
      // interval OR j < n (either order).
      for (auto [a, c] : {std::pair(orOp.getLhs(), orOp.getRhs()),
                          std::pair(orOp.getRhs(), orOp.getLhs())}) {
        std::optional<int64_t> sinks = matchSink(c);
        std::optional<KeptSet> interval =
            sinks ? matchInterval(a) : std::nullopt;
        if (interval) {
          interval->sinks = *sinks;
          return interval;
        }
      }
      return std::nullopt;
    }
    return matchInterval(kept);
  }

private:
  /// `x` as p + offset (`isPosition`) or a constant.
  struct Affine {
    bool isPosition;
    int64_t offset;
  };

  std::optional<Affine> matchAffine(Value x) {
    if (isQueryPosition(op, x, b, i))
      return Affine{true, 0};
    APInt constant;
    if (matchPattern(x, m_ConstantInt(&constant)))
      return Affine{false, constant.getSExtValue()};
    auto add = x.getDefiningOp<arith::AddIOp>();
    auto sub = x.getDefiningOp<arith::SubIOp>();
    if (!add && !sub)
      return std::nullopt;
    Value lhs = add ? add.getLhs() : sub.getLhs();
    Value rhs = add ? add.getRhs() : sub.getRhs();
    if (add && !isQueryPosition(op, lhs, b, i))
      std::swap(lhs, rhs); // c + p
    if (!isQueryPosition(op, lhs, b, i) ||
        !matchPattern(rhs, m_ConstantInt(&constant)))
      return std::nullopt;
    int64_t c = constant.getSExtValue();
    return Affine{true, add ? c : -c};
  }

  /// One comparison of j with p + c or a constant, as `j <= bound` (upper) or
  /// `j >= bound` (lower).
  struct Bound {
    Affine value;
    bool upper;
  };

  std::optional<Bound> matchBound(Value v) {
    auto cmp = v.getDefiningOp<arith::CmpIOp>();
    if (!cmp)
      return std::nullopt;
    using P = arith::CmpIPredicate;
    P predicate = cmp.getPredicate();
    Value other;
    if (cmp.getLhs() == j) {
      other = cmp.getRhs();
    } else if (cmp.getRhs() == j) {
      other = cmp.getLhs();
      predicate = swapPredicate(predicate); // c < j is j > c

    } else {
      return std::nullopt;
    }
    std::optional<Affine> value = matchAffine(other);
    if (!value)
      return std::nullopt;
    switch (predicate) {
    case P::sle:
      return Bound{*value, true};
    case P::slt:
      return Bound{{value->isPosition, value->offset - 1}, true};
    case P::sge:
      return Bound{*value, false};
    case P::sgt:
      return Bound{{value->isPosition, value->offset + 1}, false};
    default:
      return std::nullopt; // Unsigned or equality comparisons: not a window.
    }
  }

  static arith::CmpIPredicate swapPredicate(arith::CmpIPredicate p) {
    using P = arith::CmpIPredicate;
    switch (p) {
    case P::slt:
      return P::sgt;
    case P::sle:
      return P::sge;
    case P::sgt:
      return P::slt;
    case P::sge:
      return P::sle;
    default:
      return p;
    }
  }

  /// `j < n`: the number of sinks n.
  std::optional<int64_t> matchSink(Value v) {
    std::optional<Bound> bound = matchBound(v);
    if (!bound || bound->value.isPosition || !bound->upper)
      return std::nullopt;
    return bound->value.offset + 1;
  }

  /// An AND of bounds relative to p.
  std::optional<KeptSet> matchInterval(Value v) {
    if (auto andOp = v.getDefiningOp<arith::AndIOp>()) {
      std::optional<KeptSet> a = matchInterval(andOp.getLhs());
      std::optional<KeptSet> c =
          a ? matchInterval(andOp.getRhs()) : std::nullopt;
      if (!c)
        return std::nullopt;
      auto tighter = [](std::optional<int64_t> x, std::optional<int64_t> y,
                        bool upper) -> std::optional<int64_t> {
        if (!x)
          return y;
        if (!y)
          return x;
        return upper ? std::min(*x, *y) : std::max(*x, *y);
      };
      return KeptSet{tighter(a->lower, c->lower, false),
                     tighter(a->upper, c->upper, true), 0, true};
    }
    std::optional<Bound> bound = matchBound(v);
    if (!bound || !bound->value.isPosition)
      return std::nullopt;
    KeptSet set;
    set.hasInterval = true;
    (bound->upper ? set.upper : set.lower) = bound->value.offset;
    return set;
  }

  AttentionOp op;
  Value b, i, j;
};

} // namespace

/// The named mask keeping `kept`, or null.
static Attribute toNamedMask(MLIRContext *ctx, const KeptSet &kept) {
  if (!kept.hasInterval)
    return {};
  // A window keeps p - left <= j <= p + right with left, right >= 0.
  if ((kept.lower && *kept.lower > 0) || (kept.upper && *kept.upper < 0) ||
      kept.sinks < 0)
    return {};
  std::optional<int64_t> left, right = kept.upper;
  if (kept.lower)
    left = -*kept.lower;
  if (!left && right && *right == 0)
    return kept.sinks == 0 ? Attribute(CausalMaskAttr::get(ctx))
                           : Attribute(PrefixLMMaskAttr::get(ctx, kept.sinks));
  if (!left && !right)
    return {}; // Keeps every key: not a window.
  return SlidingWindowMaskAttr::get(ctx, left, right, kept.sinks);
}

/// Appends the named masks whose AND is `kept` to `masks`.
static LogicalResult collectNamedMasks(MaskRegionMatcher &matcher,
                                       MLIRContext *ctx, Value kept,
                                       SmallVectorImpl<Attribute> &masks) {
  if (std::optional<KeptSet> set = matcher.match(kept))
    if (Attribute named = toNamedMask(ctx, *set)) {
      masks.push_back(named);
      return success();
    }
  auto andOp = kept.getDefiningOp<arith::AndIOp>();
  if (!andOp)
    return failure();
  return success(
      succeeded(collectNamedMasks(matcher, ctx, andOp.getLhs(), masks)) &&
      succeeded(collectNamedMasks(matcher, ctx, andOp.getRhs(), masks)));
}

SmallVector<Attribute> mlir::attn::matchNamedMaskRegion(AttentionOp op) {
  if (op.getMask().empty())
    return {};
  auto yield = llvm::dyn_cast<YieldOp>(op.getMask().front().getTerminator());
  if (!yield || yield.getValues().size() != 1)
    return {};
  MaskRegionMatcher matcher(op);
  SmallVector<Attribute> masks;
  if (failed(collectNamedMasks(matcher, op.getContext(), yield.getValues()[0],
                               masks)))
    return {};
  return masks;
}

//===----------------------------------------------------------------------===//
// Score regions
//===----------------------------------------------------------------------===//

namespace {

class ScoreRegionMatcher {
public:
  ScoreRegionMatcher(AttentionOp op) : op(op), block(op.getScore().front()) {}

  std::optional<NamedScoreModifier> match(Value result) {
    MLIRContext *ctx = op.getContext();
    Value s = block.getArgument(0);
    if (std::optional<double> cap = matchSoftcap(result, s))
      return NamedScoreModifier{SoftcapModAttr::get(ctx, APFloat(*cap)), {}};
    if (auto div = result.getDefiningOp<arith::DivFOp>()) {
      // s / tau[h] or s / tau[b, h, i].
      if (div.getLhs() != s)
        return std::nullopt;
      if (std::optional<unsigned> c = matchCaptureRead(div.getRhs(), {2}))
        return NamedScoreModifier{TemperatureModAttr::get(ctx), c};
      if (std::optional<unsigned> c = matchCaptureRead(div.getRhs(), {1, 2, 3}))
        return NamedScoreModifier{TemperatureModAttr::get(ctx), c};
      return std::nullopt;
    }
    auto add = result.getDefiningOp<arith::AddFOp>();
    if (!add)
      return std::nullopt;
    Value other = add.getLhs() == s   ? add.getRhs()
                  : add.getRhs() == s ? add.getLhs()
                                      : Value();
    if (!other)
      return std::nullopt;
    if (std::optional<unsigned> c = matchCaptureRead(other, {1, 2, 3, 4}))
      return NamedScoreModifier{BiasModAttr::get(ctx), c};
    if (std::optional<unsigned> c = matchAlibi(other))
      return NamedScoreModifier{AlibiModAttr::get(ctx, false), c};
    return std::nullopt;
  }

private:
  static std::optional<double> matchSoftcap(Value result, Value s) {
    auto mul = result.getDefiningOp<arith::MulFOp>();
    if (!mul)
      return std::nullopt;
    for (auto [c, other] : {std::pair(mul.getLhs(), mul.getRhs()),
                            std::pair(mul.getRhs(), mul.getLhs())}) {
      FloatAttr cap, divisor;
      auto tanh = other.getDefiningOp<math::TanhOp>();
      if (!matchPattern(c, m_Constant(&cap)) || !tanh)
        continue;
      auto div = tanh.getOperand().getDefiningOp<arith::DivFOp>();
      if (div && div.getLhs() == s &&
          matchPattern(div.getRhs(), m_Constant(&divisor)) && divisor == cap &&
          cap.getValueAsDouble() > 0.0 && std::isfinite(cap.getValueAsDouble()))
        return cap.getValueAsDouble();
    }
    return std::nullopt;
  }

  /// The capture read by `value = [extf] tensor.extract t[args...]` where the
  /// indices are exactly the region arguments numbered `args` (1 = b, 2 = h,
  /// 3 = i, 4 = j), and t is as large as the layout they span, so indexing
  /// it equals broadcasting it.
  std::optional<unsigned> matchCaptureRead(Value value,
                                           ArrayRef<unsigned> args) {
    if (auto ext = value.getDefiningOp<arith::ExtFOp>())
      value = ext.getIn();
    auto extract = value.getDefiningOp<tensor::ExtractOp>();
    if (!extract || extract.getIndices().size() != args.size())
      return std::nullopt;
    for (auto [index, arg] : llvm::zip(extract.getIndices(), args))
      if (index != block.getArgument(arg))
        return std::nullopt;
    auto capture = llvm::dyn_cast<BlockArgument>(extract.getTensor());
    if (!capture || capture.getOwner() != &block ||
        capture.getArgNumber() < AttentionOp::kScoreRegionIndexArgs)
      return std::nullopt;
    RankedTensorType q = op.getQuery().getType();
    int64_t sizes[5] = {0, q.getDimSize(0), q.getDimSize(1), q.getDimSize(2),
                        keyIndexedLength(op)};
    auto type = llvm::cast<RankedTensorType>(capture.getType());
    for (auto [d, arg] : llvm::enumerate(args))
      if (!ShapedType::isDynamic(type.getDimSize(d)) &&
          type.getDimSize(d) != sizes[arg])
        return std::nullopt;
    return capture.getArgNumber() - AttentionOp::kScoreRegionIndexArgs;
  }

  /// `slope[h] * float(j - p(i))`: the capture holding the slopes.
  std::optional<unsigned> matchAlibi(Value value) {
    auto mul = value.getDefiningOp<arith::MulFOp>();
    if (!mul)
      return std::nullopt;
    for (auto [slope, distance] : {std::pair(mul.getLhs(), mul.getRhs()),
                                   std::pair(mul.getRhs(), mul.getLhs())}) {
      std::optional<unsigned> capture = matchCaptureRead(slope, {2});
      if (capture && isKeyMinusPosition(distance))
        return capture;
    }
    return std::nullopt;
  }

  /// `sitofp([index_cast] (j - p(i)))`.
  bool isKeyMinusPosition(Value value) {
    auto toFloat = value.getDefiningOp<arith::SIToFPOp>();
    if (!toFloat)
      return false;
    value = toFloat.getIn();
    if (auto cast = value.getDefiningOp<arith::IndexCastOp>())
      value = cast.getIn();
    auto sub = value.getDefiningOp<arith::SubIOp>();
    return sub && sub.getLhs() == block.getArgument(4) &&
           isQueryPosition(op, sub.getRhs(), block.getArgument(1),
                           block.getArgument(3));
  }

  AttentionOp op;
  Block &block;
};

} // namespace

int64_t mlir::attn::keyIndexedLength(AttentionOp op) {
  RankedTensorType k = op.getKey().getType(), v = op.getValue().getType();
  if (!op.isPaged())
    return ShapedType::isDynamic(k.getDimSize(2)) ? v.getDimSize(2)
                                                  : k.getDimSize(2);
  int64_t pageSize = ShapedType::isDynamic(k.getDimSize(1)) ? v.getDimSize(1)
                                                            : k.getDimSize(1);
  int64_t maxPages = op.getPageTable().getType().getDimSize(1);
  if (ShapedType::isDynamic(pageSize) || ShapedType::isDynamic(maxPages))
    return ShapedType::kDynamic;
  return maxPages * pageSize;
}

std::optional<NamedScoreModifier>
mlir::attn::matchNamedScoreRegion(AttentionOp op) {
  if (op.getScore().empty())
    return std::nullopt;
  auto yield = llvm::dyn_cast<YieldOp>(op.getScore().front().getTerminator());
  if (!yield || yield.getValues().size() != 1)
    return std::nullopt;
  return ScoreRegionMatcher(op).match(yield.getValues()[0]);
}
