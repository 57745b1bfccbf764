// RUN: attn-opt %s -attn-tile-attention -split-input-file | FileCheck %s
// RUN: attn-opt %s -attn-tile-attention=linear-chunk=32 -split-input-file | FileCheck %s --check-prefix=CHUNK32
// RUN: not attn-opt %s -attn-tile-attention=linear-chunk=0 -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// attn.linear_attention in chunks (Lightning Attention-2): one work item per
// (batch, query head) carries the state S [F, Dv] and z [F] (f64) across
// chunks of 64 positions; per chunk the key tile is loaded transposed
// [D, C], its features [F, C] computed once, the value tile [C, Dv] loaded.
// Nothing of size Sq x Skv exists.

// CHECK-LABEL: func.func @causal_decay(
// CHECK-SAME:    %[[Q:.+]]: memref<?x4x?x16xf32>, %{{.+}}: memref<?x2x?x16xf32>, %{{.+}}: memref<?x2x?x24xf32>, %[[O:.+]]: memref<?x4x?x24xf32>)
// CHECK-NOT:   memref<?x?xf32>
// CHECK:       scf.parallel (%{{.+}}, %{{.+}}) = (%{{.+}}, %{{.+}}) to (%{{.+}}, %c4)
// CHECK-DAG:     memref.alloc() : memref<16x24xf32>
// CHECK-DAG:     memref.alloc() : memref<16xf64>
// CHECK-DAG:     memref.alloc() : memref<64x24xf32>
// The decay tables: lambda^(r - c) per row (with the causal zeros) and lambda^(C - c).
// CHECK-DAG:     memref.alloc() : memref<128xf32>
// CHECK:         math.exp %{{.+}} : f64
// The chunk loop: the key tile, then the rows whose positions fall in the chunk.
// CHECK:         scf.for
// CHECK:           vector.step : vector<64xindex>
// CHECK:           scf.for
// CHECK:             vector.load %{{.+}} : memref<128xf32>, vector<64xf32>
// CHECK:             vector.store %{{.+}}, %[[O]]
// The state moves past the chunk unless it was the last.
// CHECK:           scf.if
// CHECK-NOT:   memref<?x?xf32>
// CHECK:       return
func.func @causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal decay([0.9])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

// CHUNK32-LABEL: func.func @causal_decay(
// CHUNK32:         memref.alloc() : memref<16x32xf32>
// CHUNK32:         memref.alloc() : memref<32x24xf32>
// BAD: attn-tile-attention: tile sizes and linear-chunk must be >= 1

// -----

// Without decay there is no exp in the tables; non-causal: every chunk adds
// to the state, then every row reads it.
// CHECK-LABEL: func.func @noncausal(
// CHECK-NOT:   math.exp %{{.+}} : f64
// CHECK:       scf.parallel
// CHECK:         scf.for
// CHECK:         scf.for
// CHECK:       return
func.func @noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32> {
  %o = attn.linear_attention relu %q, %k, %v
      : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %o : tensor<?x4x?x16xf32>
}

// -----

// F = 1024 random features: a [F, 64] feature tile would be 256 KiB, so the
// chunk shrinks to 16 (64 KiB).
// CHECK-LABEL: func.func @wide_features(
// CHECK-DAG:     memref.alloc() : memref<1024x16xf32>
// CHECK-DAG:     memref.alloc() : memref<1024x8xf32>
// CHECK-DAG:     memref.alloc() : memref<16x8xf32>
func.func @wide_features(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>,
                         %w: tensor<1024x8xf32>) -> tensor<?x2x?x8xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<1024x8xf32>) causal
      : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x2x?x8xf32>
  return %o : tensor<?x2x?x8xf32>
}

// -----

// Taylor, D = 16: F = 1 + 16 + 256 = 273. The state is [273, Dv], but no
// [F, C] feature tile exists: the intra scores are 1 + s + s^2 / 2 from the
// raw [D, C] tile and the state update forms each feature row from it.
// CHECK-LABEL: func.func @taylor(
// CHECK-DAG:     memref.alloc() : memref<273x16xf32>
// CHECK-DAG:     memref.alloc() : memref<16x64xf32>
// CHECK-NOT:     memref<273x64xf32>
// CHECK:       return
func.func @taylor(%q: tensor<?x2x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x16xf32>) -> tensor<?x2x?x16xf32> {
  %o = attn.linear_attention taylor %q, %k, %v causal
      : tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x2x?x16xf32>
  return %o : tensor<?x2x?x16xf32>
}
