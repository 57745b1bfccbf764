//===- LinearAttention.h - Chunked linear attention ------------*- C++ -*-===//
//
// The tiled form of attn.linear_attention (VARIANTS.md section 6), computed
// chunk by chunk as Lightning Attention-2 does: a carried state S = sum
// phi(k) v^T and z = sum phi(k) across chunks, a masked quadratic product
// inside each chunk, the decay folded into both. Cost linear in the length.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_LINEARATTENTION_H
#define ATTN_PASSES_LINEARATTENTION_H

#include "attn/Dialect/Attn.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::attn {

/// The buffers one attn.linear_attention reads (null where it has none).
struct LinearAttentionBuffers {
  Value query, key, value, qLen, kvLen, weights;
};

/// The chunk length for `op`: `requested`, halved (down to 8) while the
/// feature tile it keeps per chunk ([F, chunk] f32) would exceed 64 KiB, so
/// wide feature maps (random features with large F) still fit in cache.
int64_t getLinearAttentionChunk(LinearAttentionOp op, int64_t requested);

/// Emits the loop nest of `op`: parallel over (batch, query head), a loop
/// over chunks of `chunk` positions carrying the state, writing `output`
/// ([B, Hq, Sq, Dv]; rows without keys and padded rows get 0).
void emitLinearAttention(ImplicitLocOpBuilder &b, LinearAttentionOp op,
                         const LinearAttentionBuffers &buffers, Value output,
                         int64_t chunk);

} // namespace mlir::attn

#endif // ATTN_PASSES_LINEARATTENTION_H
