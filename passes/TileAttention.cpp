//===- TileAttention.cpp - The tiled online form --------------------------===//
//
// Turns spec functions into kernels on buffers and each attn.attention into
// the tiled online loop nest: parallel over (batch, head, query tile), a loop
// over the key tiles the masks allow, carrying the running max, sum and
// accumulator of each row. Scores exist for one key tile of one row at a
// time. Masks and modifiers come from ScoreEmitter; the normaliser decides
// the per-tile update.
//
//===----------------------------------------------------------------------===//

#include "LinearAttention.h"
#include "MaskAnalysis.h"
#include "ScoreEmitter.h"

#include "attn/Dialect/Attn.h"
#include "attn/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNTILEATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

/// Query tiles with at least this many live rows transpose each key tile
/// once for all of them; fewer rows read key rows directly.
constexpr int64_t kPackedRows = 8;

/// With record-tiles, each visited tile is reported to this function as
/// (batch, kv head, query tile, key tile, TileStatus).
constexpr const char *kRecordTile = "attn_record_tile";

/// What one sweep over the key tiles computes. Most variants need only the
/// output sweep; a kept-key count (length scaling, sigmoid with log_length)
/// and the final row statistics (clipped softmax) each add a sweep before it.
enum class Sweep { CountKept, Statistics, Output };

/// Emits the loop nest of one attn.attention writing `output` (and `lse`).
class AttentionLowering {
public:
  AttentionLowering(AttentionOp op, const AttentionBuffers &buffers,
                    Value output, Value lse, Value blockMax, int64_t queryTile,
                    int64_t keyTile, bool recordTiles, bool summaryOnly)
      : op(op), buffers(buffers), output(output), lse(lse), blockMax(blockMax),
        queryTile(queryTile), keyTile(keyTile), recordTiles(recordTiles),
        summaryOnly(summaryOnly), analysis(op, buffers),
        emitter(op, buffers, [this](ImplicitLocOpBuilder &b, Value batch) {
          return emitOffset(b, batch);
        }) {}

  void emit(ImplicitLocOpBuilder &b);

private:
  Value cst(ImplicitLocOpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }
  Value f32(ImplicitLocOpBuilder &b, double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  /// q_len[b] (or Sq) and kv_len[b] (or Skv) as index.
  Value emitLength(ImplicitLocOpBuilder &b, Value lengths, Value batch,
                   Value full);
  /// The alignment offset of batch entry `batch` (clamped into range).
  Value emitOffset(ImplicitLocOpBuilder &b, Value batch);
  void emitTile(ImplicitLocOpBuilder &b, Value batch, Value kvHead,
                Value queryTileIndex);
  void emitPackKeys(ImplicitLocOpBuilder &b, Value kvHead, Value batch,
                    Value firstKey, Value cols);
  /// One row's update for one key tile; with `packed`, scores come from the
  /// transposed key tile, else from the key rows directly. `partial` (i1)
  /// says the masks need evaluating per element in this tile.
  /// With `dots` given, the row's scores are those (computed with another
  /// row's); with `deferAccumulate` (softmax), the weights stay in scoreBuf
  /// and the rescale factor in alphaBuf for emitPairAccumulate().
  void emitRowUpdate(ImplicitLocOpBuilder &b, const ScoreRow &row, Value r,
                     Value kvHead, Value firstKey, Value cols, bool packed,
                     Value partial, Sweep sweep, Value dots = {},
                     bool deferAccumulate = false);
  /// Rows r0 and r1 of a softmax tile together: one pass over the
  /// transposed key tile computes both rows' scores and one pass over the
  /// value rows adds both rows' weighted sums, so each key and value load
  /// feeds two rows' FMAs.
  void emitRowPairUpdate(ImplicitLocOpBuilder &b, Value batch, Value kvHead,
                         Value firstRow, Value offset, Value r0, Value r1,
                         Value firstKey, Value cols, Value partial);
  /// Indices of element `d` of key (or value) `j` of key/value head `kvHead`:
  /// [b, kvh, j, d], or through the page table for a paged cache.
  SmallVector<Value> emitKeyIndices(ImplicitLocOpBuilder &b, Value batch,
                                    Value kvHead, Value j, Value d);
  /// The sweeps `op` needs, in order.
  SmallVector<Sweep> getSweeps();
  void emitEpilogue(ImplicitLocOpBuilder &b, Value batch, Value kvHead,
                    Value firstRow, Value tileRows, Value liveRows);
  /// Row r of a tile is (query i, head h): the G query heads of one
  /// key/value head are interleaved, t = i * G + g, so they share every
  /// key and value tile the tile loads.
  std::pair<Value, Value> emitRowIndices(ImplicitLocOpBuilder &b, Value kvHead,
                                         Value firstRow, Value r);
  Value loadAsF32(ImplicitLocOpBuilder &b, Value buffer, ValueRange indices) {
    return ScoreEmitter::toF32(b, memref::LoadOp::create(b, buffer, indices));
  }

  /// Block statistics: fills blockMax with 0 before the query tiles.
  void emitBlockMaxInit(ImplicitLocOpBuilder &b);
  /// The row's largest kept score per key block of this tile, into
  /// blockScores (from scoreBuf, masked scores).
  void emitBlockScores(ImplicitLocOpBuilder &b, Value r, Value firstKey,
                       Value cols);
  /// The row's block maxima as normalised weights, max-ed into blockMax.
  void emitBlockMaxEpilogue(ImplicitLocOpBuilder &b, Value r, Value batch,
                            Value head, Value i, Value valid, Value m, Value l);

  AttentionOp op;
  const AttentionBuffers &buffers;
  Value output, lse, blockMax;
  int64_t queryTile, keyTile;
  /// Report each visited tile to attn_record_tile (tile maps and tests).
  bool recordTiles;
  /// Emit the data masks' summaries alone (benchmarks time them).
  bool summaryOnly;
  MaskAnalysis analysis;
  MaskAnalysis::LaunchSummary summary;
  ScoreEmitter emitter;

  // Per query tile: running max, sum, accumulator and one row of scores.
  Value maxBuf, sumBuf, accBuf, scoreBuf;
  /// Two rows' scores and rescale factors for emitRowPairUpdate();
  /// scoreBuf is pairScores[0] otherwise.
  Value pairScores[2], pairAlpha[2], alphaBuf;
  /// The key tile, transposed to [D, keyTile] f32.
  Value keysT;
  /// Kept keys per row (f32), for the sweeps after CountKept.
  Value countBuf;
  /// Block statistics: per row of the tile and key block, the largest kept
  /// score ([queryTile, key blocks] f32, -inf where none).
  Value blockScores;
  Value batchSize, queryLen, keyLen;
};

Value AttentionLowering::emitLength(ImplicitLocOpBuilder &b, Value lengths,
                                    Value batch, Value full) {
  if (!lengths)
    return full;
  return ScoreEmitter::toIndex(b, memref::LoadOp::create(b, lengths, batch));
}

Value AttentionLowering::emitOffset(ImplicitLocOpBuilder &b, Value batch) {
  if (op.getAlignment() == Alignment::top_left)
    return cst(b, 0);
  Value last = arith::SubIOp::create(b, batchSize, cst(b, 1));
  batch = arith::MinSIOp::create(b, arith::MaxSIOp::create(b, batch, cst(b, 0)),
                                 last);
  Value kv = emitLength(b, buffers.kvLen, batch, keyLen);
  Value q = emitLength(b, buffers.qLen, batch, queryLen);
  return arith::SubIOp::create(b, kv, q);
}

std::pair<Value, Value>
AttentionLowering::emitRowIndices(ImplicitLocOpBuilder &b, Value kvHead,
                                  Value firstRow, Value r) {
  Value group = cst(b, op.getGroupSize());
  Value t = arith::AddIOp::create(b, firstRow, r);
  Value i = arith::DivUIOp::create(b, t, group);
  Value h = arith::AddIOp::create(b, arith::MulIOp::create(b, kvHead, group),
                                  arith::RemUIOp::create(b, t, group));
  return {i, h};
}

void AttentionLowering::emit(ImplicitLocOpBuilder &b) {
  batchSize = memref::DimOp::create(b, buffers.query, 0);
  queryLen = memref::DimOp::create(b, buffers.query, 2);
  // With a paged cache the key index runs over max_pages * page_size.
  keyLen = emitKeyLength(b, buffers);
  int64_t kvHeads = op.getKey().getType().getDimSize(op.isPaged() ? 2 : 1);
  Value rows = arith::MulIOp::create(b, queryLen, cst(b, op.getGroupSize()));
  Value tiles = arith::CeilDivSIOp::create(b, rows, cst(b, queryTile));
  Value zero = cst(b, 0), one = cst(b, 1);
  // What the data masks need summarised before any query tile.
  summary = analysis.emitLaunchSummary(
      b, batchSize, keyLen,
      [&](ImplicitLocOpBuilder &ib, Value batch) {
        return emitLength(ib, buffers.kvLen, batch, keyLen);
      },
      keyTile);
  emitter.setSelectedKeyMap(summary.selectedKeys);
  if (summaryOnly) {
    // The summary's checksum goes to output[0, 0, 0, 0], so that none of it
    // is dead code; the output is otherwise left as it was.
    Value checksum = analysis.emitSummaryChecksum(b, summary);
    Value nonEmpty = arith::AndIOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, batchSize, zero),
        arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, queryLen, zero));
    scf::IfOp::create(b, nonEmpty, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder ib(loc, nested);
      Type element = llvm::cast<MemRefType>(output.getType()).getElementType();
      Value value = arith::SIToFPOp::create(
          ib, element,
          arith::IndexCastOp::create(ib, ib.getI64Type(), checksum));
      memref::StoreOp::create(ib, value, output,
                              ValueRange{zero, zero, zero, zero});
      scf::YieldOp::create(ib);
    });
    analysis.emitLaunchSummaryRelease(b, summary);
    return;
  }
  if (blockMax)
    emitBlockMaxInit(b);
  scf::ParallelOp::create(
      b, ValueRange{zero, zero, zero},
      ValueRange{batchSize, cst(b, kvHeads), tiles}, ValueRange{one, one, one},
      ValueRange{},
      [&](OpBuilder &nested, Location loc, ValueRange ivs, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        emitTile(ib, ivs[0], ivs[1], ivs[2]);
        scf::ReduceOp::create(ib);
      });
  analysis.emitLaunchSummaryRelease(b, summary);
}

void AttentionLowering::emitTile(ImplicitLocOpBuilder &b, Value batch,
                                 Value kvHead, Value queryTileIndex) {
  int64_t valueDim = op.getValue().getType().getDimSize(3);
  Type f32Type = b.getF32Type();
  maxBuf = memref::AllocaOp::create(b, MemRefType::get({queryTile}, f32Type));
  sumBuf = memref::AllocaOp::create(b, MemRefType::get({queryTile}, f32Type));
  accBuf = memref::AllocaOp::create(
      b, MemRefType::get({queryTile, valueDim}, f32Type));
  for (int k = 0; k < 2; ++k) {
    pairScores[k] =
        memref::AllocaOp::create(b, MemRefType::get({keyTile}, f32Type));
    pairAlpha[k] = memref::AllocaOp::create(b, MemRefType::get({}, f32Type));
  }
  scoreBuf = pairScores[0];
  alphaBuf = pairAlpha[0];
  keysT = memref::AllocaOp::create(
      b, MemRefType::get({op.getQuery().getType().getDimSize(3), keyTile},
                         f32Type));
  countBuf = memref::AllocaOp::create(b, MemRefType::get({queryTile}, f32Type));
  if (blockMax) {
    Value keyBlocks =
        arith::CeilDivSIOp::create(b, keyLen, cst(b, (*op.getBlockStats())[1]));
    blockScores = memref::AllocOp::create(
        b, MemRefType::get({queryTile, ShapedType::kDynamic}, f32Type),
        ValueRange{keyBlocks});
    scf::ForOp::create(
        b, cst(b, 0), cst(b, queryTile), cst(b, 1), ValueRange{},
        [&](OpBuilder &nested, Location loc, Value r, ValueRange) {
          ImplicitLocOpBuilder ib(loc, nested);
          scf::ForOp::create(
              ib, cst(ib, 0), keyBlocks, cst(ib, 1), ValueRange{},
              [&](OpBuilder &inner, Location loc, Value kb, ValueRange) {
                ImplicitLocOpBuilder jb(loc, inner);
                memref::StoreOp::create(jb, f32(jb, kNegInf), blockScores,
                                        ValueRange{r, kb});
                scf::YieldOp::create(jb);
              });
          scf::YieldOp::create(ib);
        });
  }

  Value zero = cst(b, 0), one = cst(b, 1);
  // Tile rows t = i * G + g count the query rows of all G heads.
  Value rowCount = emitLength(b, buffers.qLen, batch, queryLen);
  Value kvLength = emitLength(b, buffers.kvLen, batch, keyLen);
  QueryTileRows tile = emitQueryTileRows(b, op, queryTileIndex, queryTile,
                                         queryLen, rowCount, kvLength);
  Value firstRow = tile.firstRow, tileRows = tile.tileRows,
        liveRows = tile.liveRows, offset = tile.offset, pMin = tile.pMin,
        pMax = tile.pMax;

  // Fresh state: m = -inf, l = 0, acc = 0.
  scf::ForOp::create(
      b, zero, cst(b, queryTile), one, ValueRange{},
      [&](OpBuilder &nested, Location loc, Value r, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        memref::StoreOp::create(ib, f32(ib, kNegInf), maxBuf, r);
        memref::StoreOp::create(ib, f32(ib, 0.0), sumBuf, r);
        memref::StoreOp::create(ib, f32(ib, 0.0), countBuf, r);
        scf::ForOp::create(
            ib, cst(ib, 0), cst(ib, valueDim), cst(ib, 1), ValueRange{},
            [&](OpBuilder &inner, Location loc, Value d, ValueRange) {
              ImplicitLocOpBuilder jb(loc, inner);
              memref::StoreOp::create(jb, f32(jb, 0.0), accBuf,
                                      ValueRange{r, d});
              scf::YieldOp::create(jb);
            });
        scf::YieldOp::create(ib);
      });

  // The key tiles the masks let this query tile skip, and those they keep
  // whole (no per-element mask work).
  MaskAnalysis::QueryTilePlan plan = analysis.emitQueryTilePlan(
      b, {batch, kvHead, firstRow, liveRows, pMin, pMax, kvLength}, summary,
      keyTile);
  for (Sweep sweep : getSweeps()) {
    scf::ForOp::create(
        b, plan.first, plan.last, one, ValueRange{},
        [&](OpBuilder &outer, Location loc, Value kt, ValueRange) {
          ImplicitLocOpBuilder tb(loc, outer);
          Value status = analysis.emitTileStatus(tb, plan, kt, keyTile);
          Value visited =
              arith::CmpIOp::create(tb, arith::CmpIPredicate::ne, status,
                                    cst(tb, int64_t(TileStatus::Skipped)));
          auto visit = scf::IfOp::create(tb, visited, /*withElseRegion=*/false);
          ImplicitLocOpBuilder ib(loc, visit.getThenBodyBuilder());
          if (recordTiles && sweep == Sweep::Output)
            func::CallOp::create(
                ib, kRecordTile, TypeRange{},
                ValueRange{batch, kvHead, queryTileIndex, kt, status});
          Value partial =
              arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, status,
                                    cst(ib, int64_t(TileStatus::Partial)));
          Value firstKey = arith::MulIOp::create(ib, kt, cst(ib, keyTile));
          Value cols = arith::MinSIOp::create(
              ib, cst(ib, keyTile),
              arith::SubIOp::create(ib, kvLength, firstKey));
          // Many rows share one transposed copy of the key tile; a few rows
          // (decode) read the keys directly rather than pay for the copy.
          auto rows = [&](OpBuilder &builder, Location loc, bool packed) {
            ImplicitLocOpBuilder rb(loc, builder);
            if (packed)
              emitPackKeys(rb, kvHead, batch, firstKey, cols);
            // Softmax rows go in pairs over the packed tile; an odd last
            // row goes alone below.
            Value firstSingle = cst(rb, 0);
            if (packed && sweep == Sweep::Output &&
                llvm::isa<SoftmaxAttr>(op.getNormalizerOrDefault())) {
              Value pairs = arith::DivUIOp::create(rb, liveRows, cst(rb, 2));
              scf::ForOp::create(
                  rb, cst(rb, 0), pairs, cst(rb, 1), ValueRange{},
                  [&](OpBuilder &inner, Location loc, Value pair, ValueRange) {
                    ImplicitLocOpBuilder jb(loc, inner);
                    Value r0 = arith::MulIOp::create(jb, pair, cst(jb, 2));
                    Value r1 = arith::AddIOp::create(jb, r0, cst(jb, 1));
                    emitRowPairUpdate(jb, batch, kvHead, firstRow, offset, r0,
                                      r1, firstKey, cols, partial);
                    scf::YieldOp::create(jb);
                  });
              firstSingle = arith::MulIOp::create(rb, pairs, cst(rb, 2));
            }
            scf::ForOp::create(
                rb, firstSingle, liveRows, cst(rb, 1), ValueRange{},
                [&](OpBuilder &inner, Location loc, Value r, ValueRange) {
                  ImplicitLocOpBuilder jb(loc, inner);
                  std::pair<Value, Value> indices =
                      emitRowIndices(jb, kvHead, firstRow, r);
                  ScoreRow row{
                      batch, indices.second, indices.first, offset,
                      arith::AddIOp::create(jb, indices.first, offset)};
                  if (sweep != Sweep::CountKept)
                    row.keptCount = memref::LoadOp::create(jb, countBuf, r);
                  emitRowUpdate(jb, row, r, kvHead, firstKey, cols, packed,
                                partial, sweep);
                  scf::YieldOp::create(jb);
                });
            scf::YieldOp::create(rb);
          };
          if (sweep == Sweep::CountKept) {
            // rows() ends the block with its own yield.
            visit.thenYield()->erase();
            ib.setInsertionPointToEnd(visit.thenBlock());
            rows(ib, ib.getLoc(), false);
            scf::YieldOp::create(tb);
            return;
          }
          Value manyRows = arith::CmpIOp::create(
              ib, arith::CmpIPredicate::sge, liveRows, cst(ib, kPackedRows));
          scf::IfOp::create(
              ib, manyRows,
              [&](OpBuilder &builder, Location loc) {
                rows(builder, loc, true);
              },
              [&](OpBuilder &builder, Location loc) {
                rows(builder, loc, false);
              });
          scf::YieldOp::create(tb);
        });
  }
  emitEpilogue(b, batch, kvHead, firstRow, tileRows, liveRows);
  if (blockMax)
    memref::DeallocOp::create(b, blockScores);
}

void AttentionLowering::emitBlockMaxInit(ImplicitLocOpBuilder &b) {
  // 0 where a block keeps no pair.
  SmallVector<Value> zeros(4, cst(b, 0)), ones(4, cst(b, 1)), sizes;
  for (int64_t d = 0; d < 4; ++d)
    sizes.push_back(memref::DimOp::create(b, blockMax, d));
  scf::ParallelOp::create(
      b, zeros, sizes, ones, ValueRange{},
      [&](OpBuilder &nested, Location loc, ValueRange ivs, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        memref::StoreOp::create(ib, f32(ib, 0.0), blockMax, ivs);
        scf::ReduceOp::create(ib);
      });
}

void AttentionLowering::emitBlockScores(ImplicitLocOpBuilder &b, Value r,
                                        Value firstKey, Value cols) {
  Value keyBlock = cst(b, (*op.getBlockStats())[1]);
  scf::ForOp::create(
      b, cst(b, 0), cols, cst(b, 1), ValueRange{},
      [&](OpBuilder &nested, Location loc, Value c, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        Value kb = arith::DivUIOp::create(
            ib, arith::AddIOp::create(ib, firstKey, c), keyBlock);
        Value s = memref::LoadOp::create(ib, scoreBuf, c);
        Value old = memref::LoadOp::create(ib, blockScores, ValueRange{r, kb});
        memref::StoreOp::create(ib, arith::MaximumFOp::create(ib, old, s),
                                blockScores, ValueRange{r, kb});
        scf::YieldOp::create(ib);
      });
}

void AttentionLowering::emitBlockMaxEpilogue(ImplicitLocOpBuilder &b, Value r,
                                             Value batch, Value head, Value i,
                                             Value valid, Value m, Value l) {
  // Softmax's weight is monotone in the score: the block's largest weight
  // is that of its largest kept score, exp(s - m) / l (clipped softmax
  // clips it as it clips every weight).
  auto clipped =
      llvm::dyn_cast<ClippedSoftmaxAttr>(op.getNormalizerOrDefault());
  Value queryBlock =
      arith::DivUIOp::create(b, i, cst(b, (*op.getBlockStats())[0]));
  Value keyBlocks = memref::DimOp::create(b, blockScores, 1);
  scf::ForOp::create(
      b, cst(b, 0), keyBlocks, cst(b, 1), ValueRange{},
      [&](OpBuilder &nested, Location loc, Value kb, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        Value s = memref::LoadOp::create(ib, blockScores, ValueRange{r, kb});
        Value kept = arith::AndIOp::create(
            ib, valid,
            arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT, s,
                                  f32(ib, kNegInf)));
        scf::IfOp::create(ib, kept, [&](OpBuilder &inner, Location loc) {
          ImplicitLocOpBuilder jb(loc, inner);
          Value w = arith::DivFOp::create(
              jb, math::ExpOp::create(jb, arith::SubFOp::create(jb, s, m)), l);
          if (clipped) {
            double zeta = clipped.getZeta().convertToDouble();
            double gamma = clipped.getGamma().convertToDouble();
            w = arith::AddFOp::create(
                jb, arith::MulFOp::create(jb, w, f32(jb, zeta - gamma)),
                f32(jb, gamma));
            w = arith::MinimumFOp::create(
                jb, arith::MaximumFOp::create(jb, w, f32(jb, 0.0)),
                f32(jb, 1.0));
          }
          memref::AtomicRMWOp::create(jb, arith::AtomicRMWKind::maximumf, w,
                                      blockMax,
                                      ValueRange{batch, head, queryBlock, kb});
          scf::YieldOp::create(jb);
        });
        scf::YieldOp::create(ib);
      });
}

void AttentionLowering::emitRowPairUpdate(ImplicitLocOpBuilder &b, Value batch,
                                          Value kvHead, Value firstRow,
                                          Value offset, Value r0, Value r1,
                                          Value firstKey, Value cols,
                                          Value partial) {
  int64_t headDim = op.getQuery().getType().getDimSize(3);
  int64_t valueDim = op.getValue().getType().getDimSize(3);
  Type f32Type = b.getF32Type();
  VectorType scoreType = VectorType::get({keyTile}, f32Type);
  VectorType accType = VectorType::get({valueDim}, f32Type);
  Value zero = cst(b, 0), one = cst(b, 1);
  Value pair[2] = {r0, r1};
  ScoreRow rows[2];
  for (auto [k, r] : llvm::enumerate(pair)) {
    auto [i, h] = emitRowIndices(b, kvHead, firstRow, r);
    rows[k] = {batch, h, i, offset, arith::AddIOp::create(b, i, offset)};
    rows[k].keptCount = memref::LoadOp::create(b, countBuf, r);
  }
  // Both rows' q . k over the transposed tile: each key load, two FMAs.
  Value zeroScores = arith::ConstantOp::create(
      b, DenseElementsAttr::get(scoreType, b.getF32FloatAttr(0.0)));
  auto dots = scf::ForOp::create(
      b, zero, cst(b, headDim), one, ValueRange{zeroScores, zeroScores},
      [&](OpBuilder &nested, Location loc, Value d, ValueRange sums) {
        ImplicitLocOpBuilder ib(loc, nested);
        Value keys =
            vector::LoadOp::create(ib, scoreType, keysT, ValueRange{d, zero});
        SmallVector<Value> next;
        for (int k = 0; k < 2; ++k) {
          Value q = loadAsF32(ib, buffers.query,
                              ValueRange{rows[k].b, rows[k].h, rows[k].i, d});
          next.push_back(vector::FMAOp::create(
              ib, vector::BroadcastOp::create(ib, scoreType, q), keys,
              sums[k]));
        }
        scf::YieldOp::create(ib, next);
      });
  // Each row's masks, modifiers and softmax statistics on its own buffers.
  for (auto [k, r] : llvm::enumerate(pair)) {
    scoreBuf = pairScores[k];
    alphaBuf = pairAlpha[k];
    emitRowUpdate(b, rows[k], r, kvHead, firstKey, cols, /*packed=*/true,
                  partial, Sweep::Output, dots.getResult(k),
                  /*deferAccumulate=*/true);
  }
  scoreBuf = pairScores[0];
  alphaBuf = pairAlpha[0];
  // acc[r] = alpha_r acc[r] + sum_c w_rc v[c]: each value load, two FMAs.
  SmallVector<Value> accs;
  for (auto [k, r] : llvm::enumerate(pair)) {
    Value acc = vector::LoadOp::create(b, accType, accBuf, ValueRange{r, zero});
    Value alpha = memref::LoadOp::create(b, pairAlpha[k], ValueRange{});
    accs.push_back(arith::MulFOp::create(
        b, acc, vector::BroadcastOp::create(b, accType, alpha)));
  }
  auto sums = scf::ForOp::create(
      b, zero, cols, one, accs,
      [&](OpBuilder &nested, Location loc, Value c, ValueRange state) {
        ImplicitLocOpBuilder ib(loc, nested);
        Value j = arith::AddIOp::create(ib, firstKey, c);
        Value valueRow = ScoreEmitter::loadVectorAsF32(
            ib, buffers.value, emitKeyIndices(ib, batch, kvHead, j, cst(ib, 0)),
            valueDim);
        SmallVector<Value> next;
        for (int k = 0; k < 2; ++k) {
          Value w = memref::LoadOp::create(ib, pairScores[k], c);
          next.push_back(vector::FMAOp::create(
              ib, vector::BroadcastOp::create(ib, accType, w), valueRow,
              state[k]));
        }
        scf::YieldOp::create(ib, next);
      });
  for (auto [k, r] : llvm::enumerate(pair))
    vector::StoreOp::create(b, sums.getResult(k), accBuf, ValueRange{r, zero});
}

void AttentionLowering::emitPackKeys(ImplicitLocOpBuilder &b, Value kvHead,
                                     Value batch, Value firstKey, Value cols) {
  // keysT[d, c] = K[b, kvh, firstKey + c, d] as f32, so one row's scores
  // for the whole tile are D vector FMAs; shared by every row of the tile.
  int64_t headDim = op.getQuery().getType().getDimSize(3);
  scf::ForOp::create(
      b, cst(b, 0), cols, cst(b, 1), ValueRange{},
      [&](OpBuilder &nested, Location loc, Value c, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        Value j = arith::AddIOp::create(ib, firstKey, c);
        scf::ForOp::create(
            ib, cst(ib, 0), cst(ib, headDim), cst(ib, 1), ValueRange{},
            [&](OpBuilder &inner, Location loc, Value d, ValueRange) {
              ImplicitLocOpBuilder jb(loc, inner);
              memref::StoreOp::create(
                  jb,
                  loadAsF32(jb, buffers.key,
                            emitKeyIndices(jb, batch, kvHead, j, d)),
                  keysT, ValueRange{d, c});
              scf::YieldOp::create(jb);
            });
        scf::YieldOp::create(ib);
      });
}

/// Whether `op`'s masks are each an interval of keys per row (causal, a
/// window without sinks, a prefix LM): then a row that keeps the first and
/// last keys of a tile keeps all of them.
static bool hasOnlyIntervalMasks(AttentionOp op) {
  if (!op.getMask().empty())
    return false;
  return llvm::all_of(op.getMasks(), [](Attribute mask) {
    if (auto window = llvm::dyn_cast<SlidingWindowMaskAttr>(mask))
      return window.getSinks() == 0;
    return llvm::isa<CausalMaskAttr, PrefixLMMaskAttr>(mask);
  });
}

SmallVector<Value> AttentionLowering::emitKeyIndices(ImplicitLocOpBuilder &b,
                                                     Value batch, Value kvHead,
                                                     Value j, Value d) {
  return attn::emitKeyIndices(b, buffers, buffers.key, batch, kvHead, j, d);
}

SmallVector<Sweep> AttentionLowering::getSweeps() {
  SmallVector<Sweep> sweeps;
  Attribute normalizer = op.getNormalizerOrDefault();
  auto sigmoid = llvm::dyn_cast<SigmoidAttr>(normalizer);
  if ((sigmoid && sigmoid.getLogLength()) ||
      llvm::any_of(op.getModifiers(), llvm::IsaPred<LengthScalingModAttr>))
    sweeps.push_back(Sweep::CountKept);
  if (llvm::isa<ClippedSoftmaxAttr>(normalizer))
    sweeps.push_back(Sweep::Statistics);
  sweeps.push_back(Sweep::Output);
  return sweeps;
}

void AttentionLowering::emitRowUpdate(ImplicitLocOpBuilder &b,
                                      const ScoreRow &row, Value r,
                                      Value kvHead, Value firstKey, Value cols,
                                      bool packed, Value partial, Sweep sweep,
                                      Value dots, bool deferAccumulate) {
  if (sweep == Sweep::CountKept) {
    // n_i: the kept keys of the row, masks only.
    auto count = scf::ForOp::create(
        b, cst(b, 0), cols, cst(b, 1),
        ValueRange{memref::LoadOp::create(b, countBuf, r)},
        [&](OpBuilder &nested, Location loc, Value c, ValueRange n) {
          ImplicitLocOpBuilder ib(loc, nested);
          Value keep =
              emitter.emitKeep(ib, row, arith::AddIOp::create(ib, firstKey, c));
          scf::YieldOp::create(
              ib, ValueRange{arith::AddFOp::create(
                      ib, n[0],
                      arith::SelectOp::create(ib, keep, f32(ib, 1.0),
                                              f32(ib, 0.0)))});
        });
    memref::StoreOp::create(b, count.getResult(0), countBuf, r);
    return;
  }
  int64_t headDim = op.getQuery().getType().getDimSize(3);
  int64_t valueDim = op.getValue().getType().getDimSize(3);
  Value zero = cst(b, 0), one = cst(b, 1);
  Value negInf = f32(b, kNegInf);
  Type f32Type = b.getF32Type();
  VectorType scoreType = VectorType::get({keyTile}, f32Type);
  VectorType accType = VectorType::get({valueDim}, f32Type);

  // scores[0:keyTile] = scale * q . k, then -inf past the tile's end.
  if (dots) {
    // Computed with another row's (emitRowPairUpdate).
  } else if (packed) {
    // D vector FMAs against the transposed tile.
    dots =
        scf::ForOp::create(
            b, zero, cst(b, headDim), one,
            ValueRange{arith::ConstantOp::create(
                b, DenseElementsAttr::get(scoreType, b.getF32FloatAttr(0.0)))},
            [&](OpBuilder &nested, Location loc, Value d, ValueRange sum) {
              ImplicitLocOpBuilder ib(loc, nested);
              Value q = loadAsF32(ib, buffers.query,
                                  ValueRange{row.b, row.h, row.i, d});
              Value keys = vector::LoadOp::create(ib, scoreType, keysT,
                                                  ValueRange{d, zero});
              scf::YieldOp::create(
                  ib, ValueRange{vector::FMAOp::create(
                          ib, vector::BroadcastOp::create(ib, scoreType, q),
                          keys, sum[0])});
            })
            .getResult(0);
  } else {
    // One vector dot product per key.
    Value queryRow = ScoreEmitter::loadVectorAsF32(
        b, buffers.query, {row.b, row.h, row.i, zero}, headDim);
    scf::ForOp::create(
        b, zero, cols, one, ValueRange{},
        [&](OpBuilder &nested, Location loc, Value c, ValueRange) {
          ImplicitLocOpBuilder ib(loc, nested);
          Value j = arith::AddIOp::create(ib, firstKey, c);
          Value keyRow = ScoreEmitter::loadVectorAsF32(
              ib, buffers.key, emitKeyIndices(ib, row.b, kvHead, j, cst(ib, 0)),
              headDim);
          Value dot = vector::ReductionOp::create(
              ib, vector::CombiningKind::ADD,
              arith::MulFOp::create(ib, queryRow, keyRow),
              arith::FastMathFlags::reassoc);
          memref::StoreOp::create(ib, dot, scoreBuf, c);
          scf::YieldOp::create(ib);
        });
    dots = vector::LoadOp::create(b, scoreType, scoreBuf, ValueRange{zero});
  }
  Value scores =
      arith::MulFOp::create(b, dots,
                            vector::BroadcastOp::create(
                                b, scoreType, f32(b, op.getScaleOrDefault())));
  Value inTile = vector::CreateMaskOp::create(
      b, VectorType::get({keyTile}, b.getI1Type()), ValueRange{cols});
  scores = arith::SelectOp::create(
      b, inTile, scores, vector::BroadcastOp::create(b, scoreType, negInf));
  vector::StoreOp::create(b, scores, scoreBuf, ValueRange{zero});

  // Masks and modifiers per element: the masks only where the tile is
  // partial, the modifiers everywhere.
  bool modifiers = !op.getModifiers().empty() || !op.getScore().empty();
  auto elementwise = [&](OpBuilder &nested, Location loc, bool masks) {
    ImplicitLocOpBuilder ib(loc, nested);
    scf::ForOp::create(
        ib, cst(ib, 0), cols, cst(ib, 1), ValueRange{},
        [&](OpBuilder &inner, Location loc, Value c, ValueRange) {
          ImplicitLocOpBuilder jb(loc, inner);
          Value j = arith::AddIOp::create(jb, firstKey, c);
          Value s = memref::LoadOp::create(jb, scoreBuf, c);
          if (modifiers)
            s = emitter.emitModifiers(jb, row, j, s);
          if (masks)
            s = arith::SelectOp::create(jb, emitter.emitKeep(jb, row, j), s,
                                        negInf);
          memref::StoreOp::create(jb, s, scoreBuf, c);
          scf::YieldOp::create(jb);
        });
  };
  if (!analysis.hasMasks()) {
    if (modifiers)
      elementwise(b, b.getLoc(), /*masks=*/false);
  } else {
    if (hasOnlyIntervalMasks(op)) {
      // A row whose first and last keys of the tile are kept keeps all.
      Value lastKey = arith::SubIOp::create(
          b, arith::AddIOp::create(b, firstKey, cols), one);
      Value rowFull =
          arith::AndIOp::create(b, emitter.emitKeep(b, row, firstKey),
                                emitter.emitKeep(b, row, lastKey));
      partial = arith::AndIOp::create(
          b, partial,
          arith::XOrIOp::create(
              b, rowFull, arith::ConstantIntOp::create(b, b.getI1Type(), 1)));
    }
    scf::IfOp::create(
        b, partial,
        [&](OpBuilder &nested, Location loc) {
          if (!ScoreEmitter::hasVectorKeep(op)) {
            elementwise(nested, loc, /*masks=*/true);
            scf::YieldOp::create(nested, loc);
            return;
          }
          // The masks on the whole tile at once.
          if (modifiers)
            elementwise(nested, loc, /*masks=*/false);
          ImplicitLocOpBuilder ib(loc, nested);
          Value tile =
              vector::LoadOp::create(ib, scoreType, scoreBuf, ValueRange{zero});
          Value keep = emitter.emitKeepVector(ib, row, firstKey, keyTile);
          vector::StoreOp::create(
              ib,
              arith::SelectOp::create(
                  ib, keep, tile,
                  vector::BroadcastOp::create(ib, scoreType, negInf)),
              scoreBuf, ValueRange{zero});
          scf::YieldOp::create(ib);
        },
        [&](OpBuilder &nested, Location loc) {
          if (modifiers)
            elementwise(nested, loc, /*masks=*/false);
          scf::YieldOp::create(nested, loc);
        });
  }

  // acc[r] += w_c * v[j] and l[r] += w_c over the tile's keys, with the
  // accumulator row held in registers; the weights are in scoreBuf.
  auto accumulate = [&](ImplicitLocOpBuilder &ib, Value rescale) {
    Value acc =
        vector::LoadOp::create(ib, accType, accBuf, ValueRange{r, cst(ib, 0)});
    if (rescale)
      acc = arith::MulFOp::create(
          ib, acc, vector::BroadcastOp::create(ib, accType, rescale));
    auto loop = scf::ForOp::create(
        ib, cst(ib, 0), cols, cst(ib, 1), ValueRange{acc},
        [&](OpBuilder &inner, Location loc, Value c, ValueRange state) {
          ImplicitLocOpBuilder jb(loc, inner);
          Value w = memref::LoadOp::create(jb, scoreBuf, c);
          Value j = arith::AddIOp::create(jb, firstKey, c);
          Value valueRow = ScoreEmitter::loadVectorAsF32(
              jb, buffers.value,
              emitKeyIndices(jb, row.b, kvHead, j, cst(jb, 0)), valueDim);
          scf::YieldOp::create(
              jb, ValueRange{vector::FMAOp::create(
                      jb, vector::BroadcastOp::create(jb, accType, w), valueRow,
                      state[0])});
        });
    vector::StoreOp::create(ib, loop.getResult(0), accBuf,
                            ValueRange{r, cst(ib, 0)});
  };
  auto addToSum = [&](ImplicitLocOpBuilder &ib, Value weights, Value rescale) {
    Value l = memref::LoadOp::create(ib, sumBuf, r);
    if (rescale)
      l = arith::MulFOp::create(ib, l, rescale);
    Value total = vector::ReductionOp::create(
        ib, vector::CombiningKind::ADD, weights, arith::FastMathFlags::reassoc);
    memref::StoreOp::create(ib, arith::AddFOp::create(ib, l, total), sumBuf, r);
  };

  if (blockMax && sweep == Sweep::Output)
    emitBlockScores(b, r, firstKey, cols);
  Attribute normalizer = op.getNormalizerOrDefault();
  Value masked =
      vector::LoadOp::create(b, scoreType, scoreBuf, ValueRange{zero});
  auto clipped = llvm::dyn_cast<ClippedSoftmaxAttr>(normalizer);
  if (clipped && sweep == Sweep::Output) {
    // The row's final max and sum are known: w = clip((zeta - gamma) *
    // softmax + gamma, 0, 1) on kept keys, 0 on masked ones.
    Value m = memref::LoadOp::create(b, maxBuf, r);
    Value l = memref::LoadOp::create(b, sumBuf, r);
    Value anyKept =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, m, negInf);
    scf::IfOp::create(b, anyKept, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder ib(loc, nested);
      double zeta = clipped.getZeta().convertToDouble();
      double gamma = clipped.getGamma().convertToDouble();
      auto splat = [&](Value x) -> Value {
        return vector::BroadcastOp::create(ib, scoreType, x);
      };
      Value p = arith::DivFOp::create(
          ib,
          math::ExpOp::create(ib, arith::SubFOp::create(ib, masked, splat(m))),
          splat(l));
      Value w = arith::AddFOp::create(
          ib, arith::MulFOp::create(ib, p, splat(f32(ib, zeta - gamma))),
          splat(f32(ib, gamma)));
      w = arith::MinimumFOp::create(
          ib, arith::MaximumFOp::create(ib, w, splat(f32(ib, 0.0))),
          splat(f32(ib, 1.0)));
      Value kept = arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT, masked,
                                         splat(negInf));
      w = arith::SelectOp::create(ib, kept, w, splat(f32(ib, 0.0)));
      vector::StoreOp::create(ib, w, scoreBuf, ValueRange{cst(ib, 0)});
      accumulate(ib, Value());
      scf::YieldOp::create(ib);
    });
    return;
  }
  if (llvm::isa<SoftmaxAttr>(normalizer) || sweep == Sweep::Statistics) {
    Value tileMax =
        vector::ReductionOp::create(b, vector::CombiningKind::MAXIMUMF, masked);
    Value oldMax = memref::LoadOp::create(b, maxBuf, r);
    Value newMax = arith::MaximumFOp::create(b, oldMax, tileMax);
    Value anyKept =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, newMax, negInf);
    if (deferAccumulate) {
      // Until a key is kept the row adds nothing: weights 0, factor 1.
      vector::StoreOp::create(
          b, vector::BroadcastOp::create(b, scoreType, f32(b, 0.0)), scoreBuf,
          ValueRange{zero});
      memref::StoreOp::create(b, f32(b, 1.0), alphaBuf, ValueRange{});
    }
    scf::IfOp::create(b, anyKept, [&](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder ib(loc, nested);
      // Rescale the state to the new max, then add this tile's keys.
      Value alpha =
          math::ExpOp::create(ib, arith::SubFOp::create(ib, oldMax, newMax));
      Value weights = math::ExpOp::create(
          ib,
          arith::SubFOp::create(
              ib, masked, vector::BroadcastOp::create(ib, scoreType, newMax)));
      addToSum(ib, weights, alpha);
      if (sweep == Sweep::Output) {
        vector::StoreOp::create(ib, weights, scoreBuf, ValueRange{cst(ib, 0)});
        if (deferAccumulate)
          memref::StoreOp::create(ib, alpha, alphaBuf, ValueRange{});
        else
          accumulate(ib, alpha);
      }
      memref::StoreOp::create(ib, newMax, maxBuf, r);
      scf::YieldOp::create(ib);
    });
    return;
  }

  // Normalisers without a running max: each kept key's weight is final;
  // -inf (masked) weighs 0 in each.
  Value weights =
      ScoreEmitter::emitDirectWeights(b, normalizer, masked, row.keptCount);
  vector::StoreOp::create(b, weights, scoreBuf, ValueRange{zero});
  addToSum(b, weights, Value());
  accumulate(b, Value());
}

void AttentionLowering::emitEpilogue(ImplicitLocOpBuilder &b, Value batch,
                                     Value kvHead, Value firstRow,
                                     Value tileRows, Value liveRows) {
  int64_t valueDim = op.getValue().getType().getDimSize(3);
  Attribute normalizer = op.getNormalizerOrDefault();
  // Clipped softmax's weights are final already; its lse is softmax's.
  bool clipped = llvm::isa<ClippedSoftmaxAttr>(normalizer);
  bool normalized =
      llvm::cast<NormalizerAttrInterface>(normalizer).isNormalized();
  Type outputElement =
      llvm::cast<MemRefType>(output.getType()).getElementType();
  scf::ForOp::create(
      b, cst(b, 0), tileRows, cst(b, 1), ValueRange{},
      [&](OpBuilder &nested, Location loc, Value r, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        std::pair<Value, Value> indices =
            emitRowIndices(ib, kvHead, firstRow, r);
        Value i = indices.first, head = indices.second;
        Value zeroF = f32(ib, 0.0), negInf = f32(ib, kNegInf);
        Value live =
            arith::CmpIOp::create(ib, arith::CmpIPredicate::slt, r, liveRows);
        Value l = memref::LoadOp::create(ib, sumBuf, r);
        Value m = memref::LoadOp::create(ib, maxBuf, r);
        std::pair<Value, Value> validity =
            ScoreEmitter::emitRowValidity(ib, normalizer, live, m, l);
        Value valid = validity.first, rowLse = validity.second;
        Value oneF = f32(ib, 1.0);
        Value denominator = normalized && !clipped ? l : oneF;
        Value gate;
        if (buffers.gate &&
            llvm::cast<MemRefType>(buffers.gate.getType()).getRank() == 3)
          gate = emitter.loadBroadcast(ib, buffers.gate,
                                       ValueRange{batch, head, i});
        scf::ForOp::create(
            ib, cst(ib, 0), cst(ib, valueDim), cst(ib, 1), ValueRange{},
            [&](OpBuilder &inner, Location loc, Value d, ValueRange) {
              ImplicitLocOpBuilder jb(loc, inner);
              Value a = memref::LoadOp::create(jb, accBuf, ValueRange{r, d});
              Value o = arith::SelectOp::create(
                  jb, valid, arith::DivFOp::create(jb, a, denominator), zeroF);
              Value g = gate;
              if (buffers.gate && !g)
                g = emitter.loadBroadcast(jb, buffers.gate,
                                          ValueRange{batch, head, i, d});
              if (g) {
                Value x = ScoreEmitter::toF32(jb, g);
                Value sig = arith::DivFOp::create(
                    jb, oneF,
                    arith::AddFOp::create(
                        jb, oneF,
                        math::ExpOp::create(jb, arith::NegFOp::create(jb, x))));
                o = arith::MulFOp::create(jb, o, sig);
              }
              if (outputElement != o.getType())
                o = arith::TruncFOp::create(jb, outputElement, o);
              memref::StoreOp::create(jb, o, output,
                                      ValueRange{batch, head, i, d});
              scf::YieldOp::create(jb);
            });
        if (lse)
          memref::StoreOp::create(
              ib, arith::SelectOp::create(ib, valid, rowLse, negInf), lse,
              ValueRange{batch, head, i});
        if (blockMax)
          emitBlockMaxEpilogue(ib, r, batch, head, i, valid, m, l);
        scf::YieldOp::create(ib);
      });
}

/// attn.merge: per row, lse = logsumexp_r lse_r and o = sum_r exp(lse_r -
/// lse) o_r; a row whose parts are all -inf gives o = 0, lse = -inf.
static void emitMerge(ImplicitLocOpBuilder &b, ArrayRef<Value> outputs,
                      ArrayRef<Value> lses, Value output, Value lse) {
  auto type = llvm::cast<MemRefType>(output.getType());
  int64_t valueDim = type.getDimSize(3);
  Type f32 = b.getF32Type();
  VectorType rowType = VectorType::get({valueDim}, f32);
  auto cst = [&](ImplicitLocOpBuilder &ib, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ib, v);
  };
  SmallVector<Value> upper;
  for (int64_t d = 0; d < 3; ++d)
    upper.push_back(memref::DimOp::create(b, output, d));
  Value zero = cst(b, 0), one = cst(b, 1);
  scf::ParallelOp::create(
      b, ValueRange{zero, zero, zero}, upper, ValueRange{one, one, one},
      ValueRange{},
      [&](OpBuilder &nested, Location loc, ValueRange ivs, ValueRange) {
        ImplicitLocOpBuilder ib(loc, nested);
        SmallVector<Value> parts;
        for (Value part : lses)
          parts.push_back(
              ScoreEmitter::toF32(ib, memref::LoadOp::create(ib, part, ivs)));
        MergeRow merged = emitMergeRow(ib, parts);
        memref::StoreOp::create(ib, merged.lse, lse, ivs);
        Value row = arith::ConstantOp::create(
            ib, DenseElementsAttr::get(rowType, ib.getF32FloatAttr(0.0)));
        SmallVector<Value> at(ivs.begin(), ivs.end());
        at.push_back(zero);
        for (auto [part, weight] : llvm::zip(outputs, merged.weights)) {
          Value partRow = vector::LoadOp::create(
              ib,
              VectorType::get(
                  {valueDim},
                  llvm::cast<MemRefType>(part.getType()).getElementType()),
              part, at);
          if (partRow.getType() != rowType)
            partRow = arith::ExtFOp::create(ib, rowType, partRow);
          row = vector::FMAOp::create(
              ib, vector::BroadcastOp::create(ib, rowType, weight), partRow,
              row);
        }
        if (type.getElementType() != f32)
          row = arith::TruncFOp::create(
              ib, VectorType::get({valueDim}, type.getElementType()), row);
        vector::StoreOp::create(ib, row, output, at);
        scf::ReduceOp::create(ib);
      });
}

/// Rewrites one function into a kernel on buffers.
class FunctionLowering {
public:
  FunctionLowering(func::FuncOp func, int64_t queryTile, int64_t keyTile,
                   int64_t linearChunk, bool recordTiles, bool summaryOnly)
      : func(func), queryTile(queryTile), keyTile(keyTile),
        linearChunk(linearChunk), recordTiles(recordTiles),
        summaryOnly(summaryOnly) {}

  LogicalResult run();

private:
  static Type bufferType(Type type) {
    if (auto tensor = llvm::dyn_cast<RankedTensorType>(type))
      return MemRefType::get(tensor.getShape(), tensor.getElementType());
    return type;
  }
  Value buffer(Value v) { return mapping.lookup(v); }
  /// The buffer of an optional operand (null where the op has none).
  Value optionalBuffer(Value v) { return v ? buffer(v) : Value(); }

  func::FuncOp func;
  int64_t queryTile, keyTile, linearChunk;
  bool recordTiles, summaryOnly;
  IRMapping mapping;
};

LogicalResult FunctionLowering::run() {
  Block &body = func.getBody().front();
  for (Operation &op : body.without_terminator()) {
    if (llvm::isa<MergeOp, LinearAttentionOp>(op))
      continue;
    auto attention = llvm::dyn_cast<AttentionOp>(op);
    if (!attention)
      return op.emitOpError()
             << "is not lowered by the tiled online form yet (the reference "
                "oracle evaluates it)";
    if (failed(ScoreEmitter::checkSupported(attention)))
      return failure();
  }
  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  for (Value result : ret.getOperands())
    if (!llvm::isa<RankedTensorType>(result.getType()))
      return ret.emitOpError("returns a non-tensor value, which a kernel "
                             "cannot write to a buffer");

  // (inputs..., outputs...) -> (), callable from C.
  SmallVector<Type> types;
  for (Type type : func.getArgumentTypes())
    types.push_back(bufferType(type));
  for (Type type : func.getResultTypes())
    types.push_back(bufferType(type));
  OpBuilder builder(func);
  auto module = func->getParentOfType<ModuleOp>();
  if (recordTiles && !module.lookupSymbol(kRecordTile)) {
    Type index = builder.getIndexType();
    auto hook = func::FuncOp::create(
        builder, func.getLoc(), kRecordTile,
        builder.getFunctionType({index, index, index, index, index}, {}));
    hook.setPrivate();
  }
  auto kernel = func::FuncOp::create(builder, func.getLoc(), func.getSymName(),
                                     builder.getFunctionType(types, {}));
  kernel->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  Block *entry = kernel.addEntryBlock();
  for (auto [from, to] : llvm::zip(func.getArguments(), entry->getArguments()))
    mapping.map(from, to);
  ArrayRef<BlockArgument> outs =
      entry->getArguments().drop_front(func.getNumArguments());

  ImplicitLocOpBuilder b(func.getLoc(), builder);
  b.setInsertionPointToStart(entry);
  SmallVector<Value> temporaries;
  auto destination = [&](Value result) -> Value {
    // The kernel's output buffer if the function returns `result`, else a
    // temporary of its shape.
    for (auto [n, returned] : llvm::enumerate(ret.getOperands()))
      if (returned == result)
        return outs[n];
    auto type = llvm::cast<MemRefType>(bufferType(result.getType()));
    // B, H and S are those of the query (of a merge: of its first part).
    Value shapeSource =
        llvm::TypeSwitch<Operation *, Value>(result.getDefiningOp())
            .Case([](AttentionOp op) { return op.getQuery(); })
            .Case([](LinearAttentionOp op) { return op.getQuery(); })
            .Case([](MergeOp op) { return op.getOutputs()[0]; });
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(memref::DimOp::create(b, buffer(shapeSource), d));
    Value temp = memref::AllocOp::create(b, type, sizes);
    temporaries.push_back(temp);
    return temp;
  };
  for (Operation &op : body.without_terminator()) {
    if (auto merge = llvm::dyn_cast<MergeOp>(op)) {
      SmallVector<Value> outputs, lses;
      for (Value v : merge.getOutputs())
        outputs.push_back(buffer(v));
      for (Value v : merge.getLses())
        lses.push_back(buffer(v));
      Value out = destination(merge.getOutput());
      mapping.map(merge.getOutput(), out);
      Value lse = destination(merge.getLse());
      mapping.map(merge.getLse(), lse);
      emitMerge(b, outputs, lses, out, lse);
      continue;
    }
    if (auto linear = llvm::dyn_cast<LinearAttentionOp>(op)) {
      LinearAttentionBuffers buffers;
      buffers.query = buffer(linear.getQuery());
      buffers.key = buffer(linear.getKey());
      buffers.value = buffer(linear.getValue());
      buffers.qLen = optionalBuffer(linear.getQLen());
      buffers.kvLen = optionalBuffer(linear.getKvLen());
      buffers.weights = optionalBuffer(linear.getWeights());
      Value out = destination(linear.getOutput());
      mapping.map(linear.getOutput(), out);
      emitLinearAttention(b, linear, buffers, out,
                          getLinearAttentionChunk(linear, linearChunk));
      continue;
    }
    auto attention = llvm::cast<AttentionOp>(op);
    AttentionBuffers buffers = collectAttentionBuffers(
        attention, [&](Value v) { return optionalBuffer(v); });
    Value out = destination(attention.getOutput());
    mapping.map(attention.getOutput(), out);
    Value lse;
    if (attention.getLse()) {
      lse = destination(attention.getLse());
      mapping.map(attention.getLse(), lse);
    }
    // Block statistics are computed where the function returns them (their
    // only use: no op reads them).
    Value blockMax;
    if (Value stats = attention.getBlockMax())
      for (auto [n, returned] : llvm::enumerate(ret.getOperands()))
        if (returned == stats) {
          blockMax = outs[n];
          mapping.map(stats, blockMax);
        }
    AttentionLowering(attention, buffers, out, lse, blockMax, queryTile,
                      keyTile, recordTiles, summaryOnly)
        .emit(b);
  }
  // Results that are not written in place (an argument returned as is, or
  // one value returned twice) are copied.
  for (auto [n, returned] : llvm::enumerate(ret.getOperands()))
    if (buffer(returned) != outs[n])
      memref::CopyOp::create(b, buffer(returned), outs[n]);
  for (Value temp : temporaries)
    memref::DeallocOp::create(b, temp);
  func::ReturnOp::create(b);
  func.erase();
  return success();
}

struct TileAttentionPass
    : public mlir::attn::impl::AttnTileAttentionBase<TileAttentionPass> {
  using AttnTileAttentionBase::AttnTileAttentionBase;

  void runOnOperation() override {
    if (queryTile < 1 || keyTile < 1 || linearChunk < 1) {
      getOperation().emitError(
          "attn-tile-attention: tile sizes and linear-chunk must be >= 1");
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> functions;
    for (func::FuncOp func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal())
        functions.push_back(func);
    for (func::FuncOp func : functions)
      if (failed(FunctionLowering(func, queryTile, keyTile, linearChunk,
                                  recordTiles, summaryOnly)
                     .run()))
        return signalPassFailure();
  }
};

} // namespace
