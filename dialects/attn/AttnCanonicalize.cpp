//===- AttnCanonicalize.cpp - attn.attention canonical form ---------------===//
//
// One variant, one form: named masks and modifiers are what the mask
// analysis and the lowerings understand, so regions that say exactly what a
// named attribute says become that attribute. Modifiers sort into their
// application order, no-op modifiers and defaults vanish, and masks that
// intersect into one named mask are combined.
//
//===----------------------------------------------------------------------===//

#include "AttnRegionMatchers.h"

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
    SmallVector<unsigned> positions = op.getModifierApplicationOrder();
    if (llvm::is_sorted(positions))
      return rewriter.notifyMatchFailure(op, "modifiers already in order");
    SmallVector<Attribute> mods;
    for (unsigned position : positions)
      mods.push_back(op.getModifiers()[position]);
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
      if (auto sliding = llvm::dyn_cast<SlidingWindowMaskAttr>(mask)) {
        if (!sliding.getLeft() && !sliding.getRight())
          continue; // Keeps every key.
        // j <= p(i) or j < n is the prefix LM.
        if (!sliding.getLeft() && sliding.getRight() == 0 &&
            sliding.getSinks() > 0)
          mask = PrefixLMMaskAttr::get(ctx, sliding.getSinks());
      }
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

void clearRegion(PatternRewriter &rewriter, Region &region) {
  while (!region.empty())
    rewriter.eraseBlock(&region.front());
}

/// A mask region that says what a named mask says (a window around p(i),
/// causal, prefix LM; see AttnRegionMatchers.cpp) -> that mask; a region that
/// yields true -> none.
struct NamedMaskFromRegion : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Value kept = yieldedValue(op.getMask());
    if (!kept)
      return rewriter.notifyMatchFailure(op, "no mask region");
    SmallVector<Attribute> masks(op.getMasks().getValue());
    if (!matchPattern(kept, m_One())) {
      SmallVector<Attribute> named = matchNamedMaskRegion(op);
      if (named.empty())
        return rewriter.notifyMatchFailure(op, "mask region has no named form");
      masks.append(named);
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

/// A score region that says what a named modifier says (softcap, bias,
/// temperature, ALiBi; see AttnRegionMatchers.cpp) -> that modifier, reading
/// the region's capture; a region yielding s -> none.
struct NamedModifierFromRegion : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Value result = yieldedValue(op.getScore());
    if (!result)
      return rewriter.notifyMatchFailure(op, "no score region");
    SmallVector<Attribute> mods(op.getModifiers().getValue());
    std::optional<NamedScoreModifier> named;
    if (result != op.getScore().front().getArgument(0)) {
      named = matchNamedScoreRegion(op);
      if (!named)
        return rewriter.notifyMatchFailure(op,
                                           "score region has no named form");
      auto order = llvm::cast<ScoreModAttrInterface>(named->modifier)
                       .getApplicationOrder();
      if (!regionCanBecome(op, order))
        return rewriter.notifyMatchFailure(
            op, "a named modifier of a later kind would reorder the region");
      if (llvm::isa<AlibiModAttr>(named->modifier) && op.getAlibiSlopes())
        return rewriter.notifyMatchFailure(op, "alibi_slopes already taken");
      mods.push_back(named->modifier);
    }
    rewriter.modifyOpInPlace(op, [&] {
      op.setModifiersAttr(rewriter.getArrayAttr(mods));
      if (named && named->capture) {
        Value tensor = op.getCaptures()[*named->capture];
        if (llvm::isa<BiasModAttr>(named->modifier))
          op.getBiasMutable().append(tensor);
        else if (llvm::isa<TemperatureModAttr>(named->modifier))
          op.getTemperatureMutable().append(tensor);
        else
          op.getAlibiSlopesMutable().assign(tensor);
      }
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
