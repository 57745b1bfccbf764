//===- AttnRegionMatchers.h - Named forms of regions ----------*- C++ -*-===//
//
// Recognises `mask` regions that say exactly what a named mask says, so
// canonicalisation can replace them with the attribute.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECTS_ATTN_ATTNREGIONMATCHERS_H
#define ATTN_DIALECTS_ATTN_ATTNREGIONMATCHERS_H

#include "attn/Dialect/Attn.h"

namespace mlir::attn {

/// The named masks (#attn.causal, #attn.sliding_window, #attn.prefix_lm)
/// whose AND equals `op`'s mask region, or an empty list. Recognised: ANDs of
/// windows, each an AND of bounds `j <= p(i) + c` and `j >= p(i) - c`,
/// optionally ORed with a sink bound `j < n`, in any signed comparison form.
SmallVector<Attribute> matchNamedMaskRegion(AttentionOp op);

/// A named score modifier equal to a score region, and the capture it reads.
struct NamedScoreModifier {
  Attribute modifier;
  /// Index into the op's captures of the tensor the modifier reads (bias,
  /// temperature, ALiBi slopes), if any.
  std::optional<unsigned> capture;
};

/// The named modifier equal to `op`'s score region, or nullopt. Recognised:
/// `c * tanh(s / c)` (softcap), `s + t[b, h, i, j]` (bias), `s / t[h]` and
/// `s / t[b, h, i]` (temperature), `s + t[h] * (j - p(i))` (ALiBi), where t
/// is a capture, read through an optional arith.extf.
std::optional<NamedScoreModifier> matchNamedScoreRegion(AttentionOp op);

/// The key length of key-indexed operands such as bias: Skv, or
/// max_pages * page_size with a paged cache; dynamic where unknown.
int64_t keyIndexedLength(AttentionOp op);

/// The bare `j <= p(i)` and friends need p(i): `attn.position %b, %i`, or `%i`
/// itself under top-left alignment.
bool isQueryPosition(AttentionOp op, Value position, Value b, Value i);

} // namespace mlir::attn

#endif // ATTN_DIALECTS_ATTN_ATTNREGIONMATCHERS_H
