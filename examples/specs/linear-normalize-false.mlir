// Unnormalised causal linear attention with per-head decay (retention): o_i = phi(q_i)^T S_i,
// S_i = sum_{j <= p(i)} lambda[h]^(p(i) - j) phi(k_j) v_j^T (normalize = false drops the denominator), phi = identity.
// Source: Lightning Attention-2 (Qin et al.); RetNet (Sun et al., "Retentive Network").
//
// RetNet uses lambda_h = 1 - 2^(-5-h); the last five values below are rounded to 7 significant digits, since
// the printed form of `decay` currently keeps only 7 (longer values would not survive a print/parse round trip).
// MHA 8 heads, D = 128, bf16.

func.func @retention(%q: tensor<?x8x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                     %v: tensor<?x8x?x128xbf16>) -> tensor<?x8x?x128xbf16> {
  %o = attn.linear_attention identity %q, %k, %v causal
      decay([0.96875, 0.984375, 0.9921875, 0.9960938, 0.9980469, 0.9990234, 0.9995117, 0.9997559])
      {normalize = false}
      : tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x8x?x128xbf16>
  return %o : tensor<?x8x?x128xbf16>
}
