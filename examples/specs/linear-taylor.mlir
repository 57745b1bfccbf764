// Linear attention, second-order Taylor feature map phi(x) = [1, x, vec(x x^T) / sqrt(2)] (F = 1 + D + D^2), causal:
// o_i = phi(q_i)^T S_i / (phi(q_i)^T z_i + eps).
// Source: Based (Arora et al., "Simple linear attention language models balance the recall-throughput tradeoff");
//         Taylor linear attention.
//
// Based projects q and k to a small feature dimension; D = 16 here would be typical, D = 64 is used (F = 4161).
// MHA 8 heads, f16.

func.func @based_taylor(%q: tensor<?x8x?x64xf16>, %k: tensor<?x8x?x64xf16>,
                        %v: tensor<?x8x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention taylor %q, %k, %v causal
      : tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16>, tensor<?x8x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
