//===- AttnOps.td - attn dialect operations ----------------*- tablegen -*-===//
//
// attn.attention (softmax-family attention with every named mask, modifier,
// normaliser and epilogue, plus score/mask regions), attn.linear_attention
// (kernel feature maps), attn.merge (combining partial results) and the small
// ops used inside regions.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_OPS_TD
#define ATTN_OPS_TD

include "AttnAttrs.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Attn_IntTensor : RankedTensorOf<[AnySignlessInteger, Index]>;
def Attn_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Attn_AnyTensor : RankedTensorOf<[AnyType]>;

def Attn_MaskArrayAttr
    : TypedArrayAttrBase<AnyAttr, "array of #attn mask attributes">;
def Attn_ModifierArrayAttr
    : TypedArrayAttrBase<AnyAttr, "array of #attn score modifier attributes">;

//===----------------------------------------------------------------------===//
// attn.attention
//===----------------------------------------------------------------------===//

def Attn_AttentionOp : Attn_Op<"attention", [
    AttrSizedOperandSegments, AttrSizedResultSegments, IsolatedFromAbove,
    Pure]> {
  let summary = "Attention with masks, score modifiers and a normaliser";
  let description = [{
    Computes `O[b, h, i] = sum_j w(i, j) * V[b, h / G, j]` where the weights come
    from the scores `s = scale * dot(Q[b, h, i], K[b, h / G, j])` after the
    masks, the score modifiers and the normaliser (VARIANTS.md).

    Query, key and value are `[B, H, S, D]` tensors (B and the sequence lengths
    may be dynamic). With `page_table`, key and value are pages
    `[num_pages, page_size, Hkv, D]` and `kv_len` is required.

    Named masks (`masks`) combine with AND, together with the `mask` region if
    there is one. Named modifiers (`modifiers`) apply in the fixed order of
    VARIANTS.md section 3, the `score` region last. Modifiers and masks that
    read a tensor take it from the operand group of the same name; each
    `#attn.temperature` and `#attn.bias` takes the next tensor of its group.

    Regions receive `(s: f32, b, h, i, j: index, captures...)` for `score`
    and `(b, h, i, j: index, captures...)` for `mask`, and end in `attn.yield`.
    `attn.position %b, %i` inside a region gives the aligned query position
    p(i).

    Example:

    ```mlir
    %o, %lse = attn.attention %q, %k, %v
        masks [#attn.causal, #attn.sliding_window<left = 1024, sinks = 4>]
        modifiers [#attn.softcap<5.000000e+01>]
        : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
        -> tensor<?x32x?x128xf16>, lse tensor<?x32x?xf32>
    ```
  }];

  let arguments = (ins
    Attn_FloatTensor:$query,
    Attn_FloatTensor:$key,
    Attn_FloatTensor:$value,
    Optional<Attn_IntTensor>:$q_len,
    Optional<Attn_IntTensor>:$kv_len,
    Optional<Attn_IntTensor>:$page_table,
    Optional<Attn_IntTensor>:$segment_ids,
    Optional<Attn_IntTensor>:$kv_segment_ids,
    Optional<Attn_IntTensor>:$key_limit,
    Optional<Attn_AnyTensor>:$block_layout,
    Optional<Attn_IntTensor>:$selected,
    Variadic<Attn_FloatTensor>:$temperature,
    Optional<Attn_FloatTensor>:$alibi_slopes,
    Optional<Attn_FloatTensor>:$position_table,
    Variadic<Attn_FloatTensor>:$bias,
    Optional<Attn_FloatTensor>:$gate,
    Variadic<AnyType>:$captures,
    OptionalAttr<F64Attr>:$scale,
    DefaultValuedAttr<Attn_AlignmentAttr, "::mlir::attn::Alignment::bottom_right">:$alignment,
    DefaultValuedAttr<Attn_MaskArrayAttr, "{}">:$masks,
    DefaultValuedAttr<Attn_ModifierArrayAttr, "{}">:$modifiers,
    OptionalAttr<AnyAttr>:$normalizer,
    OptionalAttr<DenseI64ArrayAttr>:$block_stats
  );
  let results = (outs Attn_FloatTensor:$output,
                      Optional<Attn_FloatTensor>:$lse,
                      Optional<Attn_FloatTensor>:$block_max);
  let regions = (region MaxSizedRegion<1>:$score, MaxSizedRegion<1>:$mask);

  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`q_len` `(` $q_len^ `:` type($q_len) `)`)?
    (`kv_len` `(` $kv_len^ `:` type($kv_len) `)`)?
    (`page_table` `(` $page_table^ `:` type($page_table) `)`)?
    (`segment_ids` `(` $segment_ids^ `:` type($segment_ids) `)`)?
    (`kv_segment_ids` `(` $kv_segment_ids^ `:` type($kv_segment_ids) `)`)?
    (`key_limit` `(` $key_limit^ `:` type($key_limit) `)`)?
    (`block_layout` `(` $block_layout^ `:` type($block_layout) `)`)?
    (`selected` `(` $selected^ `:` type($selected) `)`)?
    (`temperature` `(` $temperature^ `:` type($temperature) `)`)?
    (`alibi_slopes` `(` $alibi_slopes^ `:` type($alibi_slopes) `)`)?
    (`position_table` `(` $position_table^ `:` type($position_table) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`gate` `(` $gate^ `:` type($gate) `)`)?
    (`captures` `(` $captures^ `:` type($captures) `)`)?
    (`scale` `(` $scale^ `)`)?
    (`alignment` `(` custom<EnumKeyword>($alignment)^ `)`)?
    (`masks` $masks^)?
    (`modifiers` $modifiers^)?
    (`normalizer` `(` $normalizer^ `)`)?
    (`block_stats` `(` $block_stats^ `)`)?
    (`score` $score^)?
    (`mask` $mask^)?
    attr-dict `:` type($query) `,` type($key) `,` type($value) `->`
    custom<AttentionResultTypes>(type($output), type($lse), type($block_max))
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;

  let skipDefaultBuilders = 0;
  let extraClassDeclaration = [{
    /// The normaliser, softmax when none is written.
    ::mlir::attn::NormalizerAttrInterface getNormalizerOrDefault();
    /// The scale: the `scale` attribute, else 1/sqrt(D).
    double getScaleOrDefault();
    /// Whether K and V are stored as pages behind `page_table`.
    bool isPaged() { return getPageTable() != nullptr; }
    /// Query heads per key/value head.
    int64_t getGroupSize();
    /// Positions in `getModifiers()` in application order: kinds in the fixed
    /// order of VARIANTS.md section 3, one kind in list order.
    ::llvm::SmallVector<unsigned> getModifierApplicationOrder();
    /// The first mask of type `MaskT`, or null.
    template <typename MaskT> MaskT getMaskOfType() {
      for (::mlir::Attribute mask : getMasks())
        if (auto typed = ::llvm::dyn_cast<MaskT>(mask))
          return typed;
      return {};
    }
    /// Block arguments the regions receive before the captures.
    static constexpr unsigned kScoreRegionIndexArgs = 5;
    static constexpr unsigned kMaskRegionIndexArgs = 4;
  }];
}

//===----------------------------------------------------------------------===//
// attn.linear_attention
//===----------------------------------------------------------------------===//

def Attn_LinearAttentionOp : Attn_Op<"linear_attention", [
    AttrSizedOperandSegments, Pure]> {
  let summary = "Linear attention with a kernel feature map";
  let description = [{
    `o_i = phi(q_i)^T S / (phi(q_i)^T z + eps)` with `S = sum_j phi(k_j) v_j^T`
    and `z = sum_j phi(k_j)` (VARIANTS.md section 6). With `causal` the sums
    run over `j <= p(i)`, each term weighted by `decay[h]^(p(i) - j)`; without
    `normalize` the denominator is dropped. `random_features` reads `weights`
    (`[F, D]` or `[Hq, F, D]`).

    Example:

    ```mlir
    %o = attn.linear_attention elu_plus_one %q, %k, %v causal
        decay([0.99])
        : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>
        -> tensor<1x8x?x64xf32>
    ```
  }];
  let arguments = (ins
    Attn_FeatureMapAttr:$feature_map,
    Attn_FloatTensor:$query,
    Attn_FloatTensor:$key,
    Attn_FloatTensor:$value,
    Optional<Attn_IntTensor>:$q_len,
    Optional<Attn_IntTensor>:$kv_len,
    Optional<Attn_FloatTensor>:$weights,
    UnitAttr:$causal,
    OptionalAttr<DenseF64ArrayAttr>:$decay,
    DefaultValuedAttr<BoolAttr, "true">:$normalize,
    DefaultValuedAttr<F64Attr, "1.0e-6">:$eps,
    DefaultValuedAttr<Attn_AlignmentAttr, "::mlir::attn::Alignment::bottom_right">:$alignment
  );
  let results = (outs Attn_FloatTensor:$output);
  let assemblyFormat = [{
    custom<EnumKeyword>($feature_map) $query `,` $key `,` $value
    (`q_len` `(` $q_len^ `:` type($q_len) `)`)?
    (`kv_len` `(` $kv_len^ `:` type($kv_len) `)`)?
    (`weights` `(` $weights^ `:` type($weights) `)`)?
    (`causal` $causal^)?
    (`decay` `(` custom<F64List>($decay)^ `)`)?
    (`alignment` `(` custom<EnumKeyword>($alignment)^ `)`)?
    attr-dict `:` type($query) `,` type($key) `,` type($value) `->` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Length F of the feature vectors phi(x).
    int64_t getFeatureDim();
    /// The decay of query head `h` (1 when there is none).
    double getDecayAt(int64_t h);
  }];
}

//===----------------------------------------------------------------------===//
// attn.merge
//===----------------------------------------------------------------------===//

def Attn_MergeOp : Attn_Op<"merge", [SameVariadicOperandSize, Pure]> {
  let summary = "Merge partial attention results over disjoint key sets";
  let description = [{
    `lse = logsumexp_r lse_r`, `o = sum_r exp(lse_r - lse) * o_r`; where every
    part is `-inf` the result is `o = 0`, `lse = -inf` (VARIANTS.md section 5).

    ```mlir
    %o, %lse = attn.merge %o1, %o2 lse %l1, %l2
        : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32>
        -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
    ```
  }];
  let arguments = (ins Variadic<Attn_FloatTensor>:$outputs,
                       Variadic<Attn_FloatTensor>:$lses);
  let results = (outs Attn_FloatTensor:$output, Attn_FloatTensor:$lse);
  let assemblyFormat = [{
    $outputs `lse` $lses attr-dict `:` type($outputs) `lse` type($lses)
    `->` type($output) `,` type($lse)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Region ops
//===----------------------------------------------------------------------===//

def Attn_PositionOp : Attn_Op<"position", [Pure]> {
  let summary = "The aligned position p(i) of query i in batch b";
  let description = [{
    Inside a `score` or `mask` region: `p(i) = i + (kv_len[b] - q_len[b])`
    under bottom-right alignment, `i` under top-left.
  }];
  let arguments = (ins Index:$batch, Index:$query);
  let results = (outs Index:$position);
  let assemblyFormat = "$batch `,` $query attr-dict";
  let hasVerifier = 1;
}

def Attn_YieldOp : Attn_Op<"yield", [Pure, Terminator, ReturnLike,
    ParentOneOf<["AttentionOp"]>]> {
  let summary = "Ends a score or mask region";
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* empty */ }]>];
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // ATTN_OPS_TD
