// Agent Attention: O = softmax(Q A^T / sqrt(D)) (softmax(A K^T / sqrt(D)) V), agent tokens A [B, Hq, Na, D];
// two composed attention ops, each with the default scale 1/sqrt(D).
// Source: Agent Attention (Han et al., "Agent Attention: On the Integration of Softmax and Linear Attention").
//
// Step 1: the agents attend to K, V (grouped as usual, 8 query heads over 2 key/value heads), giving V' [B, Hq, Na, Dv].
// Step 2: the queries attend to keys A and values V' (multi-head: A and V' have Hq heads). Na = 49, D = 64, f16.

func.func @agent_attention(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                           %v: tensor<?x2x?x64xf16>, %agents: tensor<?x8x49x64xf16>)
    -> tensor<?x8x?x64xf16> {
  %agent_values = attn.attention %agents, %k, %v
      : tensor<?x8x49x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x49x64xf16>
  %o = attn.attention %q, %agents, %agent_values
      : tensor<?x8x?x64xf16>, tensor<?x8x49x64xf16>, tensor<?x8x49x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}
