//===- MaskAnalysis.cpp - Which key tiles a query tile visits -------------===//
//
// See MaskAnalysis.h for the families of masks and why each rule is exact.
//
//===----------------------------------------------------------------------===//

#include "MaskAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Index arithmetic with an ImplicitLocOpBuilder, to keep the rules legible.
struct IndexMath {
  ImplicitLocOpBuilder &b;
  using P = arith::CmpIPredicate;

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, x, y); }
  Value floorDiv(Value x, Value y) {
    return arith::FloorDivSIOp::create(b, x, y);
  }
  Value ceilDiv(Value x, Value y) {
    return arith::CeilDivSIOp::create(b, x, y);
  }
  Value rem(Value x, Value y) { return arith::RemSIOp::create(b, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value cmp(P p, Value x, Value y) { return arith::CmpIOp::create(b, p, x, y); }
  Value le(Value x, Value y) { return cmp(P::sle, x, y); }
  Value lt(Value x, Value y) { return cmp(P::slt, x, y); }
  Value eq(Value x, Value y) { return cmp(P::eq, x, y); }
  Value ne(Value x, Value y) { return cmp(P::ne, x, y); }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value either(Value x, Value y) { return arith::OrIOp::create(b, x, y); }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, cond, x, y);
  }
  Value truth(bool v) {
    return arith::ConstantIntOp::create(b, b.getI1Type(), v);
  }
  /// for (iv = lo; iv < hi; ++iv) body(iv).
  void loop(Value lo, Value hi, function_ref<void(IndexMath &, Value)> body) {
    scf::ForOp::create(
        b, lo, hi, c(1), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value iv, ValueRange) {
          ImplicitLocOpBuilder ib(loc, nested);
          IndexMath inner{ib};
          body(inner, iv);
          scf::YieldOp::create(ib);
        });
  }
  /// A parallel loop over [0, hi0) x [0, hi1): body(i0, i1).
  void parallel(Value hi0, Value hi1,
                function_ref<void(IndexMath &, Value, Value)> body) {
    scf::ParallelOp::create(
        b, ValueRange{c(0), c(0)}, ValueRange{hi0, hi1}, ValueRange{c(1), c(1)},
        ValueRange{},
        [&](OpBuilder &nested, Location loc, ValueRange ivs, ValueRange) {
          ImplicitLocOpBuilder ib(loc, nested);
          IndexMath inner{ib};
          body(inner, ivs[0], ivs[1]);
          scf::ReduceOp::create(ib);
        });
  }
  /// if (cond) body().
  void when(Value cond, function_ref<void(IndexMath &)> body) {
    scf::IfOp::create(b, cond, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder ib(loc, nested);
      IndexMath inner{ib};
      body(inner);
      scf::YieldOp::create(ib);
    });
  }
};

/// A key range [lo, hi] (empty when lo > hi).
struct KeyRange {
  Value lo, hi;
};

} // namespace

NeighborhoodWindow mlir::attn::emitNeighborhoodWindow(ImplicitLocOpBuilder &b,
                                                      NeighborhoodMaskAttr mask,
                                                      int64_t dim,
                                                      Value coord) {
  IndexMath m{b};
  int64_t extent = mask.getGrid()[dim], kernel = mask.getKernel()[dim];
  int64_t dilation = mask.getDilationAt(dim), stride = mask.getStrideAt(dim);
  // The dilation group g = coord mod d has n members; coord is member u.
  Value g = m.rem(coord, m.c(dilation));
  Value n = m.ceilDiv(m.sub(m.c(extent), g), m.c(dilation));
  Value u = m.div(coord, m.c(dilation));
  Value nMinus1 = m.sub(n, m.c(1));
  // Queries go in blocks of `stride` members.
  Value blockStart = m.mul(m.div(u, m.c(stride)), m.c(stride));
  if (mask.isCausalAt(dim)) {
    // The block's leader is its last query: keep w <= u with leader - w < k.
    Value leader = m.min(m.add(blockStart, m.c(stride - 1)), nMinus1);
    return {g, m.max(m.c(0), m.sub(leader, m.c(kernel - 1))), u};
  }
  // The window of the block's centre, shifted inside the group.
  Value centre = m.min(nMinus1, m.add(blockStart, m.c(stride / 2)));
  Value start = m.min(m.max(m.sub(centre, m.c(kernel / 2)), m.c(0)),
                      m.max(m.sub(n, m.c(kernel)), m.c(0)));
  return {g, start, m.sub(m.add(start, m.min(m.c(kernel), n)), m.c(1))};
}

Value mlir::attn::emitNeighborhoodKeep(ImplicitLocOpBuilder &b,
                                       NeighborhoodMaskAttr mask, Value p,
                                       Value j) {
  IndexMath m{b};
  ArrayRef<int64_t> grid = mask.getGrid();
  Value keep = m.truth(true);
  Value qRest = p, kRest = j;
  for (int64_t d = grid.size() - 1; d >= 0; --d) {
    Value extent = m.c(grid[d]);
    Value qc = m.rem(qRest, extent), kc = m.rem(kRest, extent);
    qRest = m.div(qRest, extent);
    kRest = m.div(kRest, extent);
    NeighborhoodWindow window = emitNeighborhoodWindow(b, mask, d, qc);
    Value dilation = m.c(mask.getDilationAt(d));
    Value w = m.div(kc, dilation);
    keep = m.both(keep,
                  m.both(m.eq(m.rem(kc, dilation), window.group),
                         m.both(m.le(window.start, w), m.le(w, window.end))));
  }
  if (mask.getSinks() > 0) {
    Value sink = m.lt(j, m.c(mask.getSinks()));
    if (mask.isAnyCausal())
      sink = m.both(sink, m.le(j, p));
    keep = m.either(keep, sink);
  }
  return keep;
}

/// A positive integer constant, or 0.
static int64_t positiveConstant(Value v) {
  APInt value;
  if (!matchPattern(v, m_ConstantInt(&value)) || value.getBitWidth() > 64)
    return 0;
  int64_t n = value.getSExtValue();
  return n > 0 ? n : 0;
}

/// Whether every op of the mask region has an interval rule below.
static bool isBoundable(Region &region) {
  for (Operation &op : region.front()) {
    if (llvm::isa<YieldOp, arith::AddIOp, arith::SubIOp, arith::MulIOp,
                  arith::MinSIOp, arith::MaxSIOp, arith::AndIOp, arith::OrIOp,
                  arith::SelectOp, arith::IndexCastOp, arith::ExtSIOp>(op))
      continue;
    if (auto constant = llvm::dyn_cast<arith::ConstantOp>(op)) {
      if (!llvm::isa<IntegerAttr>(constant.getValue()))
        return false;
      continue;
    }
    if (llvm::isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp,
                  arith::CeilDivSIOp, arith::RemSIOp, arith::RemUIOp>(op)) {
      if (!positiveConstant(op.getOperand(1)))
        return false;
      continue;
    }
    if (auto cmp = llvm::dyn_cast<arith::CmpIOp>(op)) {
      using P = arith::CmpIPredicate;
      P p = cmp.getPredicate();
      if (p != P::slt && p != P::sle && p != P::sgt && p != P::sge &&
          p != P::eq && p != P::ne)
        return false;
      continue;
    }
    if (auto ext = llvm::dyn_cast<arith::ExtUIOp>(op)) {
      if (!ext.getIn().getType().isInteger(1))
        return false;
      continue;
    }
    if (auto xorOp = llvm::dyn_cast<arith::XOrIOp>(op)) {
      // Only `not`: x xor true, on i1.
      APInt value;
      if (!xorOp.getType().isInteger(1) ||
          !matchPattern(xorOp.getRhs(), m_ConstantInt(&value)) ||
          !value.isOne())
        return false;
      continue;
    }
    if (auto position = llvm::dyn_cast<PositionOp>(op)) {
      if (position.getBatch() != region.getArgument(0))
        return false;
      continue;
    }
    return false;
  }
  return true;
}

MaskAnalysis::MaskAnalysis(AttentionOp op, const AttentionBuffers &buffers)
    : group(op.getGroupSize()), op(op), buffers(buffers) {
  for (Attribute mask : op.getMasks()) {
    if (llvm::isa<CausalMaskAttr>(mask)) {
      intervals.push_back({std::nullopt, 0, 0, 0});
    } else if (auto window = llvm::dyn_cast<SlidingWindowMaskAttr>(mask)) {
      intervals.push_back(
          {window.getLeft(), window.getRight(), 0, window.getSinks()});
    } else if (auto prefix = llvm::dyn_cast<PrefixLMMaskAttr>(mask)) {
      intervals.push_back({std::nullopt, std::nullopt, prefix.getPrefix(), 0});
    } else if (auto na = llvm::dyn_cast<NeighborhoodMaskAttr>(mask)) {
      neighborhoods.push_back(na);
    } else if (llvm::isa<KeyLimitMaskAttr>(mask)) {
      keyLimit = true;
    } else if (llvm::isa<DocumentMaskAttr>(mask)) {
      document = true;
    } else if (auto layout = llvm::dyn_cast<BlockSparseMaskAttr>(mask)) {
      blockLayout = layout;
    } else if (llvm::isa<SelectedTokensMaskAttr>(mask)) {
      selected = true;
    }
  }
  if (!op.getMask().empty()) {
    if (isBoundable(op.getMask()))
      boundedRegion = &op.getMask();
    else
      partialOnly = true;
  }
}

/// The key segments the sink counts of `intervals` cut: [A, B) with B = 0
/// meaning unbounded, and for each the masks whose interval applies there
/// (those whose sinks end at or before A).
static SmallVector<
    std::pair<std::pair<int64_t, int64_t>, SmallVector<const IntervalMask *>>>
getSegments(ArrayRef<IntervalMask> intervals) {
  SmallVector<int64_t> cuts = {0};
  for (const IntervalMask &mask : intervals)
    if (mask.sinks > 0)
      cuts.push_back(mask.sinks);
  llvm::sort(cuts);
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  SmallVector<
      std::pair<std::pair<int64_t, int64_t>, SmallVector<const IntervalMask *>>>
      segments;
  for (size_t s = 0; s < cuts.size(); ++s) {
    int64_t start = cuts[s], end = s + 1 < cuts.size() ? cuts[s + 1] : 0;
    SmallVector<const IntervalMask *> active;
    for (const IntervalMask &mask : intervals)
      if (mask.sinks <= start)
        active.push_back(&mask);
    segments.push_back({{start, end}, active});
  }
  return segments;
}

/// The keys row position `p` keeps in a segment [start, end) under the
/// `active` intervals (the others keep the whole segment as sinks).
static KeyRange keptInSegment(IndexMath &m,
                              ArrayRef<const IntervalMask *> active,
                              int64_t start, int64_t end, Value kvLength,
                              Value p) {
  Value lo = m.c(start);
  Value hi = m.sub(kvLength, m.c(1));
  if (end > 0)
    hi = m.min(hi, m.c(end - 1));
  for (const IntervalMask *mask : active) {
    if (mask->left)
      lo = m.max(lo, m.sub(p, m.c(*mask->left)));
    if (mask->right)
      hi = m.min(hi, m.add(p, m.c(*mask->right)));
    if (mask->prefix > 0)
      hi = m.min(hi, m.max(p, m.c(mask->prefix - 1)));
  }
  return {lo, hi};
}

/// Whether key tile `kt`'s segment ids meet the ids [idLow, idHigh] of the
/// plan's rows (an empty tile's range is empty).
static Value documentMeets(IndexMath &m,
                           const MaskAnalysis::QueryTilePlan &plan, Value kt) {
  Value low = memref::LoadOp::create(m.b, plan.summary.keyIds,
                                     ValueRange{plan.batch, kt, m.c(0)});
  Value high = memref::LoadOp::create(m.b, plan.summary.keyIds,
                                      ValueRange{plan.batch, kt, m.c(1)});
  return m.both(m.le(low, plan.idHigh), m.le(plan.idLow, high));
}

/// The key segment ids (kv_segment_ids, else segment_ids).
static Value keySegmentIds(const AttentionBuffers &buffers) {
  return buffers.kvSegmentIds ? buffers.kvSegmentIds : buffers.segmentIds;
}

void MaskAnalysis::emitSelectedSummary(
    ImplicitLocOpBuilder &b, LaunchSummary &summary, Value batchSize,
    Value keyLen, function_ref<Value(ImplicitLocOpBuilder &, Value)> kvLengthOf,
    int64_t keyTile) const {
  IndexMath m{b};
  Value lists = buffers.selected;
  Value heads = memref::DimOp::create(b, lists, 1);
  Value width = memref::DimOp::create(b, lists, 2);
  Value tiles = m.ceilDiv(keyLen, m.c(keyTile));
  // Padded by a tile, so a whole tile's marks load as one vector.
  Value padded = m.add(keyLen, m.c(keyTile));
  auto dynamic3 = [&](Type element) {
    return MemRefType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic, ShapedType::kDynamic},
        element);
  };
  summary.selectedKeys = memref::AllocOp::create(
      b, dynamic3(b.getI8Type()), ValueRange{batchSize, heads, padded});
  summary.selectedCount = memref::AllocOp::create(
      b, dynamic3(b.getIndexType()), ValueRange{batchSize, heads, tiles});
  m.parallel(batchSize, heads, [&](IndexMath &in, Value batch, Value head) {
    ImplicitLocOpBuilder &ib = in.b;
    Value zero8 = arith::ConstantIntOp::create(ib, ib.getI8Type(), 0);
    Value one8 = arith::ConstantIntOp::create(ib, ib.getI8Type(), 1);
    in.loop(in.c(0), padded, [&](IndexMath &at, Value j) {
      memref::StoreOp::create(at.b, zero8, summary.selectedKeys,
                              ValueRange{batch, head, j});
    });
    // Listed keys in range (-1 pads; the oracle rejects the rest).
    Value kvLength = kvLengthOf(ib, batch);
    in.loop(in.c(0), width, [&](IndexMath &at, Value k) {
      Value j = ScoreEmitter::toIndex(
          at.b,
          memref::LoadOp::create(at.b, lists, ValueRange{batch, head, k}));
      at.when(at.both(at.le(at.c(0), j), at.lt(j, kvLength)),
              [&](IndexMath &then) {
                memref::StoreOp::create(then.b, one8, summary.selectedKeys,
                                        ValueRange{batch, head, j});
              });
    });
    in.loop(in.c(0), tiles, [&](IndexMath &at, Value kt) {
      Value first = at.mul(kt, at.c(keyTile));
      auto count = scf::ForOp::create(
          at.b, first, at.add(first, at.c(keyTile)), at.c(1),
          ValueRange{at.c(0)},
          [&](OpBuilder &inner, Location loc, Value j, ValueRange n) {
            ImplicitLocOpBuilder jb(loc, inner);
            IndexMath add{jb};
            Value mark = memref::LoadOp::create(jb, summary.selectedKeys,
                                                ValueRange{batch, head, j});
            Value marked = arith::CmpIOp::create(
                jb, arith::CmpIPredicate::ne, mark,
                arith::ConstantIntOp::create(jb, jb.getI8Type(), 0));
            scf::YieldOp::create(
                jb,
                ValueRange{add.select(marked, add.add(n[0], add.c(1)), n[0])});
          });
      memref::StoreOp::create(at.b, count.getResult(0), summary.selectedCount,
                              ValueRange{batch, head, kt});
    });
  });
}

MaskAnalysis::LaunchSummary MaskAnalysis::emitLaunchSummary(
    ImplicitLocOpBuilder &b, Value batchSize, Value keyLen,
    function_ref<Value(ImplicitLocOpBuilder &, Value)> kvLengthOf,
    int64_t keyTile) const {
  LaunchSummary summary;
  IndexMath m{b};
  if (selected)
    emitSelectedSummary(b, summary, batchSize, keyLen, kvLengthOf, keyTile);
  if (!document)
    return summary;
  Value tiles = m.ceilDiv(keyLen, m.c(keyTile));
  summary.keyIds = memref::AllocOp::create(
      b,
      MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic, 2},
                      b.getIndexType()),
      ValueRange{batchSize, tiles});
  Value ids = keySegmentIds(buffers);
  m.parallel(batchSize, tiles, [&](IndexMath &in, Value batch, Value kt) {
    ImplicitLocOpBuilder &ib = in.b;
    Value first = in.mul(kt, in.c(keyTile));
    Value end = in.min(in.add(first, in.c(keyTile)), kvLengthOf(ib, batch));
    auto range = scf::ForOp::create(
        ib, first, in.max(end, first), in.c(1),
        ValueRange{in.c(std::numeric_limits<int32_t>::max()),
                   in.c(std::numeric_limits<int32_t>::min())},
        [&](OpBuilder &inner, Location loc, Value j, ValueRange lowHigh) {
          ImplicitLocOpBuilder jb(loc, inner);
          IndexMath at{jb};
          Value id = ScoreEmitter::toIndex(
              jb, ScoreEmitter::loadBroadcast(jb, ids, {batch, j}));
          scf::YieldOp::create(
              jb, ValueRange{at.min(lowHigh[0], id), at.max(lowHigh[1], id)});
        });
    memref::StoreOp::create(ib, range.getResult(0), summary.keyIds,
                            ValueRange{batch, kt, in.c(0)});
    memref::StoreOp::create(ib, range.getResult(1), summary.keyIds,
                            ValueRange{batch, kt, in.c(1)});
  });
  return summary;
}

void MaskAnalysis::emitLaunchSummaryRelease(
    ImplicitLocOpBuilder &b, const LaunchSummary &summary) const {
  for (Value buffer :
       {summary.keyIds, summary.selectedKeys, summary.selectedCount})
    if (buffer)
      memref::DeallocOp::create(b, buffer);
}

Value MaskAnalysis::emitSummaryChecksum(ImplicitLocOpBuilder &b,
                                        const LaunchSummary &summary) const {
  IndexMath m{b};
  Value total = m.c(0);
  for (Value buffer : {summary.keyIds, summary.selectedCount}) {
    if (!buffer)
      continue;
    auto type = llvm::cast<MemRefType>(buffer.getType());
    // Nested loops over every dimension, adding each entry.
    std::function<Value(IndexMath &, unsigned, SmallVector<Value>, Value)> sum =
        [&](IndexMath &at, unsigned dim, SmallVector<Value> indices,
            Value acc) -> Value {
      if (dim == type.getRank())
        return at.add(acc, memref::LoadOp::create(at.b, buffer, indices));
      auto loop = scf::ForOp::create(
          at.b, at.c(0), memref::DimOp::create(at.b, buffer, dim), at.c(1),
          ValueRange{acc},
          [&](OpBuilder &nested, Location loc, Value iv, ValueRange state) {
            ImplicitLocOpBuilder ib(loc, nested);
            IndexMath in{ib};
            SmallVector<Value> next = indices;
            next.push_back(iv);
            scf::YieldOp::create(ib, sum(in, dim + 1, next, state[0]));
          });
      return loop.getResult(0);
    };
    total = sum(m, 0, {}, total);
  }
  return total;
}

std::pair<Value, Value> MaskAnalysis::emitRowRange(
    ImplicitLocOpBuilder &b, const QueryTile &tile,
    function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> value) const {
  IndexMath m{b};
  auto range = scf::ForOp::create(
      b, m.c(0), tile.liveRows, m.c(1),
      ValueRange{m.c(std::numeric_limits<int32_t>::max()),
                 m.c(std::numeric_limits<int32_t>::min())},
      [&](OpBuilder &nested, Location loc, Value r, ValueRange lowHigh) {
        ImplicitLocOpBuilder ib(loc, nested);
        IndexMath in{ib};
        Value t = in.add(tile.firstRow, r);
        Value i = in.div(t, in.c(group));
        Value h =
            in.add(in.mul(tile.kvHead, in.c(group)), in.rem(t, in.c(group)));
        Value v = value(ib, i, h);
        scf::YieldOp::create(
            ib, ValueRange{in.min(lowHigh[0], v), in.max(lowHigh[1], v)});
      });
  return {range.getResult(0), range.getResult(1)};
}

MaskAnalysis::QueryTilePlan
MaskAnalysis::emitQueryTilePlan(ImplicitLocOpBuilder &b, const QueryTile &tile,
                                const LaunchSummary &summary,
                                int64_t keyTile) const {
  IndexMath m{b};
  QueryTilePlan plan;
  Value pMin = tile.pMin, pMax = tile.pMax, kvLength = tile.kvLength;
  plan.pMin = pMin;
  plan.pMax = pMax;
  plan.kvLength = kvLength;
  plan.batch = tile.batch;
  plan.kvHead = tile.kvHead;
  plan.firstRow = tile.firstRow;
  plan.liveRows = tile.liveRows;
  plan.summary = summary;
  // Keys [lowest, highest] hold every kept pair of the tile.
  Value lowest = m.c(0), highest = m.sub(kvLength, m.c(1));
  if (!intervals.empty()) {
    // The union over segments of the keys some row keeps.
    Value none = m.c(std::numeric_limits<int32_t>::max());
    Value segLow = none, segHigh = m.c(-1);
    for (auto &[bounds, active] : getSegments(intervals)) {
      KeyRange some =
          keptInSegment(m, active, bounds.first, bounds.second, kvLength, pMin);
      some.hi =
          keptInSegment(m, active, bounds.first, bounds.second, kvLength, pMax)
              .hi;
      Value nonEmpty = m.le(some.lo, some.hi);
      segLow = m.select(nonEmpty, m.min(segLow, some.lo), segLow);
      segHigh = m.select(nonEmpty, m.max(segHigh, some.hi), segHigh);
    }
    lowest = m.max(lowest, segLow);
    highest = m.min(highest, segHigh);
  }
  for (NeighborhoodMaskAttr mask : neighborhoods) {
    int64_t tokens = 1;
    for (int64_t extent : mask.getGrid())
      tokens *= extent;
    int64_t tiles = (tokens + keyTile - 1) / keyTile;
    Value touched =
        memref::AllocaOp::create(b, MemRefType::get({tiles}, b.getI8Type()));
    Value covered =
        memref::AllocaOp::create(b, MemRefType::get({tiles}, b.getIndexType()));
    m.loop(m.c(0), m.c(tiles), [&](IndexMath &in, Value kt) {
      memref::StoreOp::create(
          in.b, arith::ConstantIntOp::create(in.b, in.b.getI8Type(), 0),
          touched, kt);
      memref::StoreOp::create(in.b, in.c(0), covered, kt);
    });
    Value low, high;
    emitNeighborhoodMarks(b, mask, plan, touched, covered, low, high, keyTile);
    lowest = m.max(lowest, low);
    highest = m.min(highest, high);
    plan.touched.push_back(touched);
    plan.covered.push_back(covered);
  }
  if (keyLimit) {
    std::tie(plan.limitLow, plan.limitHigh) =
        emitRowRange(b, tile, [&](ImplicitLocOpBuilder &ib, Value i, Value h) {
          return ScoreEmitter::loadKeyLimit(ib, buffers, tile.batch, h, i);
        });
    highest = m.min(highest, m.sub(plan.limitHigh, m.c(1)));
  }
  if (document) {
    std::tie(plan.idLow, plan.idHigh) =
        emitRowRange(b, tile, [&](ImplicitLocOpBuilder &ib, Value i, Value) {
          return ScoreEmitter::toIndex(
              ib, ScoreEmitter::loadBroadcast(ib, buffers.segmentIds,
                                              {tile.batch, i}));
        });
    // The first and last key tiles whose ids meet the rows' ids.
    Value tiles = m.ceilDiv(kvLength, m.c(keyTile));
    auto scan = scf::ForOp::create(
        b, m.c(0), tiles, m.c(1), ValueRange{tiles, m.c(-1)},
        [&](OpBuilder &nested, Location loc, Value kt, ValueRange firstLast) {
          ImplicitLocOpBuilder ib(loc, nested);
          IndexMath in{ib};
          Value meets = documentMeets(in, plan, kt);
          scf::YieldOp::create(
              ib, ValueRange{
                      in.select(meets, in.min(firstLast[0], kt), firstLast[0]),
                      in.select(meets, kt, firstLast[1])});
        });
    lowest = m.max(lowest, m.mul(scan.getResult(0), m.c(keyTile)));
    highest = m.min(
        highest,
        m.sub(m.mul(m.add(scan.getResult(1), m.c(1)), m.c(keyTile)), m.c(1)));
  }
  Value tileSize = m.c(keyTile);
  plan.first = m.floorDiv(lowest, tileSize);
  Value last = m.add(m.floorDiv(highest, tileSize), m.c(1));
  // No live row, or no key kept: no tile.
  Value empty = m.either(m.lt(pMax, pMin), m.lt(highest, lowest));
  plan.last = m.select(empty, plan.first, m.max(last, plan.first));
  return plan;
}

void MaskAnalysis::emitNeighborhoodMarks(ImplicitLocOpBuilder &b,
                                         NeighborhoodMaskAttr mask,
                                         QueryTilePlan &plan, Value touched,
                                         Value covered, Value &lowest,
                                         Value &highest,
                                         int64_t keyTile) const {
  IndexMath m{b};
  ArrayRef<int64_t> grid = mask.getGrid();
  int64_t dims = grid.size(), tokens = 1;
  SmallVector<int64_t> strides(dims);
  for (int64_t d = dims - 1; d >= 0; --d) {
    strides[d] = tokens;
    tokens *= grid[d];
  }
  int64_t tiles = (tokens + keyTile - 1) / keyTile;
  Value tile = m.c(keyTile);
  // Positions inside the grid (the others are errors the oracle reports).
  Value first = m.max(plan.pMin, m.c(0));
  Value last = m.min(plan.pMax, m.c(tokens - 1));
  plan.positions.push_back(m.max(m.c(0), m.add(m.sub(last, first), m.c(1))));
  // Key hull [state[0], state[1]]; the pending contiguous run of the
  // current position [state[2], state[3]] (none while state[3] < state[2]).
  Value state =
      memref::AllocaOp::create(b, MemRefType::get({4}, b.getIndexType()));
  auto get = [&](IndexMath &in, int64_t k) -> Value {
    return memref::LoadOp::create(in.b, state, in.c(k));
  };
  auto set = [&](IndexMath &in, int64_t k, Value v) {
    memref::StoreOp::create(in.b, v, state, in.c(k));
  };
  set(m, 0, m.c(tokens));
  set(m, 1, m.c(-1));
  Value kvLength = m.min(plan.kvLength, m.c(tokens));

  // Marks the tiles of a run [lo, hi] in steps of `step`.
  auto touch = [&](IndexMath &in, Value lo, Value hi, int64_t step,
                   Value startW, Value endW, Value base) {
    set(in, 0, in.min(get(in, 0), lo));
    set(in, 1, in.max(get(in, 1), hi));
    Value one = arith::ConstantIntOp::create(in.b, in.b.getI8Type(), 1);
    if (step <= keyTile) {
      // Every tile between the run's ends holds a member.
      in.loop(in.div(lo, tile), in.add(in.div(hi, tile), in.c(1)),
              [&](IndexMath &body, Value kt) {
                memref::StoreOp::create(body.b, one, touched, kt);
              });
      return;
    }
    in.loop(startW, in.add(endW, in.c(1)), [&](IndexMath &body, Value w) {
      Value key = body.add(base, body.mul(w, body.c(step)));
      memref::StoreOp::create(body.b, one, touched, body.div(key, tile));
    });
  };
  // Counts the position as covering every tile inside [lo, hi].
  auto cover = [&](IndexMath &in, Value lo, Value hi) {
    Value from = in.ceilDiv(lo, tile);
    Value end = in.add(hi, in.c(1));
    // The last tile ends early at the key length.
    Value to = in.select(in.eq(end, kvLength), in.ceilDiv(end, tile),
                         in.div(end, tile));
    in.loop(from, in.min(to, in.c(tiles)), [&](IndexMath &body, Value kt) {
      Value n = memref::LoadOp::create(body.b, covered, kt);
      memref::StoreOp::create(body.b, body.add(n, body.c(1)), covered, kt);
    });
  };
  // Adds a contiguous run to the pending one, or flushes that first.
  auto extend = [&](IndexMath &in, Value lo, Value hi) {
    Value pendingHi = get(in, 3);
    Value joins = in.both(in.le(get(in, 2), pendingHi),
                          in.le(lo, in.add(pendingHi, in.c(1))));
    scf::IfOp::create(
        in.b, joins,
        [&](OpBuilder &nested, Location loc) {
          ImplicitLocOpBuilder ib(loc, nested);
          IndexMath then{ib};
          set(then, 3, then.max(pendingHi, hi));
          scf::YieldOp::create(ib);
        },
        [&](OpBuilder &nested, Location loc) {
          ImplicitLocOpBuilder ib(loc, nested);
          IndexMath other{ib};
          other.when(other.le(get(other, 2), get(other, 3)),
                     [&](IndexMath &f) { cover(f, get(f, 2), get(f, 3)); });
          set(other, 2, lo);
          set(other, 3, hi);
          scf::YieldOp::create(ib);
        });
  };

  int64_t lastDilation = mask.getDilationAt(dims - 1);
  m.loop(first, m.add(last, m.c(1)), [&](IndexMath &in, Value p) {
    set(in, 2, in.c(0));
    set(in, 3, in.c(-1));
    // Sinks first: keys [0, n), only up to p with a causal dimension.
    if (mask.getSinks() > 0) {
      Value end = in.c(std::min(mask.getSinks(), tokens) - 1);
      if (mask.isAnyCausal())
        end = in.min(end, p);
      in.when(in.le(in.c(0), end), [&](IndexMath &s) {
        touch(s, s.c(0), end, 1, Value(), Value(), Value());
        extend(s, s.c(0), end);
      });
    }
    // Per dimension: the dilation group and the window of group indices.
    SmallVector<Value> group(dims), startW(dims), endW(dims);
    Value rest = p;
    for (int64_t d = dims - 1; d >= 0; --d) {
      Value coord = in.rem(rest, in.c(grid[d]));
      rest = in.div(rest, in.c(grid[d]));
      NeighborhoodWindow window = emitNeighborhoodWindow(in.b, mask, d, coord);
      group[d] = window.group;
      startW[d] = window.start;
      endW[d] = window.end;
    }
    // Runs: every combination of the outer dimensions' kept coordinates,
    // each a run over the last dimension.
    std::function<void(IndexMath &, int64_t, Value)> outer =
        [&](IndexMath &at, int64_t d, Value base) {
          if (d == dims - 1) {
            Value origin = at.add(base, group[d]);
            Value lo = at.add(origin, at.mul(startW[d], at.c(lastDilation)));
            Value hi = at.add(origin, at.mul(endW[d], at.c(lastDilation)));
            touch(at, lo, hi, lastDilation, startW[d], endW[d], origin);
            if (lastDilation == 1)
              extend(at, lo, hi);
            return;
          }
          at.loop(startW[d], at.add(endW[d], at.c(1)),
                  [&](IndexMath &body, Value w) {
                    Value coord = body.add(
                        group[d], body.mul(w, body.c(mask.getDilationAt(d))));
                    outer(body, d + 1,
                          body.add(base, body.mul(coord, body.c(strides[d]))));
                  });
        };
    outer(in, 0, in.c(0));
    in.when(in.le(get(in, 2), get(in, 3)),
            [&](IndexMath &f) { cover(f, get(f, 2), get(f, 3)); });
  });
  lowest = get(m, 0);
  highest = get(m, 1);
}

Value MaskAnalysis::emitTileStatus(ImplicitLocOpBuilder &b,
                                   const QueryTilePlan &plan, Value kt,
                                   int64_t keyTile) const {
  IndexMath m{b};
  // Keys [t0, t1] of the tile.
  Value t0 = m.mul(kt, m.c(keyTile));
  Value t1 = m.sub(m.min(m.add(t0, m.c(keyTile)), plan.kvLength), m.c(1));
  Value status = m.c(static_cast<int64_t>(TileStatus::Full));
  if (!intervals.empty()) {
    Value any = m.truth(false), all = m.truth(true);
    for (auto &[bounds, active] : getSegments(intervals)) {
      // The tile's piece [a, c] of the segment.
      Value a = m.max(t0, m.c(bounds.first));
      Value c = bounds.second > 0 ? m.min(t1, m.c(bounds.second - 1)) : t1;
      Value present = m.le(a, c);
      KeyRange atMin = keptInSegment(m, active, bounds.first, bounds.second,
                                     plan.kvLength, plan.pMin);
      KeyRange atMax = keptInSegment(m, active, bounds.first, bounds.second,
                                     plan.kvLength, plan.pMax);
      // Some row keeps a key of the piece: it meets [lo(pMin), hi(pMax)].
      Value some =
          m.both(present, m.le(m.max(a, atMin.lo), m.min(c, atMax.hi)));
      // Every row keeps all of it: it lies in [lo(pMax), hi(pMin)].
      Value every = m.either(m.ne(present, m.truth(true)),
                             m.both(m.le(atMax.lo, a), m.le(c, atMin.hi)));
      any = m.either(any, some);
      all = m.both(all, every);
    }
    status = m.select(any,
                      m.select(all, m.c(int64_t(TileStatus::Full)),
                               m.c(int64_t(TileStatus::Partial))),
                      m.c(int64_t(TileStatus::Skipped)));
  }
  for (auto [mask, touched, covered, positions] :
       llvm::zip(neighborhoods, plan.touched, plan.covered, plan.positions)) {
    int64_t tokens = 1;
    for (int64_t extent : mask.getGrid())
      tokens *= extent;
    int64_t tiles = (tokens + keyTile - 1) / keyTile;
    // Past the grid nothing is kept (and the arrays end).
    Value inGrid = m.lt(kt, m.c(tiles));
    Value at = m.min(kt, m.c(tiles - 1));
    Value mark = memref::LoadOp::create(b, touched, at);
    Value isTouched =
        m.both(inGrid, arith::CmpIOp::create(
                           b, arith::CmpIPredicate::ne, mark,
                           arith::ConstantIntOp::create(b, b.getI8Type(), 0)));
    Value full = m.eq(memref::LoadOp::create(b, covered, at), positions);
    Value own = m.select(isTouched,
                         m.select(full, m.c(int64_t(TileStatus::Full)),
                                  m.c(int64_t(TileStatus::Partial))),
                         m.c(int64_t(TileStatus::Skipped)));
    status = m.min(status, own);
  }
  if (keyLimit) {
    // Some row keeps the tile's first key; every row keeps its last.
    Value own = m.select(m.lt(t0, plan.limitHigh),
                         m.select(m.lt(t1, plan.limitLow),
                                  m.c(int64_t(TileStatus::Full)),
                                  m.c(int64_t(TileStatus::Partial))),
                         m.c(int64_t(TileStatus::Skipped)));
    status = m.min(status, own);
  }
  if (document) {
    Value low = memref::LoadOp::create(b, plan.summary.keyIds,
                                       ValueRange{plan.batch, kt, m.c(0)});
    Value high = memref::LoadOp::create(b, plan.summary.keyIds,
                                        ValueRange{plan.batch, kt, m.c(1)});
    Value one = m.both(m.eq(plan.idLow, plan.idHigh),
                       m.both(m.eq(low, high), m.eq(low, plan.idLow)));
    Value own = m.select(documentMeets(m, plan, kt),
                         m.select(one, m.c(int64_t(TileStatus::Full)),
                                  m.c(int64_t(TileStatus::Partial))),
                         m.c(int64_t(TileStatus::Skipped)));
    status = m.min(status, own);
  }
  if (blockLayout)
    status = m.min(status, emitBlockLayoutStatus(b, plan, t0, t1));
  if (selected)
    status = m.min(status, emitSelectedStatus(b, plan, kt, t0, t1));
  if (boundedRegion)
    status = m.min(status, emitRegionStatus(b, plan, t0, t1));
  if (partialOnly)
    status = m.min(status, m.c(int64_t(TileStatus::Partial)));
  return status;
}

Value MaskAnalysis::emitRegionStatus(ImplicitLocOpBuilder &b,
                                     const QueryTilePlan &plan, Value t0,
                                     Value t1) const {
  IndexMath m{b};
  Block &body = boundedRegion->front();
  DenseMap<Value, KeyRange> bounds;
  Value lastRow = m.sub(m.add(plan.firstRow, plan.liveRows), m.c(1));
  Value iLow = m.div(plan.firstRow, m.c(group));
  Value iHigh = m.div(lastRow, m.c(group));
  // p(i) - i of the tile's batch entry.
  Value offset = m.sub(plan.pMin, iLow);
  bounds[body.getArgument(0)] = {plan.batch, plan.batch};
  bounds[body.getArgument(1)] = {
      m.mul(plan.kvHead, m.c(group)),
      m.add(m.mul(plan.kvHead, m.c(group)), m.c(group - 1))};
  bounds[body.getArgument(2)] = {iLow, iHigh};
  bounds[body.getArgument(3)] = {t0, t1};
  Value big = m.c(std::numeric_limits<int32_t>::max());
  Value small = m.c(std::numeric_limits<int32_t>::min());
  Value zero = m.c(0), one = m.c(1);
  // An i1 interval as {0, 1} indices; comparisons give their lo (always
  // true) and hi (possibly true).
  auto boolean = [&](Value always, Value possibly) -> KeyRange {
    return {m.select(always, one, zero), m.select(possibly, one, zero)};
  };
  auto isTrue = [&](Value x) { return m.eq(x, one); };
  for (Operation &inner : body.without_terminator()) {
    auto get = [&](unsigned n) { return bounds.lookup(inner.getOperand(n)); };
    KeyRange r;
    if (auto constant = llvm::dyn_cast<arith::ConstantOp>(inner)) {
      auto value = llvm::cast<IntegerAttr>(constant.getValue());
      int64_t v = value.getType().isInteger(1)
                      ? value.getValue().getZExtValue()
                      : value.getValue().getSExtValue();
      r = {m.c(v), m.c(v)};
    } else if (llvm::isa<arith::AddIOp>(inner)) {
      r = {m.add(get(0).lo, get(1).lo), m.add(get(0).hi, get(1).hi)};
    } else if (llvm::isa<arith::SubIOp>(inner)) {
      r = {m.sub(get(0).lo, get(1).hi), m.sub(get(0).hi, get(1).lo)};
    } else if (llvm::isa<arith::MulIOp>(inner)) {
      Value products[4] = {
          m.mul(get(0).lo, get(1).lo), m.mul(get(0).lo, get(1).hi),
          m.mul(get(0).hi, get(1).lo), m.mul(get(0).hi, get(1).hi)};
      r = {m.min(m.min(products[0], products[1]),
                 m.min(products[2], products[3])),
           m.max(m.max(products[0], products[1]),
                 m.max(products[2], products[3]))};
    } else if (llvm::isa<arith::MinSIOp>(inner)) {
      r = {m.min(get(0).lo, get(1).lo), m.min(get(0).hi, get(1).hi)};
    } else if (llvm::isa<arith::MaxSIOp>(inner)) {
      r = {m.max(get(0).lo, get(1).lo), m.max(get(0).hi, get(1).hi)};
    } else if (llvm::isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp,
                         arith::CeilDivSIOp>(inner)) {
      // Monotone in the dividend for a positive divisor; unsigned division
      // of a possibly negative value: anything.
      Value c = m.c(positiveConstant(inner.getOperand(1)));
      KeyRange x = get(0);
      auto apply = [&](Value v) -> Value {
        if (llvm::isa<arith::FloorDivSIOp>(inner))
          return m.floorDiv(v, c);
        if (llvm::isa<arith::CeilDivSIOp>(inner))
          return m.ceilDiv(v, c);
        return m.div(v, c);
      };
      r = {apply(x.lo), apply(x.hi)};
      if (llvm::isa<arith::DivUIOp>(inner)) {
        Value negative = m.lt(x.lo, zero);
        r = {m.select(negative, small, r.lo), m.select(negative, big, r.hi)};
      }
    } else if (llvm::isa<arith::RemSIOp, arith::RemUIOp>(inner)) {
      // Within one period of a non-negative range, x mod c is monotone;
      // otherwise [0, c - 1]; a negative range: anything.
      int64_t divisor = positiveConstant(inner.getOperand(1));
      Value c = m.c(divisor);
      KeyRange x = get(0);
      Value samePeriod = m.eq(m.div(x.lo, c), m.div(x.hi, c));
      Value negative = m.lt(x.lo, zero);
      r = {
          m.select(negative, small, m.select(samePeriod, m.rem(x.lo, c), zero)),
          m.select(negative, big,
                   m.select(samePeriod, m.rem(x.hi, c), m.c(divisor - 1)))};
    } else if (auto cmp = llvm::dyn_cast<arith::CmpIOp>(inner)) {
      using P = arith::CmpIPredicate;
      KeyRange x = get(0), y = get(1);
      switch (cmp.getPredicate()) {
      case P::slt:
        r = boolean(m.lt(x.hi, y.lo), m.lt(x.lo, y.hi));
        break;
      case P::sle:
        r = boolean(m.le(x.hi, y.lo), m.le(x.lo, y.hi));
        break;
      case P::sgt:
        r = boolean(m.lt(y.hi, x.lo), m.lt(y.lo, x.hi));
        break;
      case P::sge:
        r = boolean(m.le(y.hi, x.lo), m.le(y.lo, x.hi));
        break;
      case P::eq:
      case P::ne: {
        Value single = m.both(m.eq(x.lo, x.hi),
                              m.both(m.eq(y.lo, y.hi), m.eq(x.lo, y.lo)));
        Value overlap = m.both(m.le(x.lo, y.hi), m.le(y.lo, x.hi));
        r = cmp.getPredicate() == P::eq ? boolean(single, overlap)
                                        : boolean(m.ne(overlap, m.truth(true)),
                                                  m.ne(single, m.truth(true)));
        break;
      }
      default:
        llvm_unreachable("isBoundable() admits only these predicates");
      }
    } else if (llvm::isa<arith::AndIOp>(inner)) {
      r = {m.min(get(0).lo, get(1).lo), m.min(get(0).hi, get(1).hi)};
    } else if (llvm::isa<arith::OrIOp>(inner)) {
      r = {m.max(get(0).lo, get(1).lo), m.max(get(0).hi, get(1).hi)};
    } else if (llvm::isa<arith::XOrIOp>(inner)) {
      r = {m.sub(one, get(0).hi), m.sub(one, get(0).lo)}; // not
    } else if (llvm::isa<arith::SelectOp>(inner)) {
      KeyRange c = get(0), x = get(1), y = get(2);
      Value lo = m.min(x.lo, y.lo), hi = m.max(x.hi, y.hi);
      r = {m.select(isTrue(c.lo), x.lo, m.select(isTrue(c.hi), lo, y.lo)),
           m.select(isTrue(c.lo), x.hi, m.select(isTrue(c.hi), hi, y.hi))};
    } else if (llvm::isa<arith::IndexCastOp, arith::ExtSIOp, arith::ExtUIOp>(
                   inner)) {
      r = get(0);
    } else if (llvm::isa<PositionOp>(inner)) {
      KeyRange i = get(1);
      r = {m.add(i.lo, offset), m.add(i.hi, offset)};
    } else {
      llvm_unreachable("isBoundable() admits only the ops above");
    }
    bounds[inner.getResult(0)] = r;
  }
  KeyRange keep = bounds.lookup(body.getTerminator()->getOperand(0));
  return m.select(m.eq(keep.hi, zero), m.c(int64_t(TileStatus::Skipped)),
                  m.select(isTrue(keep.lo), m.c(int64_t(TileStatus::Full)),
                           m.c(int64_t(TileStatus::Partial))));
}

/// From "some" and "all" (i1): the TileStatus.
static Value statusOf(IndexMath &m, Value some, Value all) {
  return m.select(some,
                  m.select(all, m.c(int64_t(TileStatus::Full)),
                           m.c(int64_t(TileStatus::Partial))),
                  m.c(int64_t(TileStatus::Skipped)));
}

/// Over the G heads of the plan's tile, "some" (OR) and "all" (AND) of what
/// `head(in, g, iLo, iHi, head)` says of each head present in the tile: head
/// g's queries are [iLo, iHi] among the live rows t = i * G + g.
static Value emitOverTileHeads(
    IndexMath &m, const MaskAnalysis::QueryTilePlan &plan, int64_t group,
    function_ref<std::pair<Value, Value>(IndexMath &, Value, Value, Value)>
        head) {
  Value lastRow = m.sub(m.add(plan.firstRow, plan.liveRows), m.c(1));
  auto heads = scf::ForOp::create(
      m.b, m.c(0), m.c(group), m.c(1),
      ValueRange{m.truth(false), m.truth(true)},
      [&](OpBuilder &nested, Location loc, Value g, ValueRange someAll) {
        ImplicitLocOpBuilder ib(loc, nested);
        IndexMath in{ib};
        Value iLo =
            in.max(in.ceilDiv(in.sub(plan.firstRow, g), in.c(group)), in.c(0));
        Value iHi = in.floorDiv(in.sub(lastRow, g), in.c(group));
        Value present = in.le(iLo, iHi);
        Value h = in.add(in.mul(plan.kvHead, in.c(group)), g);
        auto [some, all] = head(in, iLo, iHi, h);
        scf::YieldOp::create(
            ib, ValueRange{
                    in.either(someAll[0], in.both(present, some)),
                    in.both(someAll[1],
                            in.either(in.ne(present, in.truth(true)), all))});
      });
  return statusOf(m, heads.getResult(0), heads.getResult(1));
}

Value MaskAnalysis::emitBlockLayoutStatus(ImplicitLocOpBuilder &b,
                                          const QueryTilePlan &plan, Value t0,
                                          Value t1) const {
  IndexMath m{b};
  Value qBlock = m.c(blockLayout.getQBlock());
  Value kBlock = m.c(blockLayout.getKvBlock());
  // Per head: any / every layout entry (qb, kb) over its query blocks and
  // the tile's key blocks.
  return emitOverTileHeads(
      m, plan, group, [&](IndexMath &in, Value iLo, Value iHi, Value head) {
        Value kbFirst = in.div(t0, kBlock), kbLast = in.div(t1, kBlock);
        // An absent head (iLo > iHi) loops over nothing.
        Value qbEnd =
            in.select(in.le(iLo, iHi), in.add(in.div(iHi, qBlock), in.c(1)),
                      in.div(iLo, qBlock));
        auto blocks = scf::ForOp::create(
            in.b, in.div(iLo, qBlock), qbEnd, in.c(1),
            ValueRange{in.truth(false), in.truth(true)},
            [&](OpBuilder &inner, Location loc, Value qb, ValueRange acc) {
              ImplicitLocOpBuilder jb(loc, inner);
              IndexMath at{jb};
              auto keys = scf::ForOp::create(
                  jb, kbFirst, at.add(kbLast, at.c(1)), at.c(1), acc,
                  [&](OpBuilder &innermost, Location loc, Value kb,
                      ValueRange state) {
                    ImplicitLocOpBuilder kb2(loc, innermost);
                    IndexMath x{kb2};
                    Value kept = emitBlockLayoutKeep(kb2, op, buffers,
                                                     plan.batch, head, qb, kb);
                    scf::YieldOp::create(kb2,
                                         ValueRange{x.either(state[0], kept),
                                                    x.both(state[1], kept)});
                  });
              scf::YieldOp::create(jb, keys.getResults());
            });
        return std::make_pair(blocks.getResult(0), blocks.getResult(1));
      });
}

Value MaskAnalysis::emitSelectedStatus(ImplicitLocOpBuilder &b,
                                       const QueryTilePlan &plan, Value kt,
                                       Value t0, Value t1) const {
  IndexMath m{b};
  Value cols = m.add(m.sub(t1, t0), m.c(1));
  // Per head: its selection's count in this tile, some or all of it.
  return emitOverTileHeads(
      m, plan, group, [&](IndexMath &in, Value, Value, Value head) {
        Value count = memref::LoadOp::create(
            in.b, plan.summary.selectedCount,
            ValueRange{plan.batch, emitSelectionHead(in.b, op, head), kt});
        return std::make_pair(in.lt(in.c(0), count), in.eq(count, cols));
      });
}

QueryTileRows mlir::attn::emitQueryTileRows(ImplicitLocOpBuilder &b,
                                            AttentionOp op, Value tileIndex,
                                            int64_t queryTile, Value queryLen,
                                            Value rowCount, Value kvLength,
                                            std::optional<int64_t> rowGroup) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  Value zero = cst(0), group = cst(rowGroup.value_or(op.getGroupSize()));
  QueryTileRows rows;
  rows.firstRow = arith::MulIOp::create(b, tileIndex, cst(queryTile));
  rows.tileRows = arith::MinSIOp::create(
      b, cst(queryTile),
      arith::SubIOp::create(b, arith::MulIOp::create(b, queryLen, group),
                            rows.firstRow));
  rows.liveRows = arith::MaxSIOp::create(
      b, zero,
      arith::MinSIOp::create(
          b, rows.tileRows,
          arith::SubIOp::create(b, arith::MulIOp::create(b, rowCount, group),
                                rows.firstRow)));
  rows.offset = op.getAlignment() == Alignment::top_left
                    ? zero
                    : Value(arith::SubIOp::create(b, kvLength, rowCount));
  rows.pMin = arith::AddIOp::create(
      b, arith::DivUIOp::create(b, rows.firstRow, group), rows.offset);
  Value lastRow = arith::SubIOp::create(
      b, arith::AddIOp::create(b, rows.firstRow, rows.liveRows), cst(1));
  rows.pMax = arith::AddIOp::create(
      b, arith::DivSIOp::create(b, lastRow, group), rows.offset);
  return rows;
}
