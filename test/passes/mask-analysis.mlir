// RUN: attn-opt %s -attn-tile-attention -split-input-file | FileCheck %s
// RUN: attn-opt %s -attn-tile-attention="summary-only=true" -split-input-file | FileCheck %s --check-prefix=SUMMARY

// Documents: once per launch, before the query tiles, each key tile's lowest
// and highest segment id (a parallel loop over batch entries and key
// tiles); each query tile then takes its rows' lowest and highest id and
// loops only over the key tiles whose ids meet them.
// CHECK-LABEL: func.func @documents(
// CHECK:         %[[TILES:.+]] = arith.ceildivsi %{{.+}}, %c64{{[_0-9]*}} : index
// CHECK:         %[[IDS:.+]] = memref.alloc(%{{.+}}, %[[TILES]]) : memref<?x?x2xindex>
// CHECK:         scf.parallel (%{{.+}}, %{{.+}}) = {{.+}} to (%{{.+}}, %[[TILES]])
// CHECK:           scf.for {{.+}} iter_args(%[[LOW:.+]] = %c2147483647{{.*}}, %[[HIGH:.+]] = %c-2147483648{{.*}}) -> (index, index)
// CHECK:             arith.minsi %[[LOW]]
// CHECK:             arith.maxsi %[[HIGH]]
// CHECK:           memref.store %{{.+}}, %[[IDS]]
// CHECK:         scf.parallel (%{{.+}}, %{{.+}}, %{{.+}})
// CHECK:           memref.load %[[IDS]]
// CHECK:         memref.dealloc %[[IDS]]
// The summary alone (for benchmarks): no query tile loop, and a checksum
// of the summary written to the output so that none of it is dead.
// SUMMARY-LABEL: func.func @documents(
// SUMMARY-SAME:    %[[OUT:[a-z0-9]+]]: memref<?x4x?x16xf32>) attributes
// SUMMARY:         %[[IDS:.+]] = memref.alloc
// SUMMARY:         scf.parallel (%{{.+}}, %{{.+}}) =
// SUMMARY-NOT:     scf.parallel
// SUMMARY:         memref.load %[[IDS]]
// SUMMARY:         memref.store %{{.+}}, %[[OUT]][%c0{{[_0-9]*}}, %c0{{[_0-9]*}}, %c0{{[_0-9]*}}, %c0{{[_0-9]*}}]
// SUMMARY:         memref.dealloc %[[IDS]]
func.func @documents(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>,
                     %v: tensor<?x4x?x16xf32>, %ids: tensor<?x?xi32>) -> tensor<?x4x?x16xf32> {
  %o = attn.attention %q, %k, %v segment_ids(%ids : tensor<?x?xi32>) masks [#attn.document]
      : tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32> -> tensor<?x4x?x16xf32>
  return %o : tensor<?x4x?x16xf32>
}

// -----

// A 2-D neighborhood: per query tile, arrays over the grid's key tiles
// (16 x 16 tokens, 64 keys per tile: 4) of touched flags and covering
// counts, filled by a loop over the tile's positions, then read per tile.
// CHECK-LABEL: func.func @neighborhood(
// CHECK:         scf.parallel
// CHECK:           %[[TOUCHED:.+]] = memref.alloca() : memref<4xi8>
// CHECK:           %[[COVERED:.+]] = memref.alloca() : memref<4xindex>
// CHECK:           memref.store %{{.+}}, %[[TOUCHED]]
// CHECK:           scf.for
// CHECK:             memref.load %[[TOUCHED]]
// CHECK:             memref.load %[[COVERED]]
// No summary before the query tiles: the mask is static.
// SUMMARY-LABEL: func.func @neighborhood(
// SUMMARY-NOT:     memref.alloc
// SUMMARY:         return
func.func @neighborhood(%q: tensor<1x2x256x16xf32>) -> tensor<1x2x256x16xf32> {
  %o = attn.attention %q, %q, %q
      masks [#attn.neighborhood<grid = [16, 16], kernel = [5, 5], dilation = [1, 2]>]
      : tensor<1x2x256x16xf32>, tensor<1x2x256x16xf32>, tensor<1x2x256x16xf32> -> tensor<1x2x256x16xf32>
  return %o : tensor<1x2x256x16xf32>
}
