//===- LinearAttention.cpp - Chunked linear attention ---------------------===//
//
// One work item per (batch, query head) walks the positions in chunks of C.
// Per chunk it loads the key tile transposed ([D, C] f32), applies the
// feature map to it once ([F, C], vectorised over the chunk) and loads the
// value tile ([C, Dv]). Each query row of the chunk (position p = start + r)
// then gets
//
//   o = lambda^r (phi(q)^T S, phi(q) . z)             carried state
//     + sum_{c <= r} lambda^(r - c) (phi(q) . phi(k_c)) (v_c, 1)   intra
//
// and the state moves past the chunk: S = lambda^C S + sum_c lambda^(C - c)
// phi(k_c) v_c^T, z likewise. The decay factors come from two small tables
// per head: lambda^(r - c) for c <= r (0 beyond: the causal mask) read as
// one vector per row, and lambda^(C - c). The non-causal form accumulates
// the state over every key, then applies it to every row.
//
// The second-order Taylor map (F = 1 + D + D^2) never materialises phi(k):
// its intra scores are 1 + s + s^2 / 2 with s = q . k (the same dot product
// as [1, q, vec(q q^T) / sqrt 2] . [1, k, vec(k k^T) / sqrt 2]), and the
// state update forms each feature row k_a k_b / sqrt 2 from the raw tile.
//
//===----------------------------------------------------------------------===//

#include "LinearAttention.h"
#include "ScoreEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Bytes of the feature tile a chunk may keep (see getLinearAttentionChunk).
constexpr int64_t kFeatureTileBytes = 64 * 1024;
constexpr int64_t kMinChunk = 8;

class LinearAttentionLowering {
public:
  LinearAttentionLowering(LinearAttentionOp op,
                          const LinearAttentionBuffers &buffers, Value output,
                          int64_t chunk)
      : op(op), buffers(buffers), output(output), chunk(chunk),
        map(op.getFeatureMap()), headDim(op.getQuery().getType().getDimSize(3)),
        valueDim(op.getValue().getType().getDimSize(3)),
        featureDim(op.getFeatureDim()),
        group(op.getQuery().getType().getDimSize(1) /
              op.getKey().getType().getDimSize(1)) {
    for (int64_t h = 0; h < op.getQuery().getType().getDimSize(1); ++h)
      hasDecay |= op.getDecayAt(h) != 1.0;
  }

  void emit(ImplicitLocOpBuilder &b);

private:
  using RowCallback =
      std::function<void(ImplicitLocOpBuilder &, Value f, Value row)>;

  Value cst(ImplicitLocOpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }
  Value f32(ImplicitLocOpBuilder &b, double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value f64(ImplicitLocOpBuilder &b, double v) {
    return arith::ConstantOp::create(b, b.getF64FloatAttr(v));
  }
  /// An f32 scalar or vector widened to f64.
  Value widen(ImplicitLocOpBuilder &b, Value v) {
    Type type = b.getF64Type();
    if (auto vector = llvm::dyn_cast<VectorType>(v.getType()))
      type = VectorType::get(vector.getShape(), type);
    return arith::ExtFOp::create(b, type, v);
  }
  VectorType vec(ImplicitLocOpBuilder &b, int64_t n) {
    return VectorType::get({n}, b.getF32Type());
  }
  Value splat(ImplicitLocOpBuilder &b, int64_t n, double v) {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(vec(b, n), b.getF32FloatAttr(v)));
  }
  Value broadcast(ImplicitLocOpBuilder &b, int64_t n, Value scalar) {
    return vector::BroadcastOp::create(b, vec(b, n), scalar);
  }
  Value sum(ImplicitLocOpBuilder &b, Value v) {
    return vector::ReductionOp::create(b, vector::CombiningKind::ADD, v);
  }
  /// A loop [from, to) whose body `fn` gets the induction variable.
  void loop(ImplicitLocOpBuilder &b, Value from, Value to,
            llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> fn) {
    scf::ForOp::create(
        b, from, to, cst(b, 1), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value iv, ValueRange) {
          ImplicitLocOpBuilder ib(loc, nested);
          fn(ib, iv);
          scf::YieldOp::create(ib);
        });
  }
  /// A loop [from, to) carrying `init`; `fn` returns the next values.
  ValueRange
  reduce(ImplicitLocOpBuilder &b, Value from, Value to, ValueRange init,
         llvm::function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value,
                                               ValueRange)>
             fn) {
    return scf::ForOp::create(b, from, to, cst(b, 1), init,
                              [&](OpBuilder &nested, Location loc, Value iv,
                                  ValueRange carried) {
                                ImplicitLocOpBuilder ib(loc, nested);
                                scf::YieldOp::create(ib, fn(ib, iv, carried));
                              })
        .getResults();
  }

  void emitHead(ImplicitLocOpBuilder &b, Value batch, Value head);
  void emitCausal(ImplicitLocOpBuilder &b, Value batch, Value head,
                  Value kvHead, Value rows, Value keys);
  void emitNonCausal(ImplicitLocOpBuilder &b, Value batch, Value head,
                     Value kvHead, Value rows, Value keys);
  /// Output rows [from, to) of (batch, head) set to 0.
  void emitZeroRows(ImplicitLocOpBuilder &b, Value batch, Value head,
                    Value from, Value to);
  /// The per-head decay tables (decayTable, stateDecay).
  void emitDecayTables(ImplicitLocOpBuilder &b, Value head);
  /// phi applied to each element of `x` (an elementwise map).
  Value emitElementwise(ImplicitLocOpBuilder &b, Value x);
  /// phi(q) of row (batch, head, i) into queryFeatures.
  void emitQueryFeatures(ImplicitLocOpBuilder &b, Value batch, Value head,
                         Value i);
  /// Keys [start, start + count) into keyRaw (transposed, zero beyond
  /// count), their features into keyFeatures, their values into valueTile.
  void emitKeyTile(ImplicitLocOpBuilder &b, Value batch, Value kvHead,
                   Value head, Value start, Value count);
  /// The weights row f of `weights` ([F, D] or [Hq, F, D]) applies to.
  SmallVector<Value> weightIndices(ImplicitLocOpBuilder &b, Value head, Value f,
                                   Value d);
  /// Calls `fn` with each feature row f of the key tile (vector<C>).
  void forEachKeyFeatureRow(ImplicitLocOpBuilder &b, const RowCallback &fn);
  /// Whether emitScores() sums in f64 (identity features, normalised).
  bool hasWideScores() {
    return map == FeatureMap::identity && op.getNormalize();
  }
  /// phi(q_i) . phi(k_c) for the C keys of the tile (f32, or f64 where
  /// hasWideScores()).
  Value emitScores(ImplicitLocOpBuilder &b, Value batch, Value head, Value i);
  /// (phi(q)^T S, phi(q) . z) from the carried state.
  std::pair<Value, Value> emitStateProduct(ImplicitLocOpBuilder &b);
  /// Moves the state past one chunk whose keys have weights `keyWeights`
  /// (vector<C>, 0 beyond the chunk's keys), after scaling it by `carry`
  /// (null: 1).
  void emitStateUpdate(ImplicitLocOpBuilder &b, Value keyWeights, Value count,
                       Value carry);
  /// sum_{k < count} weightRow[k] valueTile[k] (vector<Dv>).
  Value emitWeightedValues(ImplicitLocOpBuilder &b, Value count);
  /// Writes o (normalised when the op says so) to row (batch, head, i).
  void emitStoreRow(ImplicitLocOpBuilder &b, Value batch, Value head, Value i,
                    Value acc, Value denominator);

  LinearAttentionOp op;
  const LinearAttentionBuffers &buffers;
  Value output;
  int64_t chunk;
  FeatureMap map;
  int64_t headDim, valueDim, featureDim, group;
  bool hasDecay = false;

  Value queryLen, keyLen;
  // Per work item.
  /// The carried state S [F, Dv] and z [F].
  Value state, norm;
  /// The key tile transposed [D, C], its features [F, C] (keyRaw itself for
  /// identity; none for taylor), the value tile [C, Dv].
  Value keyRaw, keyFeatures, valueTile;
  /// phi(q) of the current row [F]; one row of weights [C].
  Value queryFeatures, weightRow;
  /// decayTable[y] = lambda^(C - 1 - y) for y < C, 0 for y >= C [2C]: the
  /// row at offset C - 1 - r holds lambda^(r - c) for c <= r, 0 beyond.
  /// stateDecay[c] = lambda^(C - c) [C].
  Value decayTable, stateDecay;
};

void LinearAttentionLowering::emit(ImplicitLocOpBuilder &b) {
  Value zero = cst(b, 0), one = cst(b, 1);
  Value batchSize = memref::DimOp::create(b, buffers.query, 0);
  queryLen = memref::DimOp::create(b, buffers.query, 2);
  keyLen = memref::DimOp::create(b, buffers.key, 2);
  Value heads = cst(b, op.getQuery().getType().getDimSize(1));
  scf::ParallelOp::create(
      b, ValueRange{zero, zero}, ValueRange{batchSize, heads},
      ValueRange{one, one}, ValueRange{},
      [&](OpBuilder &nested, Location loc, ValueRange ivs, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        emitHead(ib, ivs[0], ivs[1]);
        scf::ReduceOp::create(ib);
      });
}

void LinearAttentionLowering::emitHead(ImplicitLocOpBuilder &b, Value batch,
                                       Value head) {
  Type f32Type = b.getF32Type();
  auto alloc = [&](ArrayRef<int64_t> shape) -> Value {
    return memref::AllocOp::create(b, MemRefType::get(shape, f32Type));
  };
  state = alloc({featureDim, valueDim});
  // z and the denominators in f64: with sign-indefinite features (identity)
  // phi(q) . z cancels, and its rounding error is what the output inherits.
  norm =
      memref::AllocOp::create(b, MemRefType::get({featureDim}, b.getF64Type()));
  keyRaw = alloc({headDim, chunk});
  keyFeatures = keyRaw;
  if (map != FeatureMap::identity && map != FeatureMap::taylor)
    keyFeatures = alloc({featureDim, chunk});
  valueTile = alloc({chunk, valueDim});
  queryFeatures = alloc({featureDim});
  weightRow = alloc({chunk});
  SmallVector<Value> buffersToFree = {state,     norm,          keyRaw,
                                      valueTile, queryFeatures, weightRow};
  if (keyFeatures != keyRaw)
    buffersToFree.push_back(keyFeatures);
  if (op.getCausal()) {
    decayTable = alloc({2 * chunk});
    stateDecay = alloc({chunk});
    buffersToFree.append({decayTable, stateDecay});
  }

  Value zero = cst(b, 0);
  loop(b, zero, cst(b, featureDim), [&](ImplicitLocOpBuilder &ib, Value f) {
    vector::StoreOp::create(ib, splat(ib, valueDim, 0.0), state,
                            ValueRange{f, cst(ib, 0)});
    memref::StoreOp::create(ib, f64(ib, 0.0), norm, f);
  });

  // Lengths clamped into the buffers (the runtime checks them; the clamp
  // keeps a kernel called without that check in bounds).
  auto length = [&](Value lengths, Value full) -> Value {
    if (!lengths)
      return full;
    Value n =
        ScoreEmitter::toIndex(b, memref::LoadOp::create(b, lengths, batch));
    return arith::MinSIOp::create(b, arith::MaxSIOp::create(b, n, zero), full);
  };
  Value rows = length(buffers.qLen, queryLen);
  Value keys = length(buffers.kvLen, keyLen);
  Value kvHead = arith::DivUIOp::create(b, head, cst(b, group));
  if (op.getCausal())
    emitCausal(b, batch, head, kvHead, rows, keys);
  else
    emitNonCausal(b, batch, head, kvHead, rows, keys);
  for (Value buffer : buffersToFree)
    memref::DeallocOp::create(b, buffer);
}

void LinearAttentionLowering::emitCausal(ImplicitLocOpBuilder &b, Value batch,
                                         Value head, Value kvHead, Value rows,
                                         Value keys) {
  Value zero = cst(b, 0), one = cst(b, 1), c = cst(b, chunk);
  Value offset = op.getAlignment() == Alignment::top_left
                     ? zero
                     : Value(arith::SubIOp::create(b, keys, rows));
  // Rows before firstRow (position < 0) and every row without keys get 0.
  Value live = arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, keys, zero);
  Value firstRow = arith::SelectOp::create(
      b, live,
      arith::MinSIOp::create(
          b,
          arith::MaxSIOp::create(b, zero,
                                 arith::SubIOp::create(b, zero, offset)),
          rows),
      rows);
  emitZeroRows(b, batch, head, zero, firstRow);
  emitZeroRows(b, batch, head, rows, queryLen);
  emitDecayTables(b, head);

  // Chunks of positions [0, rows + offset): the last row's position.
  Value positions =
      arith::MaxSIOp::create(b, zero, arith::AddIOp::create(b, rows, offset));
  Value chunks = arith::SelectOp::create(
      b, live, arith::CeilDivSIOp::create(b, positions, c), zero);
  Value carry;
  if (hasDecay)
    carry = memref::LoadOp::create(b, stateDecay, zero); // lambda^C
  VectorType indexVector = VectorType::get({chunk}, b.getIndexType());
  loop(b, zero, chunks, [&](ImplicitLocOpBuilder &ib, Value n) {
    Value start = arith::MulIOp::create(ib, n, c);
    Value count = arith::MinSIOp::create(
        ib, c,
        arith::MaxSIOp::create(ib, zero,
                               arith::SubIOp::create(ib, keys, start)));
    emitKeyTile(ib, batch, kvHead, head, start, count);
    Value keyMask = arith::CmpIOp::create(
        ib, arith::CmpIPredicate::slt, vector::StepOp::create(ib, indexVector),
        vector::BroadcastOp::create(ib, indexVector, count));
    Value zeros = splat(ib, chunk, 0.0);
    // Rows whose positions fall in this chunk.
    Value first = arith::MaxSIOp::create(
        ib, firstRow, arith::SubIOp::create(ib, start, offset));
    Value last = arith::MinSIOp::create(
        ib, rows,
        arith::SubIOp::create(ib, arith::AddIOp::create(ib, start, c), offset));
    loop(ib, first, last, [&](ImplicitLocOpBuilder &rb, Value i) {
      Value r = arith::SubIOp::create(rb, arith::AddIOp::create(rb, i, offset),
                                      start);
      emitQueryFeatures(rb, batch, head, i);
      auto [acc, denominator] = emitStateProduct(rb);
      Value at = arith::SubIOp::create(rb, cst(rb, chunk - 1), r);
      if (hasDecay) {
        Value scale = memref::LoadOp::create(rb, decayTable, at); // lambda^r
        acc = arith::MulFOp::create(rb, acc, broadcast(rb, valueDim, scale));
        denominator = arith::MulFOp::create(rb, denominator, widen(rb, scale));
      }
      // Intra-chunk: weights lambda^(r - c) phi(q) . phi(k_c), c <= r.
      Value decayRow =
          vector::LoadOp::create(rb, vec(rb, chunk), decayTable, at);
      Value scores = emitScores(rb, batch, head, i);
      bool wide = hasWideScores();
      Value weights = arith::SelectOp::create(
          rb, keyMask,
          arith::MulFOp::create(rb, scores,
                                wide ? widen(rb, decayRow) : decayRow),
          wide ? widen(rb, zeros) : zeros);
      Value wideWeights = wide ? weights : widen(rb, weights);
      if (wide)
        weights = arith::TruncFOp::create(rb, vec(rb, chunk), weights);
      vector::StoreOp::create(rb, weights, weightRow, cst(rb, 0));
      denominator =
          arith::AddFOp::create(rb, denominator, sum(rb, wideWeights));
      Value used = arith::MinSIOp::create(
          rb, count, arith::AddIOp::create(rb, r, cst(rb, 1)));
      // Blocked: the chunk's own sum, then the carried part.
      acc = arith::AddFOp::create(rb, acc, emitWeightedValues(rb, used));
      emitStoreRow(rb, batch, head, i, acc, denominator);
    });
    // The last chunk's keys reach no later row.
    Value more =
        arith::CmpIOp::create(ib, arith::CmpIPredicate::slt,
                              arith::AddIOp::create(ib, n, one), chunks);
    scf::IfOp::create(ib, more, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder tb(loc, nested);
      Value weights = arith::SelectOp::create(
          tb, keyMask,
          vector::LoadOp::create(tb, vec(tb, chunk), stateDecay, cst(tb, 0)),
          zeros);
      emitStateUpdate(tb, weights, count, carry);
      scf::YieldOp::create(tb);
    });
  });
}

void LinearAttentionLowering::emitNonCausal(ImplicitLocOpBuilder &b,
                                            Value batch, Value head,
                                            Value kvHead, Value rows,
                                            Value keys) {
  Value zero = cst(b, 0), c = cst(b, chunk);
  // A batch entry without keys gives 0 on every row.
  Value live = arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, keys, zero);
  Value computed = arith::SelectOp::create(b, live, rows, zero);
  emitZeroRows(b, batch, head, computed, queryLen);
  VectorType indexVector = VectorType::get({chunk}, b.getIndexType());
  loop(b, zero, arith::CeilDivSIOp::create(b, keys, c),
       [&](ImplicitLocOpBuilder &ib, Value n) {
         Value start = arith::MulIOp::create(ib, n, c);
         Value count = arith::MinSIOp::create(
             ib, c, arith::SubIOp::create(ib, keys, start));
         emitKeyTile(ib, batch, kvHead, head, start, count);
         Value weights = arith::SelectOp::create(
             ib,
             arith::CmpIOp::create(
                 ib, arith::CmpIPredicate::slt,
                 vector::StepOp::create(ib, indexVector),
                 vector::BroadcastOp::create(ib, indexVector, count)),
             splat(ib, chunk, 1.0), splat(ib, chunk, 0.0));
         emitStateUpdate(ib, weights, count, Value());
       });
  loop(b, zero, computed, [&](ImplicitLocOpBuilder &ib, Value i) {
    emitQueryFeatures(ib, batch, head, i);
    auto [acc, denominator] = emitStateProduct(ib);
    emitStoreRow(ib, batch, head, i, acc, denominator);
  });
}

void LinearAttentionLowering::emitZeroRows(ImplicitLocOpBuilder &b, Value batch,
                                           Value head, Value from, Value to) {
  Type element = llvm::cast<MemRefType>(output.getType()).getElementType();
  Value zeros = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({valueDim}, element),
                                b.getFloatAttr(element, 0.0)));
  loop(b, from, to, [&](ImplicitLocOpBuilder &ib, Value i) {
    vector::StoreOp::create(ib, zeros, output,
                            ValueRange{batch, head, i, cst(ib, 0)});
  });
}

void LinearAttentionLowering::emitDecayTables(ImplicitLocOpBuilder &b,
                                              Value head) {
  // ln lambda of this head, from a constant vector over the heads. The
  // powers are computed in f64 and rounded once: a normaliser whose
  // denominator cancels (sign-indefinite features) magnifies their error.
  int64_t heads = op.getQuery().getType().getDimSize(1);
  SmallVector<double> logs;
  for (int64_t h = 0; h < heads; ++h)
    logs.push_back(std::log(op.getDecayAt(h)));
  Type f64Type = b.getF64Type();
  Value table = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({heads}, f64Type),
                                ArrayRef<double>(logs)));
  Value logDecay =
      vector::ExtractOp::create(b, table, ArrayRef<OpFoldResult>{head});
  // lambda^n = exp(n ln lambda) (1 without decay).
  auto power = [&](ImplicitLocOpBuilder &ib, Value n) -> Value {
    if (!hasDecay)
      return f32(ib, 1.0);
    Value exponent = arith::MulFOp::create(
        ib,
        arith::SIToFPOp::create(
            ib, f64Type, arith::IndexCastOp::create(ib, ib.getI64Type(), n)),
        logDecay);
    return arith::TruncFOp::create(ib, ib.getF32Type(),
                                   math::ExpOp::create(ib, exponent));
  };
  Value c = cst(b, chunk);
  loop(b, cst(b, 0), c, [&](ImplicitLocOpBuilder &ib, Value y) {
    Value last = cst(ib, chunk - 1);
    memref::StoreOp::create(ib, power(ib, arith::SubIOp::create(ib, last, y)),
                            decayTable, y);
    Value beyond = arith::AddIOp::create(ib, y, cst(ib, chunk));
    memref::StoreOp::create(ib, f32(ib, 0.0), decayTable, beyond);
    memref::StoreOp::create(
        ib, power(ib, arith::SubIOp::create(ib, cst(ib, chunk), y)), stateDecay,
        y);
  });
}

Value LinearAttentionLowering::emitElementwise(ImplicitLocOpBuilder &b,
                                               Value x) {
  int64_t n = llvm::cast<VectorType>(x.getType()).getNumElements();
  Value zeros = splat(b, n, 0.0);
  switch (map) {
  case FeatureMap::elu_plus_one: {
    // elu(x) + 1 = x + 1 for x > 0, exp(x) otherwise (exp of min(x, 0):
    // no overflow in the lanes the select drops).
    Value positive =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, zeros);
    return arith::SelectOp::create(
        b, positive, arith::AddFOp::create(b, x, splat(b, n, 1.0)),
        math::ExpOp::create(b, arith::MinimumFOp::create(b, x, zeros)));
  }
  case FeatureMap::relu:
    return arith::MaximumFOp::create(b, x, zeros);
  case FeatureMap::exp:
    return math::ExpOp::create(b, x);
  default:
    llvm_unreachable("not an elementwise feature map");
  }
}

SmallVector<Value>
LinearAttentionLowering::weightIndices(ImplicitLocOpBuilder &b, Value head,
                                       Value f, Value d) {
  if (llvm::cast<MemRefType>(buffers.weights.getType()).getRank() == 3)
    return {head, f, d};
  return {f, d};
}

void LinearAttentionLowering::emitQueryFeatures(ImplicitLocOpBuilder &b,
                                                Value batch, Value head,
                                                Value i) {
  Value zero = cst(b, 0);
  Value x = ScoreEmitter::loadVectorAsF32(b, buffers.query,
                                          {batch, head, i, zero}, headDim);
  auto store = [&](ImplicitLocOpBuilder &ib, Value v, Value at) {
    vector::StoreOp::create(ib, v, queryFeatures, at);
  };
  switch (map) {
  case FeatureMap::identity:
    store(b, x, zero);
    return;
  case FeatureMap::elu_plus_one:
  case FeatureMap::relu:
  case FeatureMap::exp:
    store(b, emitElementwise(b, x), zero);
    return;
  case FeatureMap::softmax: {
    Value m =
        vector::ReductionOp::create(b, vector::CombiningKind::MAXIMUMF, x);
    Value e = math::ExpOp::create(
        b, arith::SubFOp::create(b, x, broadcast(b, headDim, m)));
    store(b, arith::DivFOp::create(b, e, broadcast(b, headDim, sum(b, e))),
          zero);
    return;
  }
  case FeatureMap::random_features: {
    // exp(W x - |x|^2 / 2) / sqrt(F), one row of W at a time.
    Value half = arith::MulFOp::create(
        b, sum(b, arith::MulFOp::create(b, x, x)), f32(b, 0.5));
    Value scale = f32(b, 1.0 / std::sqrt(static_cast<double>(featureDim)));
    loop(b, zero, cst(b, featureDim), [&](ImplicitLocOpBuilder &ib, Value f) {
      Value w = ScoreEmitter::loadVectorAsF32(
          ib, buffers.weights, weightIndices(ib, head, f, cst(ib, 0)), headDim);
      Value dot = sum(ib, arith::MulFOp::create(ib, w, x));
      memref::StoreOp::create(
          ib,
          arith::MulFOp::create(
              ib, math::ExpOp::create(ib, arith::SubFOp::create(ib, dot, half)),
              scale),
          queryFeatures, f);
    });
    return;
  }
  case FeatureMap::taylor: {
    // [1, x, vec(x x^T) / sqrt 2]: row a of the outer product is
    // x_a / sqrt 2 * x.
    memref::StoreOp::create(b, f32(b, 1.0), queryFeatures, zero);
    store(b, x, cst(b, 1));
    loop(b, zero, cst(b, headDim), [&](ImplicitLocOpBuilder &ib, Value a) {
      Value linearAt = arith::AddIOp::create(ib, a, cst(ib, 1));
      Value xa = memref::LoadOp::create(ib, queryFeatures, linearAt);
      Value scaled = arith::MulFOp::create(ib, xa, f32(ib, M_SQRT1_2));
      Value at =
          arith::AddIOp::create(ib, cst(ib, 1 + headDim),
                                arith::MulIOp::create(ib, a, cst(ib, headDim)));
      store(ib, arith::MulFOp::create(ib, broadcast(ib, headDim, scaled), x),
            at);
    });
    return;
  }
  }
}

void LinearAttentionLowering::emitKeyTile(ImplicitLocOpBuilder &b, Value batch,
                                          Value kvHead, Value head, Value start,
                                          Value count) {
  Value zero = cst(b, 0), dims = cst(b, headDim), c = cst(b, chunk);
  loop(b, zero, count, [&](ImplicitLocOpBuilder &ib, Value k) {
    Value j = arith::AddIOp::create(ib, start, k);
    loop(ib, cst(ib, 0), dims, [&](ImplicitLocOpBuilder &jb, Value d) {
      memref::StoreOp::create(
          jb,
          ScoreEmitter::toF32(
              jb, memref::LoadOp::create(jb, buffers.key,
                                         ValueRange{batch, kvHead, j, d})),
          keyRaw, ValueRange{d, k});
    });
    vector::StoreOp::create(
        ib,
        ScoreEmitter::loadVectorAsF32(ib, buffers.value,
                                      {batch, kvHead, j, cst(ib, 0)}, valueDim),
        valueTile, ValueRange{k, cst(ib, 0)});
  });
  // Past the keys (the last chunk): zeros, so the features stay finite; the
  // key mask then drops them.
  loop(b, count, c, [&](ImplicitLocOpBuilder &ib, Value k) {
    loop(ib, cst(ib, 0), dims, [&](ImplicitLocOpBuilder &jb, Value d) {
      memref::StoreOp::create(jb, f32(jb, 0.0), keyRaw, ValueRange{d, k});
    });
  });

  VectorType row = vec(b, chunk);
  auto loadRaw = [&](ImplicitLocOpBuilder &ib, Value d) -> Value {
    return vector::LoadOp::create(ib, row, keyRaw, ValueRange{d, cst(ib, 0)});
  };
  auto storeFeature = [&](ImplicitLocOpBuilder &ib, Value v, Value f) {
    vector::StoreOp::create(ib, v, keyFeatures, ValueRange{f, cst(ib, 0)});
  };
  switch (map) {
  case FeatureMap::identity:
  case FeatureMap::taylor:
    return; // Read from keyRaw directly.
  case FeatureMap::elu_plus_one:
  case FeatureMap::relu:
  case FeatureMap::exp:
    loop(b, zero, dims, [&](ImplicitLocOpBuilder &ib, Value d) {
      storeFeature(ib, emitElementwise(ib, loadRaw(ib, d)), d);
    });
    return;
  case FeatureMap::softmax: {
    // Over the D rows of each column: max, then exp and sum, then scale.
    Value m = reduce(
        b, cst(b, 1), dims, loadRaw(b, zero),
        [&](ImplicitLocOpBuilder &ib, Value d,
            ValueRange carried) -> SmallVector<Value> {
          return {arith::MaximumFOp::create(ib, carried[0], loadRaw(ib, d))};
        })[0];
    Value total =
        reduce(b, zero, dims, splat(b, chunk, 0.0),
               [&](ImplicitLocOpBuilder &ib, Value d,
                   ValueRange carried) -> SmallVector<Value> {
                 Value e = math::ExpOp::create(
                     ib, arith::SubFOp::create(ib, loadRaw(ib, d), m));
                 storeFeature(ib, e, d);
                 return {arith::AddFOp::create(ib, carried[0], e)};
               })[0];
    Value inverse = arith::DivFOp::create(b, splat(b, chunk, 1.0), total);
    loop(b, zero, dims, [&](ImplicitLocOpBuilder &ib, Value d) {
      Value e =
          vector::LoadOp::create(ib, row, keyFeatures, ValueRange{d, zero});
      storeFeature(ib, arith::MulFOp::create(ib, e, inverse), d);
    });
    return;
  }
  case FeatureMap::random_features: {
    Value halfNorm = arith::MulFOp::create(
        b,
        reduce(b, zero, dims, splat(b, chunk, 0.0),
               [&](ImplicitLocOpBuilder &ib, Value d,
                   ValueRange carried) -> SmallVector<Value> {
                 Value k = loadRaw(ib, d);
                 return {vector::FMAOp::create(ib, k, k, carried[0])};
               })[0],
        splat(b, chunk, 0.5));
    Value scale = splat(b, chunk, 1.0 / std::sqrt(double(featureDim)));
    loop(b, zero, cst(b, featureDim), [&](ImplicitLocOpBuilder &ib, Value f) {
      Value dot = reduce(
          ib, cst(ib, 0), dims, splat(ib, chunk, 0.0),
          [&](ImplicitLocOpBuilder &jb, Value d,
              ValueRange carried) -> SmallVector<Value> {
            Value w = ScoreEmitter::toF32(
                jb, memref::LoadOp::create(jb, buffers.weights,
                                           weightIndices(jb, head, f, d)));
            return {vector::FMAOp::create(jb, broadcast(jb, chunk, w),
                                          loadRaw(jb, d), carried[0])};
          })[0];
      storeFeature(
          ib,
          arith::MulFOp::create(
              ib,
              math::ExpOp::create(ib, arith::SubFOp::create(ib, dot, halfNorm)),
              scale),
          f);
    });
    return;
  }
  }
}

void LinearAttentionLowering::forEachKeyFeatureRow(ImplicitLocOpBuilder &b,
                                                   const RowCallback &fn) {
  Value zero = cst(b, 0);
  VectorType row = vec(b, chunk);
  auto load = [&](ImplicitLocOpBuilder &ib, Value buffer, Value f) -> Value {
    return vector::LoadOp::create(ib, row, buffer, ValueRange{f, cst(ib, 0)});
  };
  if (map != FeatureMap::taylor) {
    loop(b, zero, cst(b, featureDim), [&](ImplicitLocOpBuilder &ib, Value f) {
      fn(ib, f, load(ib, keyFeatures, f));
    });
    return;
  }
  // [1, k, vec(k k^T) / sqrt 2], formed from the raw tile.
  fn(b, zero, splat(b, chunk, 1.0));
  Value dims = cst(b, headDim);
  loop(b, zero, dims, [&](ImplicitLocOpBuilder &ib, Value d) {
    fn(ib, arith::AddIOp::create(ib, d, cst(ib, 1)), load(ib, keyRaw, d));
  });
  loop(b, zero, dims, [&](ImplicitLocOpBuilder &ib, Value a) {
    Value ka = arith::MulFOp::create(ib, load(ib, keyRaw, a),
                                     splat(ib, chunk, M_SQRT1_2));
    Value base = arith::AddIOp::create(ib, cst(ib, 1 + headDim),
                                       arith::MulIOp::create(ib, a, dims));
    loop(ib, cst(ib, 0), dims, [&](ImplicitLocOpBuilder &jb, Value d) {
      fn(jb, arith::AddIOp::create(jb, base, d),
         arith::MulFOp::create(jb, ka, load(jb, keyRaw, d)));
    });
  });
}

Value LinearAttentionLowering::emitScores(ImplicitLocOpBuilder &b, Value batch,
                                          Value head, Value i) {
  Value zero = cst(b, 0);
  VectorType row = vec(b, chunk);
  if (map == FeatureMap::taylor) {
    // phi(q) . phi(k) = 1 + s + s^2 / 2 with s = q . k.
    Value s =
        reduce(b, zero, cst(b, headDim), splat(b, chunk, 0.0),
               [&](ImplicitLocOpBuilder &ib, Value d,
                   ValueRange carried) -> SmallVector<Value> {
                 Value q = ScoreEmitter::toF32(
                     ib, memref::LoadOp::create(ib, buffers.query,
                                                ValueRange{batch, head, i, d}));
                 Value k = vector::LoadOp::create(ib, row, keyRaw,
                                                  ValueRange{d, cst(ib, 0)});
                 return {vector::FMAOp::create(ib, broadcast(ib, chunk, q), k,
                                               carried[0])};
               })[0];
    Value linear = arith::AddFOp::create(b, s, splat(b, chunk, 1.0));
    return vector::FMAOp::create(
        b, s, arith::MulFOp::create(b, s, splat(b, chunk, 0.5)), linear);
  }
  // Identity features have either sign, so a normalised row's denominator
  // can cancel: its scores are summed in f64 (see norm).
  bool wide = hasWideScores();
  Value init = splat(b, chunk, 0.0);
  if (wide)
    init = widen(b, init);
  return reduce(b, zero, cst(b, featureDim), init,
                [&](ImplicitLocOpBuilder &ib, Value f,
                    ValueRange carried) -> SmallVector<Value> {
                  Value q = broadcast(
                      ib, chunk, memref::LoadOp::create(ib, queryFeatures, f));
                  Value k = vector::LoadOp::create(ib, row, keyFeatures,
                                                   ValueRange{f, cst(ib, 0)});
                  if (wide) {
                    q = widen(ib, q);
                    k = widen(ib, k);
                  }
                  return {vector::FMAOp::create(ib, q, k, carried[0])};
                })[0];
}

std::pair<Value, Value>
LinearAttentionLowering::emitStateProduct(ImplicitLocOpBuilder &b) {
  ValueRange sums =
      reduce(b, cst(b, 0), cst(b, featureDim),
             ValueRange{splat(b, valueDim, 0.0), f64(b, 0.0)},
             [&](ImplicitLocOpBuilder &ib, Value f,
                 ValueRange carried) -> SmallVector<Value> {
               Value q = memref::LoadOp::create(ib, queryFeatures, f);
               Value s = vector::LoadOp::create(ib, vec(ib, valueDim), state,
                                                ValueRange{f, cst(ib, 0)});
               Value z = memref::LoadOp::create(ib, norm, f);
               return {vector::FMAOp::create(ib, broadcast(ib, valueDim, q), s,
                                             carried[0]),
                       math::FmaOp::create(ib, widen(ib, q), z, carried[1])};
             });
  return {sums[0], sums[1]};
}

void LinearAttentionLowering::emitStateUpdate(ImplicitLocOpBuilder &b,
                                              Value keyWeights, Value count,
                                              Value carry) {
  forEachKeyFeatureRow(b, [&](ImplicitLocOpBuilder &ib, Value f, Value row) {
    Value weighted = arith::MulFOp::create(ib, row, keyWeights);
    vector::StoreOp::create(ib, weighted, weightRow, cst(ib, 0));
    // The chunk's sum on its own, then added to the carried state: blocked
    // summation, so rounding grows with the chunks, not the keys.
    Value chunkSum = emitWeightedValues(ib, count);
    Value s = vector::LoadOp::create(ib, vec(ib, valueDim), state,
                                     ValueRange{f, cst(ib, 0)});
    Value z = memref::LoadOp::create(ib, norm, f);
    if (carry) {
      s = arith::MulFOp::create(ib, s, broadcast(ib, valueDim, carry));
      z = arith::MulFOp::create(ib, z, widen(ib, carry));
    }
    s = arith::AddFOp::create(ib, s, chunkSum);
    vector::StoreOp::create(ib, s, state, ValueRange{f, cst(ib, 0)});
    memref::StoreOp::create(
        ib, arith::AddFOp::create(ib, z, sum(ib, widen(ib, weighted))), norm,
        f);
  });
}

Value LinearAttentionLowering::emitWeightedValues(ImplicitLocOpBuilder &b,
                                                  Value count) {
  return reduce(b, cst(b, 0), count, splat(b, valueDim, 0.0),
                [&](ImplicitLocOpBuilder &ib, Value k,
                    ValueRange carried) -> SmallVector<Value> {
                  Value w = memref::LoadOp::create(ib, weightRow, k);
                  Value v =
                      vector::LoadOp::create(ib, vec(ib, valueDim), valueTile,
                                             ValueRange{k, cst(ib, 0)});
                  return {vector::FMAOp::create(ib, broadcast(ib, valueDim, w),
                                                v, carried[0])};
                })[0];
}

void LinearAttentionLowering::emitStoreRow(ImplicitLocOpBuilder &b, Value batch,
                                           Value head, Value i, Value acc,
                                           Value denominator) {
  if (op.getNormalize()) {
    Value eps = f64(b, op.getEps().convertToDouble());
    Value total = arith::TruncFOp::create(
        b, b.getF32Type(), arith::AddFOp::create(b, denominator, eps));
    acc = arith::DivFOp::create(b, acc, broadcast(b, valueDim, total));
  }
  auto type = llvm::cast<MemRefType>(output.getType());
  if (type.getElementType() != b.getF32Type())
    acc = arith::TruncFOp::create(
        b, VectorType::get({valueDim}, type.getElementType()), acc);
  vector::StoreOp::create(b, acc, output,
                          ValueRange{batch, head, i, cst(b, 0)});
}

} // namespace

int64_t mlir::attn::getLinearAttentionChunk(LinearAttentionOp op,
                                            int64_t requested) {
  FeatureMap map = op.getFeatureMap();
  // Taylor keeps only the raw tile [D, C]; the others their features [F, C].
  int64_t width = map == FeatureMap::taylor
                      ? op.getQuery().getType().getDimSize(3)
                      : op.getFeatureDim();
  int64_t chunk = std::max<int64_t>(requested, 1);
  while (chunk > kMinChunk &&
         width * chunk * static_cast<int64_t>(sizeof(float)) >
             kFeatureTileBytes)
    chunk /= 2;
  return chunk;
}

void mlir::attn::emitLinearAttention(ImplicitLocOpBuilder &b,
                                     LinearAttentionOp op,
                                     const LinearAttentionBuffers &buffers,
                                     Value output, int64_t chunk) {
  LinearAttentionLowering(op, buffers, output, chunk).emit(b);
}
