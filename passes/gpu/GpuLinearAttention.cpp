//===- GpuLinearAttention.cpp - Chunked linear attention on a GPU ---------===//
//
// One block per (batch b, query head h). Where its threads compute the
// products, shared memory (f32) holds the chunk's query features phiQ [C, F]
// and key features phiK [C, F] (rows padded by one against bank conflicts), its
// values V [C, Dv], the carried state S [F, Dv] and z [F], the chunk's
// weights P [C, C] and the rows' denominators [C]; random features stage
// the raw rows [C, D] too.
//
// Causal, chunk n of positions [nC, nC + C):
//   P[r][c] = lambda^(r - c) phiQ_r . phiK_c   for c <= r, key c present
//   o_r     = lambda^r phiQ_r S + sum_c P[r][c] V_c
//   den_r   = lambda^r phiQ_r . z + sum_c P[r][c]
//   S      <- lambda^C S + sum_c lambda^(C - c) phiK_c V_c^T  (z likewise)
// where the row of position nC + r is i = nC + r - offset (offset = Skv -
// Sq bottom-right, 0 top-left), so S holds lambda^(nC - j) phi(k_j) v_j^T.
// Non-causal: S and z over every key chunk first, then each query chunk's
// rows phiQ S / (phiQ . z + eps). Rows without keys, before the first
// position and past q_len get 0, as VARIANTS.md section 6 says.
//
// Where the operands are f16 or bf16 and F and Dv multiples of 16 (up to
// 128), the chunk products run on the matrix units (GpuKernel.h), each warp
// taking blocks of sixteen rows:
//   - phi(Q) phi(K)^T and P V as the softmax kernel computes Q K^T and P V;
//   - phi(Q) S with S^T's Dv rows as the keys;
//   - the update (w phi(K))^T V with V^T's rows as the keys.
// Past Dv = 32 each block takes 32 of the value columns (the grid's y spans
// heads x Dv / 32): it keeps S [F, 32] and recomputes phi(Q) phi(K)^T, and
// the grid has Dv / 32 times the blocks.
// The units take operands in the input type, so the f32 values are split
// into a high and a low half, each product made twice: S^T (kept in f32),
// the decayed phi(K)^T and, in bf16, the weights P. f16 first scales each
// column of S so that its largest is 16384 (S outgrows f16's range) and
// each row of P so that its largest is 1. The features themselves are rounded
// to the input type, as the narrow model of the oracle rounds them; z and the
// denominators stay on the threads. Otherwise (f32, other sizes) the threads
// compute every product, an output element each in turn.
//
//===----------------------------------------------------------------------===//

#include "GpuLinearAttention.h"

#include "../ScoreEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The smallest chunk the kernel takes before it gives up on shared memory.
constexpr int64_t kMinChunk = 8;
/// The largest F and Dv whose fragments the matrix-unit path holds.
constexpr int64_t kMaxMatrixDim = 128;
/// Elements padding each row of a matrix unit's operand (16 bytes, so that
/// rows stay aligned for ldmatrix and fall in different banks).
constexpr int64_t kPad = 8;
/// What the f16 state's rows are scaled to before they are split into two
/// f16 halves: far from f16's largest value, 65504.
constexpr double kF16StateScale = 16384.0;

class LinearKernelBuilder {
public:
  LinearKernelBuilder(LinearAttentionOp op, const IRMapping &mapping,
                      const GpuTarget &target,
                      const MatrixUnitFactory &makeUnit, PlantedFault fault)
      : op(op), target(target), makeUnit(makeUnit), fault(fault),
        map(op.getFeatureMap()), headDim(op.getQuery().getType().getDimSize(3)),
        valueDim(op.getValue().getType().getDimSize(3)),
        featureDim(op.getFeatureDim()),
        heads(op.getQuery().getType().getDimSize(1)),
        group(heads / op.getKey().getType().getDimSize(1)) {
    auto buffer = [&](Value v) { return v ? mapping.lookup(v) : Value(); };
    query = buffer(op.getQuery());
    key = buffer(op.getKey());
    value = buffer(op.getValue());
    qLen = buffer(op.getQLen());
    kvLen = buffer(op.getKvLen());
    weights = buffer(op.getWeights());
    output = buffer(op.getOutput());
    for (int64_t h = 0; h < heads; ++h)
      hasDecay |= op.getDecayAt(h) != 1.0;
    wide = map == FeatureMap::identity && op.getNormalize();
    blockColumns = valueDim;
    element = op.getQuery().getType().getElementType();
    keyElement = op.getKey().getType().getElementType();
    valueElement = op.getValue().getType().getElementType();
  }

  /// The shared memory of chunk length `c`, in bytes.
  int64_t sharedBytes(int64_t c) const {
    int64_t words =
        2 * c * (featureDim + 1) + c * valueDim + featureDim * valueDim + c * c;
    if (map == FeatureMap::random_features || map == FeatureMap::taylor)
      words += c * (headDim + 1);
    // z and the denominators, 8-byte aligned where they are f64.
    int64_t wideBytes = wide ? 8 : 4;
    return int64_t(llvm::alignTo(4 * words, wideBytes)) +
           wideBytes * (featureDim + c);
  }

  /// Whether the chunk products can run on the matrix units: f16 or bf16
  /// operands, and F and Dv multiples of 16 whose fragments fit the
  /// registers.
  bool matrixEligible() const {
    if (!element.isF16() && !element.isBF16())
      return false;
    if (keyElement != element || valueElement != element)
      return false;
    return featureDim % 16 == 0 && valueDim % 16 == 0 &&
           featureDim <= kMaxMatrixDim && valueDim <= kMaxMatrixDim;
  }

  /// The value columns a block takes on the matrix units: 32 of a wider
  /// Dv (the grid's y then spans Dv / 32 blocks per head, which keep their
  /// own S [F, 32] and recompute P), else all of them.
  int64_t matrixBlockColumns() const {
    return valueDim > 32 && valueDim % 32 == 0 ? 32 : valueDim;
  }

  /// The shared memory of chunk length `c` on the matrix units, in bytes.
  int64_t matrixSharedBytes(int64_t c) const {
    int64_t bytes = 0;
    auto add = [&](int64_t elements, int64_t size) {
      bytes = int64_t(llvm::alignTo(bytes, 16)) + elements * size;
    };
    int64_t e = element.getIntOrFloatBitWidth() / 8;
    int64_t n = matrixBlockColumns();
    add(c * (featureDim + 1), 4); // phi(Q), f32
    add(c * (featureDim + 1), 4); // phi(K), f32
    if (map == FeatureMap::random_features || map == FeatureMap::taylor)
      add(c * (headDim + 1), 4);
    add(featureDim * n, 4);          // S, f32
    add(n, 4);                       // its columns' scales
    add(c * (featureDim + kPad), e); // phi(Q)
    add(c * (featureDim + kPad), e); // phi(K)
    add(c * (n + kPad), e);          // V
    add(n * (c + kPad), e);          // V^T
    for (int half = 0; half < (hasDecay ? 2 : 1); ++half)
      add(featureDim * (c + kPad), e); // decayed phi(K)^T, high, low
    for (int half = 0; half < 2; ++half)
      add(n * (featureDim + kPad), e); // S^T, high and low
    add(featureDim, wide ? 8 : 4);
    add(c, wide ? 8 : 4);
    return bytes;
  }

  /// Picks the chunk: the largest of 64, 32, ... whose buffers fit, on the
  /// matrix units where they take the operands, else on the threads.
  LogicalResult chooseChunk() {
    if (matrixEligible())
      for (chunk = 64; chunk >= GpuTarget::kWarpRows; chunk /= 2)
        if (matrixSharedBytes(chunk) <= target.maxSharedBytes) {
          matrix = true;
          blockColumns = matrixBlockColumns();
          return success();
        }
    for (chunk = 64; chunk >= kMinChunk; chunk /= 2)
      if (sharedBytes(chunk) <= target.maxSharedBytes)
        return success();
    return op.emitOpError()
           << "keeps a state of " << featureDim << " x " << valueDim
           << " features (" << 4 * featureDim * valueDim
           << " bytes) that, with chunks of " << kMinChunk
           << " positions, needs " << sharedBytes(kMinChunk)
           << " bytes of shared memory per block, more than the " << target.chip
           << "'s " << target.maxSharedBytes << ", which the " << target.vendor
           << " backend does not lower yet (the CPU backend and the reference "
              "oracle evaluate it)";
  }

  /// The blocks of value columns per head (the grid's y is heads times
  /// this).
  int64_t getColumnBlocks() const { return valueDim / blockColumns; }
  int64_t getSharedBytes() const {
    return matrix ? matrixSharedBytes(chunk) : sharedBytes(chunk);
  }

  void emit(ImplicitLocOpBuilder &b);

private:
  Value cst(ImplicitLocOpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }
  Value f32(ImplicitLocOpBuilder &b, double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value add(ImplicitLocOpBuilder &b, Value x, Value y) {
    return arith::AddIOp::create(b, x, y);
  }
  Value sub(ImplicitLocOpBuilder &b, Value x, Value y) {
    return arith::SubIOp::create(b, x, y);
  }
  Value mul(ImplicitLocOpBuilder &b, Value x, Value y) {
    return arith::MulIOp::create(b, x, y);
  }
  Value lt(ImplicitLocOpBuilder &b, Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::slt, x, y);
  }
  Value le(ImplicitLocOpBuilder &b, Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::sle, x, y);
  }
  Value both(ImplicitLocOpBuilder &b, Value x, Value y) {
    return arith::AndIOp::create(b, x, y);
  }
  Value clamp(ImplicitLocOpBuilder &b, Value x, Value low, Value high) {
    return arith::MinSIOp::create(b, arith::MaxSIOp::create(b, x, low), high);
  }
  void barrier(ImplicitLocOpBuilder &b) { gpu::BarrierOp::create(b); }
  /// A loop [from, to) with step `step`.
  void loop(ImplicitLocOpBuilder &b, Value from, Value to, Value step,
            llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> fn) {
    scf::ForOp::create(
        b, from, to, step, ValueRange{},
        [&](OpBuilder &nested, Location loc, Value iv, ValueRange) {
          ImplicitLocOpBuilder ib(loc, nested);
          fn(ib, iv);
          scf::YieldOp::create(ib);
        });
  }
  /// Each of [0, count) once, spread over the block's threads.
  void
  forEachOnThreads(ImplicitLocOpBuilder &b, Value count,
                   llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> fn) {
    loop(b, tid, count, cst(b, target.threads()), fn);
  }
  /// sum_{k in [from, to)} term(k), in `type` (f32 if null).
  Value sum(ImplicitLocOpBuilder &b, Value from, Value to,
            llvm::function_ref<Value(ImplicitLocOpBuilder &, Value)> term,
            Type type = {}) {
    Value zero = arith::ConstantOp::create(
        b, b.getFloatAttr(type ? type : b.getF32Type(), 0.0));
    return scf::ForOp::create(b, from, to, cst(b, 1), ValueRange{zero},
                              [&](OpBuilder &nested, Location loc, Value k,
                                  ValueRange carried) {
                                ImplicitLocOpBuilder ib(loc, nested);
                                scf::YieldOp::create(
                                    ib, ValueRange{arith::AddFOp::create(
                                            ib, carried[0], term(ib, k))});
                              })
        .getResult(0);
  }
  void ifThen(ImplicitLocOpBuilder &b, Value condition,
              llvm::function_ref<void(ImplicitLocOpBuilder &)> fn) {
    scf::IfOp::create(b, condition, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder ib(loc, nested);
      fn(ib);
      scf::YieldOp::create(ib);
    });
  }
  Value load(ImplicitLocOpBuilder &b, Value buffer, ValueRange at) {
    return memref::LoadOp::create(b, buffer, at);
  }
  void store(ImplicitLocOpBuilder &b, Value v, Value buffer, ValueRange at) {
    memref::StoreOp::create(b, v, buffer, at);
  }
  Value fmul(ImplicitLocOpBuilder &b, Value x, Value y) {
    return arith::MulFOp::create(b, x, y);
  }
  /// The type of z and the denominators: f64 for identity features
  /// normalised, whose phi(q) . z cancels (as on the CPU), else f32.
  bool isWide() const { return wide; }
  Type wideType(ImplicitLocOpBuilder &b) const {
    return isWide() ? Type(b.getF64Type()) : Type(b.getF32Type());
  }
  /// An f32 value in wideType().
  Value widen(ImplicitLocOpBuilder &b, Value x) {
    return isWide() ? Value(arith::ExtFOp::create(b, b.getF64Type(), x)) : x;
  }

  /// lambda^n of this block's head (n an index), 1 without decay.
  Value power(ImplicitLocOpBuilder &b, Value n);
  /// A length operand of batch `batch`, clamped to [0, full].
  Value length(ImplicitLocOpBuilder &b, Value lengths, Value full);
  /// Output rows [from, to) of this (b, h) set to 0.
  void zeroRows(ImplicitLocOpBuilder &b, Value from, Value to);
  /// phi of the rows r in [0, C) of `source` (rows `first + r` of head
  /// `sourceHead` there, present for r in [skip, count); the features of
  /// zeros elsewhere) into `features`.
  void loadFeatures(ImplicitLocOpBuilder &b, Value source, Value sourceHead,
                    Value first, Value skip, Value count, Value features);
  /// The block's columns of V rows [start, start + count) of the
  /// key/value head: into valueTile, or on the matrix units into their V
  /// and V^T.
  void loadValues(ImplicitLocOpBuilder &b, Value start, Value count);
  /// S <- carry S + sum_{c < count} w(c) phiK_c V_c^T, z likewise.
  void updateState(ImplicitLocOpBuilder &b, Value count, bool decayed);
  /// Writes o_r (normalised when the op says so) to row i of the output.
  void storeRow(ImplicitLocOpBuilder &b, Value i, Value d, Value acc,
                Value denominator);
  /// z <- carry z + sum_{c < count} w(c) phiK_c.
  void updateNorm(ImplicitLocOpBuilder &b, Value count, bool decayed);
  /// denominators[r] = lambda^r phiQ_r . z (lambda = 1 unless causal), plus,
  /// where `intra`, sum_{c <= r, c < count} P[r][c]: the weights in shared
  /// memory, or where wide their dot products again in f64.
  void emitDenominators(ImplicitLocOpBuilder &b, Value count, bool intra);
  void emitCausal(ImplicitLocOpBuilder &b);
  void emitNonCausal(ImplicitLocOpBuilder &b);

  // The matrix-unit path (matrix is set).
  /// The three units: phi(Q) phi(K)^T and P V (depth F, C keys), phi(Q) S
  /// (depth F, S^T's rows as keys), S's update (w phi(K))^T V (depth C,
  /// V^T's rows as keys).
  void makeUnits(ImplicitLocOpBuilder &b);
  /// fn(warpRow) for each block of sixteen of `rows` rows, spread over the
  /// warps.
  void forRowBlocks(ImplicitLocOpBuilder &b, int64_t rows,
                    llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> fn);
  /// The chunk's features in the input type: phi(Q) where `queries`;
  /// phi(K), and w(c) phi(K)^T (w(c) = lambda^(C - c) where `decayed`, 0
  /// past `count`) split into a high and a low half where `keys`.
  void stageOperands(ImplicitLocOpBuilder &b, Value count, bool queries,
                     bool keys, bool decayed);
  /// The outputs of the chunk's rows r in [skipped, present) (row
  /// firstI + r): lambda^r phiQ_r S and, where `intra`, + sum_c P[r][c] V_c.
  void emitChunkRows(ImplicitLocOpBuilder &b, Value firstI, Value skipped,
                     Value present, Value count, bool intra);
  /// S <- carry S + (w phi(K))^T V on the units, then S^T's halves.
  void updateStateOnUnits(ImplicitLocOpBuilder &b, bool decayed);
  Value toElement(ImplicitLocOpBuilder &b, Value x) {
    return arith::TruncFOp::create(b, element, x);
  }
  Value fromElement(ImplicitLocOpBuilder &b, Value x) {
    return arith::ExtFOp::create(b, b.getF32Type(), x);
  }

  LinearAttentionOp op;
  const GpuTarget &target;
  const MatrixUnitFactory &makeUnit;
  PlantedFault fault;
  FeatureMap map;
  int64_t headDim, valueDim, featureDim, heads, group;
  bool hasDecay = false, wide = false, matrix = false;
  int64_t chunk = 0;
  /// The value columns of each block (all of them on the threads).
  int64_t blockColumns = 0;
  Type element, keyElement, valueElement;

  Value query, key, value, qLen, kvLen, weights, output;
  Value tid, batch, head, kvHead, rows, keys, queryLen;
  /// The block's first value column.
  Value columnBase;
  /// Shared memory.
  Value queryFeatures, keyFeatures, valueTile, state, norm, scores,
      denominators, raw;
  Value logDecay;
  /// The matrix-unit path's units and shared buffers, for the block's n
  /// value columns (in the input type unless said): phi(Q) [C, F], phi(K)
  /// [1, C, F], V [1, C, n], V^T [1, n, C], the halves of w phi(K)^T
  /// [F, C] and of S^T [1, n, F]; `state` holds S [F, n] in f32, and
  /// `stateScale` what S^T's rows were divided by before they were split
  /// (f16 only).
  std::unique_ptr<MatrixUnit> productUnit, stateUnit, updateUnit;
  Value warp;
  Value queryOperand, keyOperand, valueOperand, valueColumns, stateScale;
  SmallVector<Value, 2> keyColumns, stateHalves;
};

Value LinearKernelBuilder::power(ImplicitLocOpBuilder &b, Value n) {
  if (!hasDecay)
    return f32(b, 1.0);
  Value exponent = arith::SIToFPOp::create(
      b, b.getF32Type(), arith::IndexCastOp::create(b, b.getI32Type(), n));
  return math::Exp2Op::create(b, fmul(b, exponent, logDecay));
}

Value LinearKernelBuilder::length(ImplicitLocOpBuilder &b, Value lengths,
                                  Value full) {
  if (!lengths)
    return full;
  Value n = ScoreEmitter::toIndex(b, load(b, lengths, batch));
  return clamp(b, n, cst(b, 0), full);
}

void LinearKernelBuilder::zeroRows(ImplicitLocOpBuilder &b, Value from,
                                   Value to) {
  Type outputElement =
      llvm::cast<MemRefType>(output.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, b.getFloatAttr(outputElement, 0.0));
  Value dims = cst(b, blockColumns);
  Value count =
      mul(b, arith::MaxSIOp::create(b, sub(b, to, from), cst(b, 0)), dims);
  forEachOnThreads(b, count, [&](ImplicitLocOpBuilder &ib, Value at) {
    Value i = add(ib, from, arith::DivUIOp::create(ib, at, dims));
    Value d = add(ib, columnBase, arith::RemUIOp::create(ib, at, dims));
    store(ib, zero, output, {batch, head, i, d});
  });
}

void LinearKernelBuilder::loadFeatures(ImplicitLocOpBuilder &b, Value source,
                                       Value sourceHead, Value first,
                                       Value skip, Value count,
                                       Value features) {
  Value zero = cst(b, 0), dims = cst(b, headDim);
  // The raw rows: into the features themselves where phi is elementwise or
  // a softmax over them (F = D), else into `raw`.
  bool staged = map == FeatureMap::random_features || map == FeatureMap::taylor;
  Value rawRows = staged ? raw : features;
  bool elementwise = map == FeatureMap::elu_plus_one ||
                     map == FeatureMap::relu || map == FeatureMap::exp;
  forEachOnThreads(
      b, cst(b, chunk * headDim), [&](ImplicitLocOpBuilder &ib, Value at) {
        Value r = arith::DivUIOp::create(ib, at, dims);
        Value d = arith::RemUIOp::create(ib, at, dims);
        Value present = both(ib, le(ib, skip, r), lt(ib, r, count));
        // Rows not present read row 0 and store 0.
        Value row =
            arith::SelectOp::create(ib, present, add(ib, first, r), zero);
        Value x = ScoreEmitter::toF32(
            ib, load(ib, source, {batch, sourceHead, row, d}));
        x = arith::SelectOp::create(ib, present, x, f32(ib, 0.0));
        if (elementwise) {
          Value zeroF = f32(ib, 0.0);
          switch (map) {
          case FeatureMap::elu_plus_one: {
            Value positive =
                arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT, x, zeroF);
            x = arith::SelectOp::create(
                ib, positive, arith::AddFOp::create(ib, x, f32(ib, 1.0)),
                math::ExpOp::create(ib,
                                    arith::MinimumFOp::create(ib, x, zeroF)));
            break;
          }
          case FeatureMap::relu:
            x = arith::MaximumFOp::create(ib, x, zeroF);
            break;
          default:
            x = math::ExpOp::create(ib, x);
            break;
          }
        }
        store(ib, x, rawRows, {r, d});
      });
  if (map == FeatureMap::softmax) {
    // softmax over the D features of each row, a thread per row.
    barrier(b);
    forEachOnThreads(b, cst(b, chunk), [&](ImplicitLocOpBuilder &ib, Value r) {
      Value m =
          scf::ForOp::create(
              ib, zero, dims, cst(ib, 1),
              ValueRange{f32(ib, -std::numeric_limits<float>::infinity())},
              [&](OpBuilder &nested, Location loc, Value d,
                  ValueRange carried) {
                ImplicitLocOpBuilder db(loc, nested);
                scf::YieldOp::create(
                    db, ValueRange{arith::MaximumFOp::create(
                            db, carried[0], load(db, features, {r, d}))});
              })
              .getResult(0);
      Value total = sum(ib, zero, dims, [&](ImplicitLocOpBuilder &db, Value d) {
        Value e = math::ExpOp::create(
            db, arith::SubFOp::create(db, load(db, features, {r, d}), m));
        store(db, e, features, {r, d});
        return e;
      });
      Value inverse = arith::DivFOp::create(ib, f32(ib, 1.0), total);
      loop(ib, zero, dims, cst(ib, 1), [&](ImplicitLocOpBuilder &db, Value d) {
        store(db, fmul(db, load(db, features, {r, d}), inverse), features,
              {r, d});
      });
    });
  }
  if (map == FeatureMap::taylor) {
    // [1, x, vec(x x^T) / sqrt 2], a thread per (row, feature).
    barrier(b);
    Value featureCount = cst(b, featureDim), one = cst(b, 1);
    forEachOnThreads(
        b, cst(b, chunk * featureDim), [&](ImplicitLocOpBuilder &ib, Value at) {
          Value r = arith::DivUIOp::create(ib, at, featureCount);
          Value f = arith::RemUIOp::create(ib, at, featureCount);
          // f = 1 + D + a D + e: x_a x_e / sqrt 2; f in [1, D]: x_(f - 1).
          Value quadratic = sub(ib, f, cst(ib, 1 + headDim));
          Value isQuadratic = le(ib, zero, quadratic);
          Value safe = arith::MaxSIOp::create(ib, quadratic, zero);
          Value a = arith::DivUIOp::create(ib, safe, dims);
          Value e = arith::RemUIOp::create(ib, safe, dims);
          Value linearAt = arith::MinSIOp::create(
              ib, arith::MaxSIOp::create(ib, sub(ib, f, one), zero),
              cst(ib, headDim - 1));
          Value product =
              fmul(ib, fmul(ib, load(ib, raw, {r, a}), load(ib, raw, {r, e})),
                   f32(ib, M_SQRT1_2));
          Value linear = load(ib, raw, {r, linearAt});
          Value feature = arith::SelectOp::create(
              ib, isQuadratic, product,
              arith::SelectOp::create(
                  ib,
                  arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, f, zero),
                  f32(ib, 1.0), linear));
          store(ib, feature, features, {r, f});
        });
    barrier(b);
  }
  if (map == FeatureMap::random_features) {
    // exp(W x - |x|^2 / 2) / sqrt(F), a thread per (row, feature).
    barrier(b);
    Value featureCount = cst(b, featureDim);
    Value scale = f32(b, 1.0 / std::sqrt(double(featureDim)));
    bool perHead = llvm::cast<MemRefType>(weights.getType()).getRank() == 3;
    forEachOnThreads(
        b, cst(b, chunk * featureDim), [&](ImplicitLocOpBuilder &ib, Value at) {
          Value r = arith::DivUIOp::create(ib, at, featureCount);
          Value f = arith::RemUIOp::create(ib, at, featureCount);
          Value dot =
              sum(ib, zero, dims, [&](ImplicitLocOpBuilder &db, Value d) {
                SmallVector<Value> w = perHead ? SmallVector<Value>{head, f, d}
                                               : SmallVector<Value>{f, d};
                return fmul(db, ScoreEmitter::toF32(db, load(db, weights, w)),
                            load(db, raw, {r, d}));
              });
          Value squares =
              sum(ib, zero, dims, [&](ImplicitLocOpBuilder &db, Value d) {
                Value x = load(db, raw, {r, d});
                return fmul(db, x, x);
              });
          Value exponent =
              arith::SubFOp::create(ib, dot, fmul(ib, squares, f32(ib, 0.5)));
          store(ib, fmul(ib, math::ExpOp::create(ib, exponent), scale),
                features, {r, f});
        });
    // The raw rows are staged again for the next operand.
    barrier(b);
  }
}

void LinearKernelBuilder::loadValues(ImplicitLocOpBuilder &b, Value start,
                                     Value count) {
  Value dims = cst(b, blockColumns), zero = cst(b, 0);
  forEachOnThreads(
      b, cst(b, chunk * blockColumns), [&](ImplicitLocOpBuilder &ib, Value at) {
        Value c = arith::DivUIOp::create(ib, at, dims);
        Value d = arith::RemUIOp::create(ib, at, dims);
        Value present = lt(ib, c, count);
        Value row =
            arith::SelectOp::create(ib, present, add(ib, start, c), cst(ib, 0));
        Value v = load(ib, value, {batch, kvHead, row, add(ib, columnBase, d)});
        if (!matrix) {
          v = ScoreEmitter::toF32(ib, v);
          store(ib, arith::SelectOp::create(ib, present, v, f32(ib, 0.0)),
                valueTile, {c, d});
          return;
        }
        v = arith::SelectOp::create(
            ib, present, v,
            arith::ConstantOp::create(ib, ib.getFloatAttr(element, 0.0)));
        store(ib, v, valueOperand, {zero, c, d});
        store(ib, v, valueColumns, {zero, d, c});
      });
}

void LinearKernelBuilder::updateState(ImplicitLocOpBuilder &b, Value count,
                                      bool decayed) {
  Value zero = cst(b, 0), dims = cst(b, valueDim);
  Value carry = decayed ? power(b, cst(b, chunk)) : f32(b, 1.0);
  auto weight = [&](ImplicitLocOpBuilder &ib, Value c) {
    return decayed ? power(ib, sub(ib, cst(ib, chunk), c)) : f32(ib, 1.0);
  };
  forEachOnThreads(
      b, cst(b, featureDim * valueDim),
      [&](ImplicitLocOpBuilder &ib, Value at) {
        Value f = arith::DivUIOp::create(ib, at, dims);
        Value d = arith::RemUIOp::create(ib, at, dims);
        Value added =
            sum(ib, zero, count, [&](ImplicitLocOpBuilder &cb, Value c) {
              return fmul(
                  cb, fmul(cb, weight(cb, c), load(cb, keyFeatures, {c, f})),
                  load(cb, valueTile, {c, d}));
            });
        Value old = fmul(ib, carry, load(ib, state, {f, d}));
        store(ib, arith::AddFOp::create(ib, old, added), state, {f, d});
      });
  updateNorm(b, count, decayed);
}

void LinearKernelBuilder::updateNorm(ImplicitLocOpBuilder &b, Value count,
                                     bool decayed) {
  Value zero = cst(b, 0);
  Value carry = decayed ? power(b, cst(b, chunk)) : f32(b, 1.0);
  forEachOnThreads(
      b, cst(b, featureDim), [&](ImplicitLocOpBuilder &ib, Value f) {
        Value added = sum(
            ib, zero, count,
            [&](ImplicitLocOpBuilder &cb, Value c) {
              Value w = decayed ? power(cb, sub(cb, cst(cb, chunk), c))
                                : f32(cb, 1.0);
              return widen(cb, fmul(cb, w, load(cb, keyFeatures, {c, f})));
            },
            wideType(ib));
        Value old = fmul(ib, widen(ib, carry), load(ib, norm, f));
        store(ib, arith::AddFOp::create(ib, old, added), norm, f);
      });
}

void LinearKernelBuilder::emitDenominators(ImplicitLocOpBuilder &b, Value count,
                                           bool intra) {
  Value zero = cst(b, 0), f = cst(b, featureDim);
  Type type = wideType(b);
  forEachOnThreads(b, cst(b, chunk), [&](ImplicitLocOpBuilder &rb, Value r) {
    Value carried = sum(
        rb, zero, f,
        [&](ImplicitLocOpBuilder &db, Value e) {
          return fmul(db, widen(db, load(db, queryFeatures, {r, e})),
                      load(db, norm, e));
        },
        type);
    if (op.getCausal())
      carried = fmul(rb, widen(rb, power(rb, r)), carried);
    if (intra) {
      // The weights, or where wide their dot products again in f64.
      Value weights = sum(
          rb, zero, cst(rb, chunk),
          [&](ImplicitLocOpBuilder &db, Value k) -> Value {
            if (!isWide())
              return load(db, scores, {r, k});
            Value kept = both(db, le(db, k, r), lt(db, k, count));
            Value dot = sum(
                db, zero, f,
                [&](ImplicitLocOpBuilder &eb, Value e) {
                  return fmul(eb, widen(eb, load(eb, queryFeatures, {r, e})),
                              widen(eb, load(eb, keyFeatures, {k, e})));
                },
                type);
            Value weighted = fmul(db, dot, widen(db, power(db, sub(db, r, k))));
            return arith::SelectOp::create(
                db, kept, weighted,
                arith::ConstantOp::create(db, db.getFloatAttr(type, 0.0)));
          },
          type);
      carried = arith::AddFOp::create(rb, carried, weights);
    }
    store(rb, carried, denominators, r);
  });
}

void LinearKernelBuilder::storeRow(ImplicitLocOpBuilder &b, Value i, Value d,
                                   Value acc, Value denominator) {
  if (op.getNormalize()) {
    Value eps = arith::ConstantOp::create(
        b, b.getFloatAttr(wideType(b), op.getEps().convertToDouble()));
    Value total = arith::AddFOp::create(b, denominator, eps);
    if (isWide())
      total = arith::TruncFOp::create(b, b.getF32Type(), total);
    acc = arith::DivFOp::create(b, acc, total);
  }
  Type outputElement =
      llvm::cast<MemRefType>(output.getType()).getElementType();
  if (outputElement != acc.getType())
    acc = arith::TruncFOp::create(b, outputElement, acc);
  store(b, acc, output, {batch, head, i, add(b, columnBase, d)});
}

void LinearKernelBuilder::makeUnits(ImplicitLocOpBuilder &b) {
  warp = arith::DivUIOp::create(b, tid, cst(b, target.warpSize));
  Value lane = arith::RemUIOp::create(b, tid, cst(b, target.warpSize));
  productUnit =
      makeUnit(target, {element, featureDim, blockColumns, chunk}, fault);
  stateUnit = makeUnit(
      target, {element, featureDim, blockColumns, blockColumns}, fault);
  updateUnit =
      makeUnit(target, {element, chunk, blockColumns, blockColumns}, fault);
  for (MatrixUnit *unit :
       {productUnit.get(), stateUnit.get(), updateUnit.get()}) {
    unit->emitLaneValues(b, lane);
    unit->emitFragmentAddresses(b);
  }
}

void LinearKernelBuilder::forRowBlocks(
    ImplicitLocOpBuilder &b, int64_t rows,
    llvm::function_ref<void(ImplicitLocOpBuilder &, Value)> fn) {
  loop(b, warp, cst(b, rows / GpuTarget::kWarpRows), cst(b, target.warps),
       [&](ImplicitLocOpBuilder &ib, Value block) {
         fn(ib, mul(ib, block, cst(ib, GpuTarget::kWarpRows)));
       });
}

void LinearKernelBuilder::stageOperands(ImplicitLocOpBuilder &b, Value count,
                                        bool queries, bool keys, bool decayed) {
  Value features = cst(b, featureDim), zero = cst(b, 0);
  auto each =
      [&](llvm::function_ref<void(ImplicitLocOpBuilder &, Value, Value)> fn) {
        forEachOnThreads(b, cst(b, chunk * featureDim),
                         [&](ImplicitLocOpBuilder &ib, Value at) {
                           fn(ib, arith::DivUIOp::create(ib, at, features),
                              arith::RemUIOp::create(ib, at, features));
                         });
      };
  // The features as the units take them, rounded to the input type, also
  // in the f32 copies that z and the denominators read: the numerators and
  // the denominators then see the same features.
  if (queries)
    each([&](ImplicitLocOpBuilder &ib, Value r, Value f) {
      Value x = toElement(ib, load(ib, queryFeatures, {r, f}));
      store(ib, x, queryOperand, {r, f});
      store(ib, fromElement(ib, x), queryFeatures, {r, f});
    });
  if (!keys)
    return;
  each([&](ImplicitLocOpBuilder &ib, Value c, Value f) {
    Value rounded = toElement(ib, load(ib, keyFeatures, {c, f}));
    Value x = fromElement(ib, rounded);
    store(ib, rounded, keyOperand, {zero, c, f});
    store(ib, x, keyFeatures, {c, f});
    // w(c) phi(K)[c][f] as high + low halves; undecayed, the rounded
    // phi(K) is the high half exactly.
    Value w = decayed ? power(ib, sub(ib, cst(ib, chunk), c)) : f32(ib, 1.0);
    Value weighted = arith::SelectOp::create(ib, lt(ib, c, count),
                                             fmul(ib, w, x), f32(ib, 0.0));
    Value high = toElement(ib, weighted);
    store(ib, high, keyColumns[0], {f, c});
    if (decayed)
      store(ib,
            toElement(
                ib, arith::SubFOp::create(ib, weighted, fromElement(ib, high))),
            keyColumns[1], {f, c});
  });
}

void LinearKernelBuilder::emitChunkRows(ImplicitLocOpBuilder &b, Value firstI,
                                        Value skipped, Value present,
                                        Value count, bool intra) {
  MatrixUnit &unit = *productUnit;
  int64_t columns = unit.fragmentColumns, run = unit.run,
          threadRows = unit.threadRows();
  bool scaled = element.isF16();
  auto fragment = VectorType::get({4}, b.getF32Type());
  Value zeroFragment = arith::ConstantOp::create(
      b, DenseElementsAttr::get(fragment, b.getF32FloatAttr(0.0)));
  forRowBlocks(b, chunk, [&](ImplicitLocOpBuilder &ib, Value warpRow) {
    Value zero = cst(ib, 0), zeroF = f32(ib, 0.0);
    SmallVector<SmallVector<Value>> queryFragments;
    for (int64_t ks = 0; ks < featureDim / 16; ++ks)
      queryFragments.push_back(
          unit.emitQueryFragment(ib, queryOperand, warpRow, ks));
    // phi(Q) S, from the two halves of S^T.
    SmallVector<Value> acc(blockColumns / columns, zeroFragment);
    for (Value half : stateHalves)
      for (int64_t ks = 0; ks < featureDim / 16; ++ks)
        stateUnit->emitScores(ib, queryFragments[ks], half, zero, ks, acc);
    SmallVector<Value> rowOf;
    for (int64_t k = 0; k < threadRows; ++k)
      rowOf.push_back(unit.emitThreadRow(ib, warpRow, k));
    Value laneColumn = unit.emitLaneColumn(ib);
    // Element e of fragment n: thread row e / run, column
    // laneColumn + n * columns + e % run.
    auto forElements =
        [&](MutableArrayRef<Value> fragments,
            llvm::function_ref<Value(int64_t, Value, Value, Value)> fn) {
          for (int64_t n = 0, count = fragments.size(); n < count; ++n)
            for (int64_t e = 0; e < 4; ++e) {
              Value column =
                  add(ib, laneColumn, cst(ib, n * columns + e % run));
              Value x = vector::ExtractOp::create(ib, fragments[n], e);
              if (Value y = fn(e / run, column, x, rowOf[e / run]))
                fragments[n] = vector::InsertOp::create(ib, y, fragments[n], e);
            }
        };
    SmallVector<Value> rowPower(threadRows, Value());
    if (intra && hasDecay)
      for (int64_t k = 0; k < threadRows; ++k)
        rowPower[k] = power(ib, rowOf[k]);
    forElements(acc, [&](int64_t k, Value d, Value x, Value) -> Value {
      if (scaled)
        x = fmul(ib, x, load(ib, stateScale, d));
      return rowPower[k] ? fmul(ib, x, rowPower[k]) : x;
    });
    SmallVector<Value> rowSum(threadRows, zeroF);
    if (intra) {
      // P = phi(Q) phi(K)^T, masked and decayed, then acc += P V.
      SmallVector<Value> scores(chunk / columns, zeroFragment);
      for (int64_t ks = 0; ks < featureDim / 16; ++ks)
        unit.emitScores(ib, queryFragments[ks], keyOperand, zero, ks, scores);
      SmallVector<Value> rowMax(threadRows, zeroF);
      forElements(scores, [&](int64_t k, Value c, Value s, Value r) -> Value {
        Value kept = both(ib, le(ib, c, r), lt(ib, c, count));
        if (hasDecay)
          s = fmul(ib, s,
                   power(ib, sub(ib, arith::MaxSIOp::create(ib, r, c), c)));
        Value w = arith::SelectOp::create(ib, kept, s, zeroF);
        rowSum[k] = arith::AddFOp::create(ib, rowSum[k], w);
        rowMax[k] = arith::MaximumFOp::create(ib, rowMax[k],
                                              math::AbsFOp::create(ib, w));
        return w;
      });
      if (op.getNormalize() && !isWide())
        for (int64_t k = 0; k < threadRows; ++k)
          rowSum[k] = unit.emitRowReduce(ib, rowSum[k], /*max=*/false);
      // f16: each row of weights, and of the accumulator with it, is divided
      // by the row's largest weight (into [-1, 1]) and multiplied back
      // after P V.
      SmallVector<Value> rowScale(threadRows, Value());
      if (scaled)
        for (int64_t k = 0; k < threadRows; ++k) {
          Value m = unit.emitRowReduce(ib, rowMax[k], /*max=*/true);
          rowScale[k] = arith::SelectOp::create(
              ib,
              arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT, m, zeroF), m,
              f32(ib, 1.0));
        }
      auto divide = [&](int64_t k, Value, Value x, Value) -> Value {
        return rowScale[k] ? arith::DivFOp::create(ib, x, rowScale[k]) : x;
      };
      forElements(scores, divide);
      forElements(acc, divide);
      SmallVector<Value> weights;
      for (Value v : scores)
        for (int64_t e = 0; e < 4; ++e)
          weights.push_back(vector::ExtractOp::create(ib, v, e));
      unit.emitWeightedValues(ib, weights, valueOperand, zero, acc);
      // bf16 keeps 8 bits of each weight: the rest (w - bf16(w)) goes
      // through the unit too, so P V errs as the f32 state does.
      if (element.isBF16()) {
        for (Value &w : weights)
          w = arith::SubFOp::create(ib, w, fromElement(ib, toElement(ib, w)));
        unit.emitWeightedValues(ib, weights, valueOperand, zero, acc);
      }
      forElements(acc, [&](int64_t k, Value, Value x, Value) -> Value {
        return rowScale[k] ? fmul(ib, x, rowScale[k]) : x;
      });
    }
    // The present rows' outputs.
    forElements(acc, [&](int64_t k, Value d, Value x, Value r) -> Value {
      Value stored = both(ib, le(ib, skipped, r), lt(ib, r, present));
      ifThen(ib, stored, [&](ImplicitLocOpBuilder &sb) {
        Value denominator;
        if (op.getNormalize()) {
          denominator = load(sb, denominators, r);
          if (!isWide() && intra)
            denominator = arith::AddFOp::create(sb, denominator, rowSum[k]);
        }
        storeRow(sb, add(sb, firstI, r), d, x, denominator);
      });
      return Value();
    });
  });
}

void LinearKernelBuilder::updateStateOnUnits(ImplicitLocOpBuilder &b,
                                             bool decayed) {
  MatrixUnit &unit = *updateUnit;
  int64_t columns = unit.fragmentColumns, run = unit.run;
  auto fragment = VectorType::get({4}, b.getF32Type());
  Value zeroFragment = arith::ConstantOp::create(
      b, DenseElementsAttr::get(fragment, b.getF32FloatAttr(0.0)));
  Value carry = decayed ? power(b, cst(b, chunk)) : Value();
  // S += (w phi(K))^T V, rows f of S: both halves of w phi(K)^T, depth C,
  // V^T's rows as the keys.
  forRowBlocks(b, featureDim, [&](ImplicitLocOpBuilder &ib, Value warpRow) {
    Value zero = cst(ib, 0);
    SmallVector<Value> acc(blockColumns / columns, zeroFragment);
    // (stageOperands() writes the low half where decayed only.)
    for (int64_t half = 0; half < (decayed ? 2 : 1); ++half)
      for (int64_t ks = 0; ks < chunk / 16; ++ks)
        unit.emitScores(
            ib, unit.emitQueryFragment(ib, keyColumns[half], warpRow, ks),
            valueColumns, zero, ks, acc);
    Value laneColumn = unit.emitLaneColumn(ib);
    for (int64_t n = 0, fragments = acc.size(); n < fragments; ++n)
      for (int64_t e = 0; e < 4; ++e) {
        Value d = add(ib, laneColumn, cst(ib, n * columns + e % run));
        Value f = unit.emitThreadRow(ib, warpRow, e / run);
        Value old = load(ib, state, {f, d});
        if (carry)
          old = fmul(ib, carry, old);
        store(ib,
              arith::AddFOp::create(ib, old,
                                    vector::ExtractOp::create(ib, acc[n], e)),
              state, {f, d});
      }
  });
  barrier(b);
  // f16: each column of S (a row of S^T) is scaled so that its largest is
  // kF16StateScale before it is split, since S outgrows f16's range; the
  // inverse is kept for phi(Q) S.
  Value features = cst(b, featureDim), zero = cst(b, 0);
  if (element.isF16()) {
    forEachOnThreads(
        b, cst(b, blockColumns), [&](ImplicitLocOpBuilder &ib, Value d) {
          Value largest =
              scf::ForOp::create(
                  ib, zero, features, cst(ib, 1), ValueRange{f32(ib, 0.0)},
                  [&](OpBuilder &nested, Location loc, Value f,
                      ValueRange carried) {
                    ImplicitLocOpBuilder fb(loc, nested);
                    scf::YieldOp::create(
                        fb, ValueRange{arith::MaximumFOp::create(
                                fb, carried[0],
                                math::AbsFOp::create(
                                    fb, load(fb, state, {f, d})))});
                  })
                  .getResult(0);
          Value positive = arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT,
                                                 largest, f32(ib, 0.0));
          store(ib,
                arith::SelectOp::create(
                    ib, positive,
                    arith::DivFOp::create(ib, largest, f32(ib, kF16StateScale)),
                    f32(ib, 1.0)),
                stateScale, d);
        });
    barrier(b);
  }
  // S^T's high and low halves.
  forEachOnThreads(
      b, cst(b, blockColumns * featureDim),
      [&](ImplicitLocOpBuilder &ib, Value at) {
        Value d = arith::DivUIOp::create(ib, at, features);
        Value f = arith::RemUIOp::create(ib, at, features);
        Value x = load(ib, state, {f, d});
        if (element.isF16())
          x = arith::DivFOp::create(ib, x, load(ib, stateScale, d));
        Value high = toElement(ib, x);
        Value low =
            toElement(ib, arith::SubFOp::create(ib, x, fromElement(ib, high)));
        store(ib, high, stateHalves[0], {zero, d, f});
        store(ib, low, stateHalves[1], {zero, d, f});
      });
}

void LinearKernelBuilder::emitCausal(ImplicitLocOpBuilder &b) {
  Value zero = cst(b, 0), one = cst(b, 1), c = cst(b, chunk);
  Value offset =
      op.getAlignment() == Alignment::top_left ? zero : sub(b, keys, rows);
  // Rows before firstRow (position < 0) and every row without keys get 0.
  Value live = lt(b, zero, keys);
  Value firstRow = arith::SelectOp::create(
      b, live, clamp(b, sub(b, zero, offset), zero, rows), rows);
  zeroRows(b, zero, firstRow);
  zeroRows(b, rows, queryLen);
  Value positions = arith::MaxSIOp::create(b, zero, add(b, rows, offset));
  Value chunks = arith::SelectOp::create(
      b, live, arith::CeilDivSIOp::create(b, positions, c), zero);
  loop(b, zero, chunks, one, [&](ImplicitLocOpBuilder &ib, Value n) {
    Value start = mul(ib, n, c);
    Value count = clamp(ib, sub(ib, keys, start), zero, c);
    // Query rows i = start + r - offset for r in [0, C), present in
    // [firstRow, rows).
    Value firstI = sub(ib, start, offset);
    Value skipped = arith::MaxSIOp::create(ib, zero, sub(ib, firstRow, firstI));
    Value queryCount = clamp(ib, sub(ib, rows, firstI), zero, c);
    // Rows r < skipped load row firstI + skipped's data; their outputs are
    // never stored.
    loadFeatures(ib, query, head, firstI, skipped, queryCount, queryFeatures);
    loadFeatures(ib, key, kvHead, start, zero, count, keyFeatures);
    if (matrix) {
      loadValues(ib, start, count);
      barrier(ib);
      stageOperands(ib, count, /*queries=*/true, /*keys=*/true, hasDecay);
      barrier(ib);
      if (op.getNormalize()) {
        emitDenominators(ib, count, /*intra=*/isWide());
        barrier(ib);
      }
      emitChunkRows(ib, firstI, skipped, queryCount, count, /*intra=*/true);
      ifThen(ib, lt(ib, add(ib, n, one), chunks),
             [&](ImplicitLocOpBuilder &ub) {
               barrier(ub);
               updateStateOnUnits(ub, hasDecay);
               updateNorm(ub, count, hasDecay);
             });
      barrier(ib);
      return;
    }
    loadValues(ib, start, count);
    barrier(ib);
    // P[r][c] = lambda^(r - c) phiQ_r . phiK_c for c <= r, c < count.
    Value f = cst(ib, featureDim);
    forEachOnThreads(
        ib, cst(ib, chunk * chunk), [&](ImplicitLocOpBuilder &pb, Value at) {
          Value r = arith::DivUIOp::create(pb, at, c);
          Value k = arith::RemUIOp::create(pb, at, c);
          Value kept = both(pb, le(pb, k, r), lt(pb, k, count));
          Value weight =
              scf::IfOp::create(
                  pb, kept,
                  [&](OpBuilder &nested, Location loc) {
                    ImplicitLocOpBuilder tb(loc, nested);
                    Value dot =
                        sum(tb, cst(tb, 0), f,
                            [&](ImplicitLocOpBuilder &db, Value e) {
                              return fmul(db, load(db, queryFeatures, {r, e}),
                                          load(db, keyFeatures, {k, e}));
                            });
                    scf::YieldOp::create(
                        tb,
                        ValueRange{fmul(tb, dot, power(tb, sub(tb, r, k)))});
                  },
                  [&](OpBuilder &nested, Location loc) {
                    ImplicitLocOpBuilder eb(loc, nested);
                    scf::YieldOp::create(eb, ValueRange{f32(eb, 0.0)});
                  })
                  .getResult(0);
          store(pb, weight, scores, {r, k});
        });
    barrier(ib);
    if (op.getNormalize()) {
      // den_r = lambda^r phiQ_r . z + sum_c P[r][c].
      emitDenominators(ib, count, /*intra=*/true);
      barrier(ib);
    }
    // o_r = lambda^r phiQ_r S + sum_c P[r][c] V_c, for the present rows.
    Value dims = cst(ib, valueDim);
    Value rowsHere =
        sub(ib, queryCount, arith::MinSIOp::create(ib, skipped, queryCount));
    forEachOnThreads(
        ib, mul(ib, rowsHere, dims), [&](ImplicitLocOpBuilder &ob, Value at) {
          Value r = add(ob, skipped, arith::DivUIOp::create(ob, at, dims));
          Value d = arith::RemUIOp::create(ob, at, dims);
          Value carried =
              sum(ob, zero, f, [&](ImplicitLocOpBuilder &db, Value e) {
                return fmul(db, load(db, queryFeatures, {r, e}),
                            load(db, state, {e, d}));
              });
          Value intra =
              sum(ob, zero, arith::MinSIOp::create(ob, add(ob, r, one), count),
                  [&](ImplicitLocOpBuilder &db, Value k) {
                    return fmul(db, load(db, scores, {r, k}),
                                load(db, valueTile, {k, d}));
                  });
          Value acc =
              arith::AddFOp::create(ob, fmul(ob, power(ob, r), carried), intra);
          Value denominator =
              op.getNormalize() ? load(ob, denominators, r) : Value();
          storeRow(ob, add(ob, firstI, r), d, acc, denominator);
        });
    // The last chunk's keys reach no later row.
    ifThen(ib, lt(ib, add(ib, n, one), chunks), [&](ImplicitLocOpBuilder &ub) {
      barrier(ub);
      updateState(ub, count, hasDecay);
    });
    barrier(ib);
  });
}

void LinearKernelBuilder::emitNonCausal(ImplicitLocOpBuilder &b) {
  Value zero = cst(b, 0), one = cst(b, 1), c = cst(b, chunk);
  // A batch entry without keys gives 0 on every row.
  Value computed = arith::SelectOp::create(b, lt(b, zero, keys), rows, zero);
  zeroRows(b, computed, queryLen);
  Value keyChunks = arith::CeilDivSIOp::create(b, keys, c);
  loop(b, zero, keyChunks, one, [&](ImplicitLocOpBuilder &ib, Value n) {
    Value start = mul(ib, n, c);
    Value count = clamp(ib, sub(ib, keys, start), zero, c);
    loadFeatures(ib, key, kvHead, start, zero, count, keyFeatures);
    if (matrix) {
      loadValues(ib, start, count);
      barrier(ib);
      stageOperands(ib, count, /*queries=*/false, /*keys=*/true,
                    /*decayed=*/false);
      barrier(ib);
      updateStateOnUnits(ib, /*decayed=*/false);
      updateNorm(ib, count, /*decayed=*/false);
    } else {
      loadValues(ib, start, count);
      barrier(ib);
      updateState(ib, count, /*decayed=*/false);
    }
    barrier(ib);
  });
  Value f = cst(b, featureDim), dims = cst(b, valueDim);
  loop(b, zero, arith::CeilDivSIOp::create(b, computed, c), one,
       [&](ImplicitLocOpBuilder &ib, Value n) {
         Value start = mul(ib, n, c);
         Value count = clamp(ib, sub(ib, computed, start), zero, c);
         loadFeatures(ib, query, head, start, zero, count, queryFeatures);
         barrier(ib);
         if (matrix) {
           stageOperands(ib, count, /*queries=*/true, /*keys=*/false,
                         /*decayed=*/false);
           barrier(ib);
           if (op.getNormalize()) {
             emitDenominators(ib, count, /*intra=*/false);
             barrier(ib);
           }
           emitChunkRows(ib, start, zero, count, count, /*intra=*/false);
           barrier(ib);
           return;
         }
         if (op.getNormalize()) {
           emitDenominators(ib, count, /*intra=*/false);
           barrier(ib);
         }
         forEachOnThreads(
             ib, mul(ib, count, dims), [&](ImplicitLocOpBuilder &ob, Value at) {
               Value r = arith::DivUIOp::create(ob, at, dims);
               Value d = arith::RemUIOp::create(ob, at, dims);
               Value acc =
                   sum(ob, zero, f, [&](ImplicitLocOpBuilder &db, Value e) {
                     return fmul(db, load(db, queryFeatures, {r, e}),
                                 load(db, state, {e, d}));
                   });
               Value denominator =
                   op.getNormalize() ? load(ob, denominators, r) : Value();
               storeRow(ob, add(ob, start, r), d, acc, denominator);
             });
         barrier(ib);
       });
}

void LinearKernelBuilder::emit(ImplicitLocOpBuilder &b) {
  MLIRContext *context = b.getContext();
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  // The grid's y: the query head, then the block of value columns.
  head = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  columnBase = cst(b, 0);
  if (int64_t blocks = getColumnBlocks(); blocks > 1) {
    columnBase = mul(b, arith::RemUIOp::create(b, head, cst(b, blocks)),
                     cst(b, blockColumns));
    head = arith::DivUIOp::create(b, head, cst(b, blocks));
  }
  batch = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  kvHead = arith::DivUIOp::create(b, head, cst(b, group));
  queryLen = memref::DimOp::create(b, query, 2);
  rows = length(b, qLen, queryLen);
  keys = length(b, kvLen, memref::DimOp::create(b, key, 2));
  if (hasDecay) {
    // log2 lambda of this block's head.
    SmallVector<float> logs;
    for (int64_t h = 0; h < heads; ++h)
      logs.push_back(float(std::log2(op.getDecayAt(h))));
    // A select per head whose decay differs from head 0's.
    logDecay = f32(b, logs[0]);
    for (int64_t h = 1; h < heads; ++h)
      if (logs[h] != logs[0])
        logDecay = arith::SelectOp::create(
            b,
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, head, cst(b, h)),
            f32(b, logs[h]), logDecay);
  }

  // Shared memory.
  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  Value base = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface{}, workgroup));
  int64_t offset = 0;
  // Rows of phi(Q), phi(K) and the raw rows are padded by one element
  // (indexed below F, D) so that the rows of a warp's reads fall in
  // different banks.
  // In the matrix path every buffer starts on 16 bytes (ldmatrix rows).
  auto view = [&](ArrayRef<int64_t> shape, Type type = {}) -> Value {
    type = type ? type : b.getF32Type();
    int64_t bytes = type.getIntOrFloatBitWidth() / 8;
    offset = int64_t(llvm::alignTo(offset, matrix ? 16 : bytes));
    auto memref =
        MemRefType::get(shape, type, MemRefLayoutAttrInterface{}, workgroup);
    Value v =
        memref::ViewOp::create(b, memref, base, cst(b, offset), ValueRange{});
    offset += ShapedType::getNumElements(shape) * bytes;
    return v;
  };
  auto fill = [&](Value buffer, double v) {
    auto type = llvm::cast<MemRefType>(buffer.getType());
    int64_t rank = type.getRank();
    Value fillValue =
        arith::ConstantOp::create(b, b.getFloatAttr(type.getElementType(), v));
    forEachOnThreads(b, cst(b, type.getNumElements()),
                     [&](ImplicitLocOpBuilder &ib, Value at) {
                       SmallVector<Value> indices(rank);
                       for (int64_t d = rank - 1; d >= 0; --d) {
                         Value size = cst(ib, type.getDimSize(d));
                         indices[d] = arith::RemUIOp::create(ib, at, size);
                         at = arith::DivUIOp::create(ib, at, size);
                       }
                       store(ib, fillValue, buffer, indices);
                     });
  };
  queryFeatures = view({chunk, featureDim + 1});
  keyFeatures = view({chunk, featureDim + 1});
  bool staged = map == FeatureMap::random_features || map == FeatureMap::taylor;
  if (matrix && staged)
    raw = view({chunk, headDim + 1});
  if (matrix) {
    state = view({featureDim, blockColumns});
    stateScale = view({blockColumns});
    queryOperand = view({chunk, featureDim + kPad}, element);
    keyOperand = view({1, chunk, featureDim + kPad}, element);
    valueOperand = view({1, chunk, blockColumns + kPad}, element);
    valueColumns = view({1, blockColumns, chunk + kPad}, element);
    for (int half = 0; half < (hasDecay ? 2 : 1); ++half)
      keyColumns.push_back(view({featureDim, chunk + kPad}, element));
    for (int half = 0; half < 2; ++half)
      stateHalves.push_back(
          view({1, blockColumns, featureDim + kPad}, element));
  } else {
    valueTile = view({chunk, valueDim});
    state = view({featureDim, valueDim});
    scores = view({chunk, chunk});
    if (staged)
      raw = view({chunk, headDim + 1});
  }
  norm = view({featureDim}, wideType(b));
  denominators = view({chunk}, wideType(b));
  assert(offset <= (matrix ? matrixSharedBytes(chunk) : sharedBytes(chunk)) &&
         "the views outgrow the shared memory the launch asks for");

  // S = 0, z = 0.
  if (matrix) {
    makeUnits(b);
    fill(stateScale, 1.0);
    for (Value half : stateHalves)
      fill(half, 0.0);
  }
  fill(state, 0.0);
  fill(norm, 0.0);
  barrier(b);
  if (op.getCausal())
    emitCausal(b);
  else
    emitNonCausal(b);
}

} // namespace

FailureOr<LinearKernelLaunch> mlir::attn::emitLinearAttentionKernel(
    LinearAttentionOp op, gpu::GPUFuncOp kernel, const IRMapping &mapping,
    const GpuTarget &target, const MatrixUnitFactory &makeUnit,
    PlantedFault fault) {
  if (ShapedType::isDynamic(op.getQuery().getType().getDimSize(1)) ||
      ShapedType::isDynamic(op.getKey().getType().getDimSize(1)))
    return op.emitOpError()
           << "has a dynamic head count, which the " << target.vendor
           << " backend does not lower (the grid and the decays are static)";
  LinearKernelBuilder builder(op, mapping, target, makeUnit, fault);
  if (failed(builder.chooseChunk()))
    return failure();
  OpBuilder ob = OpBuilder::atBlockBegin(&kernel.getBody().front());
  ImplicitLocOpBuilder b(op.getLoc(), ob);
  builder.emit(b);
  gpu::ReturnOp::create(b);
  return LinearKernelLaunch{int64_t(1) << 30,
                            op.getQuery().getType().getDimSize(1) *
                                builder.getColumnBlocks(),
                            builder.getSharedBytes()};
}
