//===- ScoreEmitter.cpp - Masks and modifiers as IR -----------------------===//
//
// One function per concept: each named mask is a comparison of j against
// p(i) or a loaded datum, each modifier an f32 expression, in the order
// VARIANTS.md gives. Regions are inlined with their captures read from
// buffers.
//
//===----------------------------------------------------------------------===//

#include "ScoreEmitter.h"

#include "MaskAnalysis.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::attn;

AttentionBuffers
mlir::attn::collectAttentionBuffers(AttentionOp op,
                                    function_ref<Value(Value)> buffer) {
  AttentionBuffers buffers;
  buffers.query = buffer(op.getQuery());
  buffers.key = buffer(op.getKey());
  buffers.value = buffer(op.getValue());
  buffers.qLen = buffer(op.getQLen());
  buffers.pageTable = buffer(op.getPageTable());
  buffers.kvLen = buffer(op.getKvLen());
  buffers.segmentIds = buffer(op.getSegmentIds());
  buffers.kvSegmentIds = buffer(op.getKvSegmentIds());
  buffers.keyLimit = buffer(op.getKeyLimit());
  buffers.blockLayout = buffer(op.getBlockLayout());
  buffers.selected = buffer(op.getSelected());
  buffers.alibiSlopes = buffer(op.getAlibiSlopes());
  buffers.positionTable = buffer(op.getPositionTable());
  buffers.gate = buffer(op.getGate());
  for (Value v : op.getTemperature())
    buffers.temperature.push_back(buffer(v));
  for (Value v : op.getBias())
    buffers.bias.push_back(buffer(v));
  for (Value v : op.getCaptures())
    buffers.captures.push_back(buffer(v));
  return buffers;
}

Value ScoreEmitter::emitDirectWeights(ImplicitLocOpBuilder &b,
                                      Attribute normalizer, Value scores,
                                      Value keptCount) {
  Type type = scores.getType();
  auto splat = [&](Value scalar) -> Value {
    if (llvm::isa<VectorType>(type))
      return vector::BroadcastOp::create(b, type, scalar);
    return scalar;
  };
  auto constant = [&](double v) {
    return splat(arith::ConstantOp::create(b, b.getF32FloatAttr(v)));
  };
  Value zero = constant(0.0), one = constant(1.0);
  if (auto softplus = llvm::dyn_cast<SoftplusAttr>(normalizer)) {
    // softplus(s) = max(s, 0) + log1p(exp(-|s|)).
    Value sp = arith::AddFOp::create(
        b, arith::MaximumFOp::create(b, scores, zero),
        math::Log1pOp::create(
            b,
            math::ExpOp::create(
                b, arith::NegFOp::create(b, math::AbsFOp::create(b, scores)))));
    double g = softplus.getPower().convertToDouble();
    return g == 1.0 ? sp : Value(math::PowFOp::create(b, sp, constant(g)));
  }
  if (auto relu = llvm::dyn_cast<ReluAttr>(normalizer)) {
    Value positive = arith::MaximumFOp::create(b, scores, zero);
    double power = relu.getPower().convertToDouble();
    return power == 1.0
               ? positive
               : Value(math::PowFOp::create(b, positive, constant(power)));
  }
  if (auto sigmoid = llvm::dyn_cast<SigmoidAttr>(normalizer)) {
    // b = -log(n_i) with log_length, else the constant bias. A row with no
    // kept key takes b = 0: its masked scores (-inf) must still weigh 0,
    // where -inf + log(0) would be NaN.
    Value bias =
        sigmoid.getLogLength()
            ? splat(arith::NegFOp::create(
                  b,
                  math::LogOp::create(b, arith::MaximumFOp::create(
                                             b, keptCount,
                                             arith::ConstantOp::create(
                                                 b, b.getF32FloatAttr(1.0))))))
            : constant(sigmoid.getBias().convertToDouble());
    Value x = arith::AddFOp::create(b, scores, bias);
    return arith::DivFOp::create(
        b, one,
        arith::AddFOp::create(
            b, one, math::ExpOp::create(b, arith::NegFOp::create(b, x))));
  }
  // none: w = s, a masked key weighs 0.
  Value isMasked =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, scores,
                            constant(-std::numeric_limits<float>::infinity()));
  return arith::SelectOp::create(b, isMasked, zero, scores);
}

SmallVector<Value> mlir::attn::emitKeyIndices(ImplicitLocOpBuilder &b,
                                              const AttentionBuffers &buffers,
                                              Value cache, Value batch,
                                              Value kvHead, Value j, Value d) {
  if (!buffers.pageTable)
    return {batch, kvHead, j, d};
  Value pageSize = memref::DimOp::create(b, cache, 1);
  Value slot = ScoreEmitter::toIndex(
      b, memref::LoadOp::create(
             b, buffers.pageTable,
             ValueRange{batch, arith::DivUIOp::create(b, j, pageSize)}));
  // The runtime rejects page tables that point outside the cache; the clamp
  // keeps a kernel called without it from reading out of bounds.
  Value lastPage = arith::SubIOp::create(b, memref::DimOp::create(b, cache, 0),
                                         arith::ConstantIndexOp::create(b, 1));
  slot = arith::MinSIOp::create(
      b, arith::MaxSIOp::create(b, slot, arith::ConstantIndexOp::create(b, 0)),
      lastPage);
  return {slot, arith::RemUIOp::create(b, j, pageSize), kvHead, d};
}

Value mlir::attn::emitKeyLength(ImplicitLocOpBuilder &b,
                                const AttentionBuffers &buffers) {
  if (!buffers.pageTable)
    return memref::DimOp::create(b, buffers.key, 2);
  return arith::MulIOp::create(b,
                               memref::DimOp::create(b, buffers.pageTable, 1),
                               memref::DimOp::create(b, buffers.key, 1));
}

std::pair<Value, Value> ScoreEmitter::emitRowValidity(ImplicitLocOpBuilder &b,
                                                      Attribute normalizer,
                                                      Value live, Value m,
                                                      Value l) {
  Value negInf = arith::ConstantOp::create(
      b, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  // Clipped softmax's lse is softmax's.
  if (llvm::isa<SoftmaxAttr, ClippedSoftmaxAttr>(normalizer))
    return {arith::AndIOp::create(
                b, live,
                arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, m, negInf)),
            arith::AddFOp::create(b, m, math::LogOp::create(b, l))};
  if (llvm::cast<NormalizerAttrInterface>(normalizer).isNormalized())
    return {arith::AndIOp::create(
                b, live,
                arith::CmpFOp::create(b, arith::CmpFPredicate::ONE, l, zero)),
            math::LogOp::create(b, l)};
  return {live, negInf};
}

LogicalResult ScoreEmitter::checkSupported(AttentionOp op) {
  auto unsupported = [&](StringRef what) {
    return op.emitOpError() << "uses " << what
                            << ", which the tiled online form does not lower "
                               "yet (the reference oracle evaluates it)";
  };
  if (op.getBlockMax() &&
      !llvm::isa<SoftmaxAttr, ClippedSoftmaxAttr>(op.getNormalizerOrDefault()))
    return unsupported("block statistics with a normalizer other than "
                       "softmax or clipped softmax");
  for (Region *region : {&op.getScore(), &op.getMask()}) {
    if (region->empty())
      continue;
    for (Operation &inner : region->front().without_terminator()) {
      if (inner.getDialect() &&
          llvm::isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()))
        continue;
      if (llvm::isa<tensor::ExtractOp, tensor::DimOp, PositionOp>(inner))
        continue;
      return inner.emitOpError()
             << "cannot be lowered inside a region (supported: arith, math, "
                "tensor.extract/dim of a capture, attn.position)";
    }
  }
  return success();
}

Value ScoreEmitter::loadVectorAsF32(ImplicitLocOpBuilder &b, Value buffer,
                                    ValueRange indices, int64_t n) {
  auto type = llvm::cast<MemRefType>(buffer.getType());
  Value row = vector::LoadOp::create(
      b, VectorType::get({n}, type.getElementType()), buffer, indices);
  Type f32 = b.getF32Type();
  if (type.getElementType() == f32)
    return row;
  return arith::ExtFOp::create(b, VectorType::get({n}, f32), row);
}

Value ScoreEmitter::toF32(ImplicitLocOpBuilder &b, Value value) {
  Type f32 = b.getF32Type();
  Type type = value.getType();
  if (type == f32)
    return value;
  if (llvm::isa<FloatType>(type))
    return type.getIntOrFloatBitWidth() < 32
               ? Value(arith::ExtFOp::create(b, f32, value))
               : Value(arith::TruncFOp::create(b, f32, value));
  if (type.isIndex())
    value = arith::IndexCastOp::create(b, b.getI64Type(), value);
  return arith::SIToFPOp::create(b, f32, value);
}

Value ScoreEmitter::toIndex(ImplicitLocOpBuilder &b, Value value) {
  if (value.getType().isIndex())
    return value;
  if (value.getType().isInteger(1))
    value = arith::ExtUIOp::create(b, b.getI64Type(), value);
  return arith::IndexCastOp::create(b, b.getIndexType(), value);
}

SmallVector<Value> ScoreEmitter::clampIndices(ImplicitLocOpBuilder &b,
                                              Value buffer,
                                              ValueRange indices) {
  auto type = llvm::cast<MemRefType>(buffer.getType());
  Value one = arith::ConstantIndexOp::create(b, 1);
  SmallVector<Value> at;
  for (auto [d, index] : llvm::enumerate(indices)) {
    // A broadcast dimension (size 1) reads element 0; so does min(index,
    // 0) for the indices the kernels make, which are never negative.
    if (type.getDimSize(d) == 1) {
      at.push_back(arith::ConstantIndexOp::create(b, 0));
      continue;
    }
    Value last =
        type.isDynamicDim(d)
            ? Value(arith::SubIOp::create(
                  b, memref::DimOp::create(b, buffer, d), one))
            : Value(arith::ConstantIndexOp::create(b, type.getDimSize(d) - 1));
    at.push_back(arith::MinSIOp::create(b, index, last));
  }
  return at;
}

Value ScoreEmitter::loadBroadcast(ImplicitLocOpBuilder &b, Value buffer,
                                  ValueRange indices) {
  auto type = llvm::cast<MemRefType>(buffer.getType());
  int64_t rank = type.getRank(), skip = indices.size() - rank;
  return memref::LoadOp::create(
      b, buffer, clampIndices(b, buffer, indices.drop_front(skip)));
}

Value ScoreEmitter::emitKeep(ImplicitLocOpBuilder &b, const ScoreRow &row,
                             Value j) {
  using P = arith::CmpIPredicate;
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  Value p = row.position;
  Value keep = arith::ConstantIntOp::create(b, b.getI1Type(), 1);
  auto both = [&](Value a) { keep = arith::AndIOp::create(b, keep, a); };
  for (Attribute mask : op.getMasks()) {
    if (llvm::isa<CausalMaskAttr>(mask)) {
      both(arith::CmpIOp::create(b, P::sle, j, p));
    } else if (auto window = llvm::dyn_cast<SlidingWindowMaskAttr>(mask)) {
      Value in = arith::ConstantIntOp::create(b, b.getI1Type(), 1);
      if (window.getLeft()) {
        Value lo = arith::SubIOp::create(b, p, cst(*window.getLeft()));
        in = arith::AndIOp::create(b, in,
                                   arith::CmpIOp::create(b, P::sge, j, lo));
      }
      if (window.getRight()) {
        Value hi = arith::AddIOp::create(b, p, cst(*window.getRight()));
        in = arith::AndIOp::create(b, in,
                                   arith::CmpIOp::create(b, P::sle, j, hi));
      }
      if (window.getSinks() > 0)
        in = arith::OrIOp::create(
            b, in, arith::CmpIOp::create(b, P::slt, j, cst(window.getSinks())));
      both(in);
    } else if (auto prefix = llvm::dyn_cast<PrefixLMMaskAttr>(mask)) {
      both(arith::OrIOp::create(
          b, arith::CmpIOp::create(b, P::slt, j, cst(prefix.getPrefix())),
          arith::CmpIOp::create(b, P::sle, j, p)));
    } else if (llvm::isa<DocumentMaskAttr>(mask)) {
      Value kvIds =
          buffers.kvSegmentIds ? buffers.kvSegmentIds : buffers.segmentIds;
      Value qId = loadBroadcast(b, buffers.segmentIds, {row.b, row.i});
      Value kId = loadBroadcast(b, kvIds, {row.b, j});
      both(arith::CmpIOp::create(b, P::eq, qId, kId));
    } else if (auto na = llvm::dyn_cast<NeighborhoodMaskAttr>(mask)) {
      both(emitNeighborhoodKeep(b, na, p, j));
    } else if (auto layout = llvm::dyn_cast<BlockSparseMaskAttr>(mask)) {
      both(emitBlockLayoutKeep(
          b, op, buffers, row.b, row.h,
          arith::DivUIOp::create(b, row.i, cst(layout.getQBlock())),
          arith::DivUIOp::create(b, j, cst(layout.getKvBlock()))));
    } else if (llvm::isa<SelectedTokensMaskAttr>(mask)) {
      if (selectedGathered)
        continue;
      Value mark = memref::LoadOp::create(
          b, selectedKeyMap,
          ValueRange{row.b, emitSelectionHead(b, op, row.h), j});
      both(arith::CmpIOp::create(
          b, P::ne, mark, arith::ConstantIntOp::create(b, b.getI8Type(), 0)));
    } else if (llvm::isa<KeyLimitMaskAttr>(mask)) {
      both(arith::CmpIOp::create(
          b, P::slt, j, loadKeyLimit(b, buffers, row.b, row.h, row.i)));
    }
  }
  if (!op.getMask().empty())
    both(inlineRegion(b, op.getMask(), {row.b, row.h, row.i, j}, row));
  return keep;
}

bool mlir::attn::isSelectionPerKeyValueHead(AttentionOp op) {
  int64_t selectionHeads = op.getSelected().getType().getDimSize(1);
  int64_t group = op.getGroupSize();
  int64_t kvHeads = op.getQuery().getType().getDimSize(1) / group;
  return group > 1 && selectionHeads == kvHeads;
}

Value mlir::attn::emitSelectionHead(ImplicitLocOpBuilder &b, AttentionOp op,
                                    Value h) {
  if (!isSelectionPerKeyValueHead(op))
    return h;
  return arith::DivUIOp::create(
      b, h, arith::ConstantIndexOp::create(b, op.getGroupSize()));
}

Value mlir::attn::emitBlockLayoutKeep(ImplicitLocOpBuilder &b, AttentionOp op,
                                      const AttentionBuffers &buffers,
                                      Value batch, Value head, Value qb,
                                      Value kb) {
  auto layout = op.getMaskOfType<BlockSparseMaskAttr>();
  Value zero = arith::ConstantIndexOp::create(b, 0);
  if (layout.getFormat() == BlockLayoutFormat::bitmap) {
    Value entry = ScoreEmitter::toIndex(
        b, ScoreEmitter::loadBroadcast(b, buffers.blockLayout,
                                       {batch, head, qb, kb}));
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ne, entry, zero);
  }
  // Index lists: kb is listed in layout[b, h, qb, :] (-1 pads).
  Value width = memref::DimOp::create(b, buffers.blockLayout, 3);
  auto scan = scf::ForOp::create(
      b, zero, width, arith::ConstantIndexOp::create(b, 1),
      ValueRange{arith::ConstantIntOp::create(b, b.getI1Type(), 0)},
      [&](OpBuilder &nested, Location loc, Value k, ValueRange found) {
        ImplicitLocOpBuilder ib(loc, nested);
        Value listed = ScoreEmitter::toIndex(
            ib, ScoreEmitter::loadBroadcast(ib, buffers.blockLayout,
                                            {batch, head, qb, k}));
        scf::YieldOp::create(
            ib, ValueRange{arith::OrIOp::create(
                    ib, found[0],
                    arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, listed,
                                          kb))});
      });
  return scan.getResult(0);
}

Value ScoreEmitter::loadKeyLimit(ImplicitLocOpBuilder &b,
                                 const AttentionBuffers &buffers, Value batch,
                                 Value h, Value i) {
  auto type = llvm::cast<MemRefType>(buffers.keyLimit.getType());
  return toIndex(b, type.getRank() == 3
                        ? loadBroadcast(b, buffers.keyLimit, {batch, h, i})
                        : loadBroadcast(b, buffers.keyLimit, {batch, i}));
}

bool ScoreEmitter::hasVectorKeep(AttentionOp op) {
  return op.getMask().empty() &&
         llvm::all_of(op.getMasks(), [](Attribute mask) {
           return llvm::isa<CausalMaskAttr, SlidingWindowMaskAttr,
                            PrefixLMMaskAttr, NeighborhoodMaskAttr,
                            KeyLimitMaskAttr>(mask);
         });
}

Value ScoreEmitter::emitKeepVector(ImplicitLocOpBuilder &b, const ScoreRow &row,
                                   Value firstKey, int64_t width) {
  using P = arith::CmpIPredicate;
  Type i32 = b.getI32Type();
  auto vectorType = VectorType::get({width}, i32);
  auto splat = [&](Value scalar) -> Value {
    if (scalar.getType().isIndex())
      scalar = arith::IndexCastOp::create(b, i32, scalar);
    return vector::BroadcastOp::create(b, vectorType, scalar);
  };
  auto splatConst = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(vectorType, b.getI32IntegerAttr(v)));
  };
  auto cmp = [&](P predicate, Value x, Value y) -> Value {
    return arith::CmpIOp::create(b, predicate, x, y);
  };
  // j = firstKey + [0, 1, ..., width - 1].
  SmallVector<int32_t> steps(width);
  std::iota(steps.begin(), steps.end(), 0);
  Value j = arith::AddIOp::create(
      b, splat(firstKey),
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(vectorType, ArrayRef<int32_t>(steps))));
  Value p = splat(row.position);
  Value keep = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({width}, b.getI1Type()), true));
  auto both = [&](Value a) { keep = arith::AndIOp::create(b, keep, a); };
  auto either = [&](Value x, Value y) -> Value {
    return arith::OrIOp::create(b, x, y);
  };
  for (Attribute mask : op.getMasks()) {
    if (llvm::isa<CausalMaskAttr>(mask)) {
      both(cmp(P::sle, j, p));
    } else if (auto window = llvm::dyn_cast<SlidingWindowMaskAttr>(mask)) {
      Value in = arith::ConstantOp::create(
          b, DenseElementsAttr::get(VectorType::get({width}, b.getI1Type()),
                                    true));
      if (window.getLeft())
        in = arith::AndIOp::create(
            b, in,
            cmp(P::sge, j,
                arith::SubIOp::create(b, p, splatConst(*window.getLeft()))));
      if (window.getRight())
        in = arith::AndIOp::create(
            b, in,
            cmp(P::sle, j,
                arith::AddIOp::create(b, p, splatConst(*window.getRight()))));
      if (window.getSinks() > 0)
        in = either(in, cmp(P::slt, j, splatConst(window.getSinks())));
      both(in);
    } else if (auto prefix = llvm::dyn_cast<PrefixLMMaskAttr>(mask)) {
      both(either(cmp(P::slt, j, splatConst(prefix.getPrefix())),
                  cmp(P::sle, j, p)));
    } else if (auto na = llvm::dyn_cast<NeighborhoodMaskAttr>(mask)) {
      // The key's coordinates (vectors), against the row's window per
      // dimension (scalars, once per row).
      ArrayRef<int64_t> grid = na.getGrid();
      Value in = arith::ConstantOp::create(
          b, DenseElementsAttr::get(VectorType::get({width}, b.getI1Type()),
                                    true));
      Value qRest = row.position, kRest = j;
      for (int64_t d = grid.size() - 1; d >= 0; --d) {
        Value extent = arith::ConstantIndexOp::create(b, grid[d]);
        Value qc = arith::RemSIOp::create(b, qRest, extent);
        qRest = arith::DivSIOp::create(b, qRest, extent);
        Value kc = arith::RemUIOp::create(b, kRest, splatConst(grid[d]));
        kRest = arith::DivUIOp::create(b, kRest, splatConst(grid[d]));
        NeighborhoodWindow window = emitNeighborhoodWindow(b, na, d, qc);
        int64_t dilation = na.getDilationAt(d);
        Value w = kc;
        if (dilation > 1) {
          in = arith::AndIOp::create(
              b, in,
              cmp(P::eq, arith::RemUIOp::create(b, kc, splatConst(dilation)),
                  splat(window.group)));
          w = arith::DivUIOp::create(b, kc, splatConst(dilation));
        }
        in = arith::AndIOp::create(
            b, in,
            arith::AndIOp::create(b, cmp(P::sge, w, splat(window.start)),
                                  cmp(P::sle, w, splat(window.end))));
      }
      if (na.getSinks() > 0) {
        Value sink = cmp(P::slt, j, splatConst(na.getSinks()));
        if (na.isAnyCausal())
          sink = arith::AndIOp::create(b, sink, cmp(P::sle, j, p));
        in = either(in, sink);
      }
      both(in);
    } else if (llvm::isa<KeyLimitMaskAttr>(mask)) {
      // Limits past the 32-bit range keep every key.
      Value bound = arith::MinSIOp::create(
          b, loadKeyLimit(b, buffers, row.b, row.h, row.i),
          arith::ConstantIndexOp::create(b,
                                         std::numeric_limits<int32_t>::max()));
      both(cmp(P::slt, j, splat(bound)));
    } else {
      llvm_unreachable("hasVectorKeep() admits only the masks above");
    }
  }
  return keep;
}

Value ScoreEmitter::emitModifiers(ImplicitLocOpBuilder &b, const ScoreRow &row,
                                  Value j, Value s) {
  auto f32 = [&](double v) -> Value {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  };
  // Modifiers of one kind read their group's tensors in list order.
  SmallVector<std::pair<Attribute, Value>> ordered;
  unsigned temperature = 0, bias = 0;
  for (Attribute mod : op.getModifiers()) {
    Value operand;
    if (llvm::isa<TemperatureModAttr>(mod))
      operand = buffers.temperature[temperature++];
    else if (llvm::isa<BiasModAttr>(mod))
      operand = buffers.bias[bias++];
    ordered.push_back({mod, operand});
  }
  SmallVector<std::pair<Attribute, Value>> sorted;
  for (unsigned position : op.getModifierApplicationOrder())
    sorted.push_back(ordered[position]);
  ordered = std::move(sorted);
  Value distance; // j - p(i) as f32, built on first use.
  auto getDistance = [&]() {
    if (!distance)
      distance = toF32(b, arith::SubIOp::create(b, j, row.position));
    return distance;
  };
  for (auto [mod, operand] : ordered) {
    if (llvm::isa<TemperatureModAttr>(mod)) {
      auto type = llvm::cast<MemRefType>(operand.getType());
      Value tau = type.getRank() == 1
                      ? loadBroadcast(b, operand, {row.h})
                      : loadBroadcast(b, operand, {row.b, row.h, row.i});
      s = arith::DivFOp::create(b, s, toF32(b, tau));
    } else if (auto scaling = llvm::dyn_cast<LengthScalingModAttr>(mod)) {
      // s * log(n_i) / log(L0).
      Value ratio = arith::DivFOp::create(
          b, math::LogOp::create(b, row.keptCount),
          f32(std::log(scaling.getBase().convertToDouble())));
      s = arith::MulFOp::create(b, s, ratio);
    } else if (auto cap = llvm::dyn_cast<SoftcapModAttr>(mod)) {
      Value c = f32(cap.getCap().convertToDouble());
      s = arith::MulFOp::create(
          b, c, math::TanhOp::create(b, arith::DivFOp::create(b, s, c)));
    } else if (auto alibi = llvm::dyn_cast<AlibiModAttr>(mod)) {
      Value slope = toF32(b, loadBroadcast(b, buffers.alibiSlopes, {row.h}));
      Value d = getDistance();
      if (alibi.getSymmetric())
        s = arith::SubFOp::create(
            b, s, arith::MulFOp::create(b, slope, math::AbsFOp::create(b, d)));
      else
        s = arith::AddFOp::create(b, s, arith::MulFOp::create(b, slope, d));
    } else if (auto rel = llvm::dyn_cast<RelativePositionModAttr>(mod)) {
      int64_t r = rel.getMaxDistance();
      Value delta = arith::SubIOp::create(b, j, row.position);
      Value lo = arith::ConstantIndexOp::create(b, -r);
      Value hi = arith::ConstantIndexOp::create(b, r);
      Value clamped =
          arith::MinSIOp::create(b, arith::MaxSIOp::create(b, delta, lo), hi);
      Value bucket = arith::AddIOp::create(b, clamped, hi);
      s = arith::AddFOp::create(
          b, s,
          toF32(b, loadBroadcast(b, buffers.positionTable, {row.h, bucket})));
    } else if (llvm::isa<BiasModAttr>(mod)) {
      s = arith::AddFOp::create(
          b, s, toF32(b, loadBroadcast(b, operand, {row.b, row.h, row.i, j})));
    } else if (auto sink = llvm::dyn_cast<SinkCalibrationModAttr>(mod)) {
      // A column listed twice has one factor (the verifier checks), so the
      // first match decides.
      Value add = f32(0.0);
      for (int64_t k = sink.getColumns().size() - 1; k >= 0; --k) {
        Value hit = arith::CmpIOp::create(
            b, arith::CmpIPredicate::eq, j,
            arith::ConstantIndexOp::create(b, sink.getColumns()[k]));
        add = arith::SelectOp::create(b, hit,
                                      f32(std::log(sink.getFactorAt(k))), add);
      }
      s = arith::AddFOp::create(b, s, add);
    }
  }
  if (!op.getScore().empty())
    s = inlineRegion(b, op.getScore(), {s, row.b, row.h, row.i, j}, row);
  return s;
}

Value ScoreEmitter::inlineRegion(ImplicitLocOpBuilder &b, Region &region,
                                 ValueRange leading, const ScoreRow &row) {
  Block &block = region.front();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(block.getArguments(), leading))
    mapping.map(arg, value);
  unsigned first = leading.size();
  for (auto [c, capture] : llvm::enumerate(buffers.captures))
    mapping.map(block.getArgument(first + c), capture);
  for (Operation &inner : block) {
    if (auto yield = llvm::dyn_cast<YieldOp>(inner))
      return mapping.lookup(yield.getValues()[0]);
    if (auto extract = llvm::dyn_cast<tensor::ExtractOp>(inner)) {
      SmallVector<Value> indices;
      for (Value index : extract.getIndices())
        indices.push_back(mapping.lookup(index));
      Value capture = mapping.lookup(extract.getTensor());
      mapping.map(extract.getResult(),
                  memref::LoadOp::create(b, capture,
                                         clampIndices(b, capture, indices)));
    } else if (auto dim = llvm::dyn_cast<tensor::DimOp>(inner)) {
      mapping.map(dim.getResult(),
                  memref::DimOp::create(b, mapping.lookup(dim.getSource()),
                                        mapping.lookup(dim.getIndex())));
    } else if (auto position = llvm::dyn_cast<PositionOp>(inner)) {
      Value batch = mapping.lookup(position.getBatch());
      Value query = mapping.lookup(position.getQuery());
      Value offset = batch == row.b ? row.offset : offsetOf(b, batch);
      mapping.map(position.getPosition(),
                  arith::AddIOp::create(b, query, offset));
    } else {
      b.clone(inner, mapping);
    }
  }
  llvm_unreachable("a verified region ends in attn.yield");
}

MergeRow mlir::attn::emitMergeRow(ImplicitLocOpBuilder &b,
                                  ArrayRef<Value> partLses) {
  auto f = [&](double v) -> Value {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  };
  Value negInf = f(-std::numeric_limits<double>::infinity());
  Value m = negInf;
  for (Value part : partLses)
    m = arith::MaximumFOp::create(b, m, part);
  Value any = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, m, negInf);
  // exp(lse_r - m) is 0 for an empty part; m is finite when any is.
  Value safeMax = arith::SelectOp::create(b, any, m, f(0.0));
  Value sum = f(0.0);
  SmallVector<Value> scales;
  for (Value part : partLses) {
    scales.push_back(
        math::ExpOp::create(b, arith::SubFOp::create(b, part, safeMax)));
    sum = arith::AddFOp::create(b, sum, scales.back());
  }
  MergeRow row;
  row.lse = arith::SelectOp::create(
      b, any, arith::AddFOp::create(b, safeMax, math::LogOp::create(b, sum)),
      negInf);
  for (Value scale : scales)
    row.weights.push_back(arith::SelectOp::create(
        b, any, arith::DivFOp::create(b, scale, sum), f(0.0)));
  return row;
}
