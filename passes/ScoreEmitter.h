//===- ScoreEmitter.h - Masks and modifiers as IR -------------*- C++ -*-===//
//
// Emits, for one (b, h, i, j), whether the pair is kept and the modified
// score, from an attn.attention's named masks, modifiers and regions. Used by
// the tiled online form for every backend, so the meaning of each variant is
// written once on the lowering side (as the oracle writes it once on the
// reference side).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_SCOREEMITTER_H
#define ATTN_PASSES_SCOREEMITTER_H

#include "attn/Dialect/Attn.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>

namespace mlir::attn {

/// The buffers (memrefs) an attn.attention reads in a kernel, by operand.
struct AttentionBuffers {
  Value query, key, value, qLen, kvLen, pageTable, segmentIds, kvSegmentIds,
      keyLimit, blockLayout, selected;
  SmallVector<Value> temperature, bias;
  Value alibiSlopes, positionTable, gate;
  /// Memrefs for tensor captures, the scalar itself otherwise.
  SmallVector<Value> captures;
};

/// The buffers of `op`'s operands, each mapped through `buffer` (which
/// gives the memref of an operand value; absent operands stay null).
AttentionBuffers collectAttentionBuffers(AttentionOp op,
                                         function_ref<Value(Value)> buffer);

/// The indices of element `d` of key (or value) row `j` of `cache` (the
/// key or value buffer): [b, kvh, j, d], or through the page table for a
/// paged cache ([page slot, j % page size, kvh, d]).
SmallVector<Value> emitKeyIndices(ImplicitLocOpBuilder &b,
                                  const AttentionBuffers &buffers, Value cache,
                                  Value batch, Value kvHead, Value j, Value d);

/// The number of keys the key index runs over: Skv, or max_pages x page
/// size for a paged cache.
Value emitKeyLength(ImplicitLocOpBuilder &b, const AttentionBuffers &buffers);

/// The row a score belongs to; all index values.
struct ScoreRow {
  Value b, h, i;
  /// The offset of the row's batch entry, and p(i) = i + offset.
  Value offset, position;
  /// n_i, the row's kept keys (f32), where a variant needs it.
  Value keptCount = {};
};

/// Emits the position offset (kv_len[b] - q_len[b] under bottom-right
/// alignment) of batch entry `b`, for regions asking about another row.
using OffsetEmitter = std::function<Value(ImplicitLocOpBuilder &, Value b)>;

class ScoreEmitter {
public:
  ScoreEmitter(AttentionOp op, const AttentionBuffers &buffers,
               OffsetEmitter offsetOf)
      : op(op), buffers(buffers), offsetOf(std::move(offsetOf)) {}

  /// Fails with a diagnostic naming the first feature of `op` the tiled
  /// online form cannot lower yet.
  static LogicalResult checkSupported(AttentionOp op);

  /// keep(i, j) as i1: the named masks and the mask region (the j < kv_len
  /// bound is the caller's loop bound).
  Value emitKeep(ImplicitLocOpBuilder &b, const ScoreRow &row, Value j);

  /// The selected keys as a map [B, selection heads, keys + padding] of i8
  /// (built once per launch by the mask analysis), for selected tokens.
  void setSelectedKeyMap(Value map) { selectedKeyMap = map; }
  /// The selected-tokens mask holds by construction: the caller visits only
  /// the listed keys (the GPU kernels gather them), so emitKeep() leaves it
  /// out.
  void setSelectedGathered() { selectedGathered = true; }

  /// Whether emitKeepVector() covers `op`: its masks are causal, windows,
  /// prefix LM, neighborhoods or key limits, and it has no mask region.
  static bool hasVectorKeep(AttentionOp op);

  /// keep(i, j) for the `width` keys j = firstKey + [0, width) at once, as
  /// vector<width x i1> (32-bit lanes; the key index fits): what a partial
  /// tile costs per element is then a few vector compares, not a scalar
  /// chain per key. Only where hasVectorKeep(op).
  Value emitKeepVector(ImplicitLocOpBuilder &b, const ScoreRow &row,
                       Value firstKey, int64_t width);

  /// The score after every modifier (in application order) and the score
  /// region, from the scaled score `s` (f32).
  Value emitModifiers(ImplicitLocOpBuilder &b, const ScoreRow &row, Value j,
                      Value s);

  /// The weights of the normalisers without a running max (softplus, ReLU,
  /// sigmoid, none) for `scores` (f32, or a vector of f32; -inf where a
  /// mask removed the key, which weighs 0); `keptCount` (n_i) for sigmoid
  /// with log_length. Shared by every backend.
  static Value emitDirectWeights(ImplicitLocOpBuilder &b, Attribute normalizer,
                                 Value scores, Value keptCount);

  /// Whether a row has an output, and its lse, from its final running max
  /// `m` and weight sum `l` (f32) under `normalizer`: a row is empty when it
  /// is not `live`, when nothing was kept (softmax: m still -inf) or when
  /// its weight sum is 0 (other normalised normalisers); lse is m + log l
  /// (softmax), log l (other normalised ones) or -inf. Shared by every
  /// backend's epilogue.
  static std::pair<Value, Value> emitRowValidity(ImplicitLocOpBuilder &b,
                                                 Attribute normalizer,
                                                 Value live, Value m, Value l);

  /// `indices` of `buffer`, each at most its dimension's last: the kernels
  /// compute rows and columns past Sq and Skv (they fill the last tile, and
  /// are masked or not stored), whose loads must stay inside their tensors.
  /// A size-1 dimension reads element 0 (broadcasting).
  static SmallVector<Value> clampIndices(ImplicitLocOpBuilder &b, Value buffer,
                                         ValueRange indices);

  /// Loads `buffer` at `indices` of the full layout it broadcasts to (NumPy
  /// rules: right-aligned, size-1 dimensions repeat), clamped as by
  /// clampIndices().
  static Value loadBroadcast(ImplicitLocOpBuilder &b, Value buffer,
                             ValueRange indices);

  /// The key limit of row (b, h, i), as index ([B, Sq] or [B, Hq, Sq]
  /// limits, broadcasting).
  static Value loadKeyLimit(ImplicitLocOpBuilder &b,
                            const AttentionBuffers &buffers, Value batch,
                            Value h, Value i);

  /// `buffer[indices..., 0:n]` as vector<n x f32>.
  static Value loadVectorAsF32(ImplicitLocOpBuilder &b, Value buffer,
                               ValueRange indices, int64_t n);

  /// `value` as f32 (floats) or index (integers).
  static Value toF32(ImplicitLocOpBuilder &b, Value value);
  static Value toIndex(ImplicitLocOpBuilder &b, Value value);

private:
  /// Inlines `region` with its leading arguments bound to `leading`; returns
  /// the yielded value.
  Value inlineRegion(ImplicitLocOpBuilder &b, Region &region,
                     ValueRange leading, const ScoreRow &row);

  AttentionOp op;
  const AttentionBuffers &buffers;
  OffsetEmitter offsetOf;
  Value selectedKeyMap;
  bool selectedGathered = false;
};

/// Whether key block `kb` is kept for query block `qb` of (batch, head)
/// under `op`'s block layout (a bitmap entry, or listed in the index list).
Value emitBlockLayoutKeep(ImplicitLocOpBuilder &b, AttentionOp op,
                          const AttentionBuffers &buffers, Value batch,
                          Value head, Value qb, Value kb);

/// Whether `op`'s selected-token lists are per key/value head (shared by
/// the query heads of a group), as their static head count says (the
/// verifier's rule); per query head otherwise.
bool isSelectionPerKeyValueHead(AttentionOp op);

/// The head of `op`'s selected-token lists that query head `h` reads.
Value emitSelectionHead(ImplicitLocOpBuilder &b, AttentionOp op, Value h);

/// One row of attn.merge from its parts' lse values (f32): the merged
/// lse = logsumexp_r lse_r and each part's weight exp(lse_r - lse), by
/// which o = sum_r weight_r o_r; a row whose parts are all -inf gets lse
/// -inf and weights 0 (o = 0).
struct MergeRow {
  Value lse;
  SmallVector<Value> weights;
};
MergeRow emitMergeRow(ImplicitLocOpBuilder &b, ArrayRef<Value> partLses);

} // namespace mlir::attn

#endif // ATTN_PASSES_SCOREEMITTER_H
