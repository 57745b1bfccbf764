//===- AttnCanonicalize.cpp - attn.attention canonical form ---------------===//
//
// One variant, one form: named masks and modifiers are what the mask
// analysis and the lowerings understand, so regions that say exactly what a
// named attribute says become that attribute. Modifiers sort into their
// application order, no-op modifiers and defaults vanish, and masks that
// intersect into one named mask are combined.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Stable-sorts `modifiers` by application order (VARIANTS.md section 3), so
/// that two specs listing the same modifiers in different orders are equal.
struct SortModifiers : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Attribute> mods(op.getModifiers().getValue());
    auto order = [](Attribute a) {
      return llvm::cast<ScoreModAttrInterface>(a).getApplicationOrder();
    };
    if (llvm::is_sorted(mods, [&](Attribute a, Attribute b) {
          return order(a) < order(b);
        }))
      return rewriter.notifyMatchFailure(op, "modifiers already in order");
    // Sort (order, position) pairs: stable without std::stable_sort's
    // temporary buffer.
    SmallVector<std::pair<unsigned, unsigned>> keys;
    for (auto [position, mod] : llvm::enumerate(mods))
      keys.push_back({order(mod), static_cast<unsigned>(position)});
    llvm::sort(keys);
    SmallVector<Attribute> sorted;
    for (auto [unused, position] : keys)
      sorted.push_back(mods[position]);
    mods = std::move(sorted);
    rewriter.modifyOpInPlace(
        op, [&] { op.setModifiersAttr(rewriter.getArrayAttr(mods)); });
    return success();
  }
};

/// Removes modifiers that leave every score unchanged: sink calibration
/// columns with factor 1 (log 1 = 0), and sink calibrations of no column.
struct DropNoOpModifiers : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Attribute> mods;
    bool changed = false;
    for (Attribute mod : op.getModifiers()) {
      auto sink = llvm::dyn_cast<SinkCalibrationModAttr>(mod);
      if (!sink) {
        mods.push_back(mod);
        continue;
      }
      SmallVector<int64_t> columns;
      SmallVector<double> factors;
      for (auto [k, column] : llvm::enumerate(sink.getColumns())) {
        if (sink.getFactorAt(k) == 1.0)
          continue;
        columns.push_back(column);
        factors.push_back(sink.getFactorAt(k));
      }
      if (!columns.empty() && columns.size() == sink.getColumns().size()) {
        mods.push_back(mod);
        continue;
      }
      changed = true;
      if (!columns.empty())
        mods.push_back(SinkCalibrationModAttr::get(
            op.getContext(), columns,
            DenseF64ArrayAttr::get(op.getContext(), factors)));
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "no no-op modifier");
    rewriter.modifyOpInPlace(
        op, [&] { op.setModifiersAttr(rewriter.getArrayAttr(mods)); });
    return success();
  }
};

/// Drops attributes equal to their defaults: a scale of exactly 1/sqrt(D) and
/// an explicit softmax normaliser.
struct DropDefaultAttributes : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    double defaultScale =
        1.0 / std::sqrt(double(op.getQuery().getType().getDimSize(3)));
    bool defaultScaleGiven =
        op.getScaleAttr() &&
        op.getScaleAttr().getValueAsDouble() == defaultScale;
    bool softmaxGiven =
        llvm::isa_and_present<SoftmaxAttr>(op.getNormalizerAttr());
    if (!defaultScaleGiven && !softmaxGiven)
      return rewriter.notifyMatchFailure(op, "no attribute equals its default");
    rewriter.modifyOpInPlace(op, [&] {
      if (defaultScaleGiven)
        op.removeScaleAttr();
      if (softmaxGiven)
        op.removeNormalizerAttr();
    });
    return success();
  }
};

/// A window without sinks as an interval [p - left, p + right]; nullopt ends
/// are unbounded.
struct Window {
  std::optional<int64_t> left, right;
};

std::optional<Window> asWindow(Attribute mask) {
  if (llvm::isa<CausalMaskAttr>(mask))
    return Window{std::nullopt, 0};
  if (auto window = llvm::dyn_cast<SlidingWindowMaskAttr>(mask))
    if (window.getSinks() == 0)
      return Window{window.getLeft(), window.getRight()};
  return std::nullopt;
}

std::optional<int64_t> minBound(std::optional<int64_t> a,
                                std::optional<int64_t> b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return std::min(*a, *b);
}

Attribute windowToMask(MLIRContext *ctx, Window w) {
  if (!w.left && w.right && *w.right == 0)
    return CausalMaskAttr::get(ctx);
  return SlidingWindowMaskAttr::get(ctx, w.left, w.right, 0);
}

/// Combines masks that intersect into one: duplicates, prefix_lm<0> (which is
/// causal), windows that keep everything, and causal/window intersections
/// (without sinks, whose union with the window does not intersect simply).
/// A prefix_lm beside a window that keeps no key right of p(i) keeps a
/// superset of it and goes (the verifier rejects prefix_lm with causal).
struct CombineMasks : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    SmallVector<Attribute> masks;
    std::optional<Window> window;
    for (Attribute mask : op.getMasks()) {
      if (auto prefix = llvm::dyn_cast<PrefixLMMaskAttr>(mask))
        if (prefix.getPrefix() == 0)
          mask = CausalMaskAttr::get(ctx);
      if (auto sliding = llvm::dyn_cast<SlidingWindowMaskAttr>(mask))
        if (!sliding.getLeft() && !sliding.getRight())
          continue; // Keeps every key.
      if (std::optional<Window> w = asWindow(mask)) {
        window = window ? Window{minBound(window->left, w->left),
                                 minBound(window->right, w->right)}
                        : *w;
        continue;
      }
      if (!llvm::is_contained(masks, mask))
        masks.push_back(mask);
    }
    if (window && window->right && *window->right == 0)
      llvm::erase_if(masks, llvm::IsaPred<PrefixLMMaskAttr>);
    if (window)
      masks.insert(masks.begin(), windowToMask(ctx, *window));
    ArrayAttr combined = rewriter.getArrayAttr(masks);
    if (combined == op.getMasks())
      return rewriter.notifyMatchFailure(op, "no masks to combine");
    rewriter.modifyOpInPlace(op, [&] { op.setMasksAttr(combined); });
    return success();
  }
};

/// The value the region yields, or null.
Value yieldedValue(Region &region) {
  if (region.empty())
    return {};
  auto yield = llvm::dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield || yield.getValues().size() != 1)
    return {};
  return yield.getValues()[0];
}

/// Whether `position` is p(i) for the region's b and i arguments.
bool isQueryPosition(AttentionOp op, Value position, Value b, Value i) {
  if (auto pos = position.getDefiningOp<PositionOp>())
    return pos.getBatch() == b && pos.getQuery() == i;
  return position == i && op.getAlignment() == Alignment::top_left;
}

void clearRegion(PatternRewriter &rewriter, Region &region) {
  while (!region.empty())
    rewriter.eraseBlock(&region.front());
}

/// mask region `j <= p(i)` -> #attn.causal; a region that yields true -> none.
struct NamedMaskFromRegion : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Value kept = yieldedValue(op.getMask());
    if (!kept)
      return rewriter.notifyMatchFailure(op, "no mask region");
    Block &block = op.getMask().front();
    Value b = block.getArgument(0), i = block.getArgument(2),
          j = block.getArgument(3);
    SmallVector<Attribute> masks(op.getMasks().getValue());
    if (matchPattern(kept, m_One())) {
      // Keeps every pair: nothing to add.
    } else if (auto cmp = kept.getDefiningOp<arith::CmpIOp>()) {
      bool jFirst = cmp.getPredicate() == arith::CmpIPredicate::sle &&
                    cmp.getLhs() == j &&
                    isQueryPosition(op, cmp.getRhs(), b, i);
      bool pFirst = cmp.getPredicate() == arith::CmpIPredicate::sge &&
                    cmp.getRhs() == j &&
                    isQueryPosition(op, cmp.getLhs(), b, i);
      if (!jFirst && !pFirst)
        return rewriter.notifyMatchFailure(op, "mask region is not j <= p(i)");
      masks.push_back(CausalMaskAttr::get(op.getContext()));
    } else {
      return rewriter.notifyMatchFailure(op, "mask region has no named form");
    }
    rewriter.modifyOpInPlace(op, [&] {
      op.setMasksAttr(rewriter.getArrayAttr(masks));
      clearRegion(rewriter, op.getMask());
    });
    return success();
  }
};

/// Whether every named modifier applies no later than `order`, so a region
/// (applied last) can become a named modifier of that order unchanged.
bool regionCanBecome(AttentionOp op, unsigned order) {
  return llvm::all_of(op.getModifiers(), [&](Attribute mod) {
    return llvm::cast<ScoreModAttrInterface>(mod).getApplicationOrder() <=
           order;
  });
}

/// The key length of key-indexed operands such as bias: Skv, or
/// max_pages * page_size with a paged cache (as the verifier checks them);
/// dynamic where unknown.
int64_t keyIndexedLength(AttentionOp op) {
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

/// score region `c * tanh(s / c)` -> #attn.softcap<c>; `s + t[b, h, i, j]`
/// with t a capture -> #attn.bias reading t; a region yielding s -> none.
struct NamedModifierFromRegion : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  static std::optional<double> matchSoftcap(Value result, Value s) {
    auto mul = result.getDefiningOp<arith::MulFOp>();
    if (!mul)
      return std::nullopt;
    for (auto [c, other] : {std::pair(mul.getLhs(), mul.getRhs()),
                            std::pair(mul.getRhs(), mul.getLhs())}) {
      FloatAttr cap;
      auto tanh = other.getDefiningOp<math::TanhOp>();
      if (!matchPattern(c, m_Constant(&cap)) || !tanh)
        continue;
      auto div = tanh.getOperand().getDefiningOp<arith::DivFOp>();
      FloatAttr divisor;
      if (div && div.getLhs() == s &&
          matchPattern(div.getRhs(), m_Constant(&divisor)) && divisor == cap &&
          cap.getValueAsDouble() > 0.0 && std::isfinite(cap.getValueAsDouble()))
        return cap.getValueAsDouble();
    }
    return std::nullopt;
  }

  /// The capture index of t in `s + t[b, h, i, j]`, when t is exactly
  /// [B, Hq, Sq, Skv] so indexing equals broadcasting.
  static std::optional<unsigned> matchBias(AttentionOp op, Value result,
                                           Block &block) {
    auto add = result.getDefiningOp<arith::AddFOp>();
    if (!add)
      return std::nullopt;
    Value s = block.getArgument(0);
    Value other = add.getLhs() == s   ? add.getRhs()
                  : add.getRhs() == s ? add.getLhs()
                                      : Value();
    auto extract = other ? other.getDefiningOp<tensor::ExtractOp>() : nullptr;
    if (!extract || extract.getIndices().size() != 4)
      return std::nullopt;
    for (unsigned d = 0; d < 4; ++d)
      if (extract.getIndices()[d] != block.getArgument(1 + d))
        return std::nullopt;
    auto arg = llvm::dyn_cast<BlockArgument>(extract.getTensor());
    if (!arg || arg.getOwner() != &block ||
        arg.getArgNumber() < AttentionOp::kScoreRegionIndexArgs)
      return std::nullopt;
    auto type = llvm::cast<RankedTensorType>(arg.getType());
    SmallVector<int64_t> full = {op.getQuery().getType().getDimSize(0),
                                 op.getQuery().getType().getDimSize(1),
                                 op.getQuery().getType().getDimSize(2),
                                 keyIndexedLength(op)};
    for (unsigned d = 0; d < 4; ++d)
      if (!ShapedType::isDynamic(type.getDimSize(d)) &&
          type.getDimSize(d) != full[d])
        return std::nullopt;
    return arg.getArgNumber() - AttentionOp::kScoreRegionIndexArgs;
  }

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Value result = yieldedValue(op.getScore());
    if (!result)
      return rewriter.notifyMatchFailure(op, "no score region");
    Block &block = op.getScore().front();
    Value s = block.getArgument(0);
    SmallVector<Attribute> mods(op.getModifiers().getValue());
    Value bias;
    if (result == s) {
      // Leaves the score unchanged: nothing to add.
    } else if (std::optional<double> cap = matchSoftcap(result, s)) {
      if (!regionCanBecome(op,
                           SoftcapModAttr::get(op.getContext(), APFloat(*cap))
                               .getApplicationOrder()))
        return rewriter.notifyMatchFailure(
            op, "a later named modifier would reorder the softcap");
      mods.push_back(SoftcapModAttr::get(op.getContext(), APFloat(*cap)));
    } else if (std::optional<unsigned> capture = matchBias(op, result, block)) {
      auto named = BiasModAttr::get(op.getContext());
      if (!regionCanBecome(op, named.getApplicationOrder()))
        return rewriter.notifyMatchFailure(
            op, "a later named modifier would reorder the bias");
      mods.push_back(named);
      bias = op.getCaptures()[*capture];
    } else {
      return rewriter.notifyMatchFailure(op, "score region has no named form");
    }
    rewriter.modifyOpInPlace(op, [&] {
      op.setModifiersAttr(rewriter.getArrayAttr(mods));
      if (bias)
        op.getBiasMutable().append(bias);
      clearRegion(rewriter, op.getScore());
    });
    return success();
  }
};

/// Removes captures no region reads, with their region arguments.
struct DropUnusedCaptures : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<std::pair<Region *, unsigned>> regions = {
        {&op.getScore(), AttentionOp::kScoreRegionIndexArgs},
        {&op.getMask(), AttentionOp::kMaskRegionIndexArgs}};
    llvm::BitVector unused(op.getCaptures().size(), true);
    for (auto [region, leading] : regions)
      if (!region->empty())
        for (unsigned c = 0; c < op.getCaptures().size(); ++c)
          if (!region->front().getArgument(leading + c).use_empty())
            unused.reset(c);
    if (unused.none())
      return rewriter.notifyMatchFailure(op, "every capture is read");
    rewriter.modifyOpInPlace(op, [&] {
      for (int c = op.getCaptures().size() - 1; c >= 0; --c) {
        if (!unused.test(c))
          continue;
        for (auto [region, leading] : regions)
          if (!region->empty())
            region->front().eraseArgument(leading + c);
        op.getCapturesMutable().erase(c);
      }
    });
    return success();
  }
};

} // namespace

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<SortModifiers, DropNoOpModifiers, DropDefaultAttributes,
              CombineMasks, NamedMaskFromRegion, NamedModifierFromRegion,
              DropUnusedCaptures>(context);
}
