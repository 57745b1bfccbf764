//===- MaskAnalysis.h - Which key tiles a query tile visits ---*- C++ -*-===//
//
// The masks of an attn.attention, analysed once, decide for each query tile
// which key tiles hold a kept pair (the others are skipped) and which hold
// only kept pairs (full: no per-element mask work). The answer is emitted as
// IR in the kernel, symbolic in the sequence lengths, so one kernel serves
// every length; every backend's tiled loop asks it.
//
// Masks fall into families:
//  - intervals: causal, sliding windows (with sinks) and prefix LM. Each
//    keeps, per row at position p, an interval [lo(p), hi(p)] that contains
//    p and whose ends grow by at most 1 per row, plus sink keys j < n. The
//    key axis splits at the sink counts into segments; inside a segment the
//    AND of the active intervals is again such an interval, so the keys a
//    tile's rows keep form the interval [lo(pMin), hi(pMax)] and the keys all
//    of them keep [lo(pMax), hi(pMin)]. Closed form, nothing precomputed.
//  - neighborhoods (1-D to 3-D, VARIANTS.md 2.1): in flattened order a
//    position keeps several runs of keys. Before its key loop, a query tile
//    marks the key tiles each of its positions' runs touch or covers; that
//    costs (positions x runs), a few thousand integer operations against
//    the tile's millions of multiply-adds.
//  - key limits: a query tile keeps keys below the largest limit of its rows
//    and all keys below the smallest; one pass over its rows.
//  - documents: once per launch, each key tile's lowest and highest segment
//    id (linear in the keys); a query tile's rows' lowest and highest id then
//    decide each key tile: skipped where the ranges do not meet, full where
//    both hold one and the same id. Exact when each tile's ids are
//    consecutive integers (packed sequences numbered 0, 1, 2, ...); with gaps
//    in the ids a tile may be visited in vain, never skipped wrongly.
//  - block layouts: a key tile is decided by the layout entries of the
//    (head, query block, key block) its rows and keys fall in: any kept
//    block makes it visited, all kept make it full. Exact.
//  - selected tokens: once per launch, a map of the selected keys of each
//    (batch, selection head) and its count per key tile (linear in the keys
//    and lists); a tile is visited where some head of the tile selected a
//    key in it, full where all did all. Exact.
//  - mask regions: the region is evaluated on intervals, in the kernel, for
//    each key tile: b is the tile's batch entry, h its heads, i its live
//    queries, j the tile's keys, and each integer op maps the intervals of
//    its operands to one holding every value it can give (the transfer
//    rules of MLIR's integer range inference, as IR, because the tile's
//    ranges are only known at run time). A region that yields false on the
//    whole box skips the tile, true makes it full; otherwise it is partial.
//    Regions with ops outside the integer set (captures, floats) are
//    partial everywhere. Always correct; exact only where the intervals are.
// Several masks AND: a tile's status is the lowest of its masks' statuses.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_MASKANALYSIS_H
#define ATTN_PASSES_MASKANALYSIS_H

#include "ScoreEmitter.h"

#include "attn/Dialect/Attn.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <optional>

namespace mlir::attn {

/// What a key tile is to a query tile (as index constants in the IR).
enum class TileStatus : int64_t { Skipped = 0, Partial = 1, Full = 2 };

/// One interval mask: keys [p - left, p + right] (unbounded sides absent),
/// or [0, max(p, prefix - 1)] for a prefix LM, plus sink keys j < sinks.
struct IntervalMask {
  std::optional<int64_t> left, right;
  int64_t prefix = 0, sinks = 0;
};

/// The keys a query coordinate `coord` keeps along dimension `dim` of a
/// neighborhood (VARIANTS.md 2.1): coordinates group + w * dilation for the
/// group indices w in [start, end]. Shared by the kernel's per-element keep
/// and the tile marks, so both read one rule.
struct NeighborhoodWindow {
  Value group, start, end;
};
NeighborhoodWindow emitNeighborhoodWindow(ImplicitLocOpBuilder &b,
                                          NeighborhoodMaskAttr mask,
                                          int64_t dim, Value coord);

/// keep(p, j) of a neighborhood mask, sinks included, as i1.
Value emitNeighborhoodKeep(ImplicitLocOpBuilder &b, NeighborhoodMaskAttr mask,
                           Value p, Value j);

/// Query tile `tileIndex` of `queryTile` rows, whose rows t = i * G + g
/// interleave the G query heads of a key/value head (the tiled form of
/// every backend): its first row, the rows that exist (t < Sq * G), the live
/// ones (t < q_len[b] * G, `rowCount` = q_len[b]), the alignment offset
/// (kv_len[b] - q_len[b] bottom-right, else 0) and the positions of its
/// first and last live rows.
struct QueryTileRows {
  Value firstRow, tileRows, liveRows, offset, pMin, pMax;
};
/// `group` is how many query heads a tile's rows interleave: the op's
/// group size unless given (a GPU kernel whose blocks take one query head
/// each passes 1).
QueryTileRows emitQueryTileRows(ImplicitLocOpBuilder &b, AttentionOp op,
                                Value tileIndex, int64_t queryTile,
                                Value queryLen, Value rowCount, Value kvLength,
                                std::optional<int64_t> group = std::nullopt);

class MaskAnalysis {
public:
  MaskAnalysis(AttentionOp op, const AttentionBuffers &buffers);

  /// Whether a tile the masks call full still needs per-element work for
  /// the masks (never) - modifiers are the caller's business.
  bool hasMasks() const {
    return !intervals.empty() || !neighborhoods.empty() || keyLimit ||
           document || blockLayout || selected || boundedRegion || partialOnly;
  }

  /// What the data masks need once per launch, before any query tile: per
  /// (batch, key tile) the lowest and highest key segment id (documents).
  struct LaunchSummary {
    Value keyIds; // memref<B x keyTiles x 2 x index>, or null
    /// Selected tokens: memref<B x selection heads x (keys + key tile) x i8>
    /// (1 where selected) and the selected keys per key tile,
    /// memref<B x selection heads x keyTiles x index>; or null.
    Value selectedKeys, selectedCount;
  };
  /// `kvLengthOf(b)` is batch entry b's key length.
  LaunchSummary emitLaunchSummary(
      ImplicitLocOpBuilder &b, Value batchSize, Value keyLen,
      function_ref<Value(ImplicitLocOpBuilder &, Value)> kvLengthOf,
      int64_t keyTile) const;
  void emitLaunchSummaryRelease(ImplicitLocOpBuilder &b,
                                const LaunchSummary &summary) const;
  /// A sum over every entry of `summary` (index): what a summary-only
  /// kernel writes out, so that nothing of the summary is dead code.
  Value emitSummaryChecksum(ImplicitLocOpBuilder &b,
                            const LaunchSummary &summary) const;

  /// A query tile: rows t = firstRow + r for r < liveRows of key/value head
  /// kvHead (row t is query t / G of head kvHead * G + t % G), whose
  /// positions are [pMin, pMax], against kvLength keys.
  struct QueryTile {
    Value batch, kvHead, firstRow, liveRows, pMin, pMax, kvLength;
  };

  /// The per-query-tile state the key loop consults, from
  /// emitQueryTilePlan().
  struct QueryTilePlan {
    /// Key tiles [first, last) hold every visited tile.
    Value first, last;
    /// Positions [pMin, pMax] of the tile's live rows and the key length.
    Value pMin, pMax, kvLength;
    /// Per neighborhood mask: touched (i8) and covering-position count
    /// (index) per key tile, and the positions counted.
    SmallVector<Value> touched, covered;
    SmallVector<Value> positions;
    /// Key limits: the smallest and largest limit of the tile's rows.
    Value limitLow, limitHigh;
    /// Documents: the lowest and highest segment id of the tile's rows.
    Value idLow, idHigh;
    Value batch, kvHead, firstRow, liveRows;
    LaunchSummary summary;
  };

  /// Emits what the query tile whose live rows have positions [pMin, pMax]
  /// needs before its key loop (the neighborhoods' marks) and the range of
  /// key tiles to loop over.
  QueryTilePlan emitQueryTilePlan(ImplicitLocOpBuilder &b,
                                  const QueryTile &tile,
                                  const LaunchSummary &summary,
                                  int64_t keyTile) const;

  /// The TileStatus (index) of key tile `kt` for the plan's query tile.
  Value emitTileStatus(ImplicitLocOpBuilder &b, const QueryTilePlan &plan,
                       Value kt, int64_t keyTile) const;

private:
  void emitNeighborhoodMarks(ImplicitLocOpBuilder &b, NeighborhoodMaskAttr mask,
                             QueryTilePlan &plan, Value touched, Value covered,
                             Value &lowest, Value &highest,
                             int64_t keyTile) const;

  /// Lowest and highest of `value(i, h)` over the tile's rows.
  std::pair<Value, Value>
  emitRowRange(ImplicitLocOpBuilder &b, const QueryTile &tile,
               function_ref<Value(ImplicitLocOpBuilder &, Value i, Value h)>
                   value) const;

  /// The status of key tile [t0, t1] under the bounded mask region.
  Value emitRegionStatus(ImplicitLocOpBuilder &b, const QueryTilePlan &plan,
                         Value t0, Value t1) const;
  /// The selected-token map and counts of `summary`.
  void emitSelectedSummary(
      ImplicitLocOpBuilder &b, LaunchSummary &summary, Value batchSize,
      Value keyLen,
      function_ref<Value(ImplicitLocOpBuilder &, Value)> kvLengthOf,
      int64_t keyTile) const;
  /// Status of key tile [t0, t1] under the block layout / the selection.
  Value emitBlockLayoutStatus(ImplicitLocOpBuilder &b,
                              const QueryTilePlan &plan, Value t0,
                              Value t1) const;
  Value emitSelectedStatus(ImplicitLocOpBuilder &b, const QueryTilePlan &plan,
                           Value kt, Value t0, Value t1) const;

  /// Query heads per key/value head.
  int64_t group;
  mutable AttentionOp op;
  BlockSparseMaskAttr blockLayout;
  bool selected = false;
  const AttentionBuffers &buffers;
  SmallVector<IntervalMask> intervals;
  bool keyLimit = false, document = false;
  SmallVector<NeighborhoodMaskAttr> neighborhoods;
  /// A mask region the interval rules cover (see regionBounds()).
  Region *boundedRegion = nullptr;
  /// A mask region they do not cover: nothing better than partial.
  bool partialOnly = false;
};

} // namespace mlir::attn

#endif // ATTN_PASSES_MASKANALYSIS_H
