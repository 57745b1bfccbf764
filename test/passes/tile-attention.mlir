// RUN: attn-opt %s -attn-tile-attention -split-input-file | FileCheck %s
// RUN: attn-opt %s -attn-tile-attention="query-tile=16 key-tile=128" -split-input-file | FileCheck %s --check-prefix=TILES

// A causal GQA spec becomes a kernel on buffers: inputs, then the outputs it
// writes, callable from C. The loop nest is parallel over (b, key/value head,
// query tile), a tile holding the rows of all 4 query heads of its key/value
// head, and visits key tiles up to the last position of the tile only.
// CHECK-LABEL: func.func @causal(
// CHECK-SAME:    %[[Q:[a-z0-9]+]]: memref<?x8x?x64xf16>, %[[K:[a-z0-9]+]]: memref<?x2x?x64xf16>, %[[V:[a-z0-9]+]]: memref<?x2x?x64xf16>, %[[O:[a-z0-9]+]]: memref<?x8x?x64xf16>)
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK-NOT:     tensor
// CHECK:         %[[SQ:.+]] = memref.dim %[[Q]], %c2{{[_0-9]*}} : memref<?x8x?x64xf16>
// CHECK:         %[[SKV:.+]] = memref.dim %[[K]], %c2{{.*}} : memref<?x2x?x64xf16>
// CHECK:         %[[ROWS:.+]] = arith.muli %[[SQ]], %c4{{[_0-9]*}} : index
// CHECK:         %[[NTILES:.+]] = arith.ceildivsi %[[ROWS]], %{{.+}} : index
// CHECK:         scf.parallel (%[[B:.+]], %[[KVH:.+]], %[[QT:.+]]) = {{.*}} to (%{{.+}}, %c2{{.*}}, %[[NTILES]])
// Running max, sum, accumulator and one row of scores per query tile.
// CHECK:           memref.alloca() : memref<32xf32>
// CHECK:           memref.alloca() : memref<32xf32>
// CHECK:           memref.alloca() : memref<32x64xf32>
// CHECK:           memref.alloca() : memref<64xf32>
// The last key any row of the tile keeps: min(Skv - 1, p(last row)).
// CHECK:           %[[SKVM1:.+]] = arith.subi %[[SKV]], %c1{{[_0-9]*}} : index
// CHECK:           %[[LAST:.+]] = arith.minsi %[[SKVM1]], %{{.+}} : index
// CHECK:           arith.floordivsi %{{.+}}, %c64{{[_0-9]*}}
// CHECK:           scf.for %[[KT:.+]] = %{{.+}} to %{{.+}} step
// Each key tile's status (skipped 0, partial 1, full 2) from the masks:
// skipped tiles do nothing, partial ones evaluate the masks per element.
// CHECK:             arith.muli %[[KT]], %c64{{[_0-9]*}} : index
// CHECK:             %[[STATUS:.+]] = arith.select %{{.+}}, %{{.+}}, %c0{{[_0-9]*}} : index
// CHECK:             %[[VISIT:.+]] = arith.cmpi ne, %[[STATUS]], %c0{{[_0-9]*}} : index
// CHECK:             scf.if %[[VISIT]] {
// CHECK:               %[[PARTIAL:.+]] = arith.cmpi eq, %[[STATUS]], %c1{{[_0-9]*}} : index
// Row t of the tile is query t / 4 of head 4 * kvh + t % 4.
// CHECK:               %[[T:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK:               arith.divui %[[T]], %c4{{[_0-9]*}}
// CHECK:               arith.remui %[[T]], %c4{{[_0-9]*}}
// CHECK:               arith.andi %[[PARTIAL]], %{{.+}} : i1
// CHECK:               arith.cmpi sle
// CHECK:               math.exp
// CHECK:           memref.store %{{.+}}, %[[O]][%[[B]], %{{.+}}, %{{.+}}, %{{.+}}] : memref<?x8x?x64xf16>
// CHECK-NOT:     attn.attention
// TILES-LABEL: func.func @causal(
// TILES:         memref.alloca() : memref<16xf32>
// TILES:         memref.alloca() : memref<128xf32>
func.func @causal(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                  %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// -----

// A sliding window without sinks starts at the first key of p(first row) - left.
// CHECK-LABEL: func.func @window(
// CHECK:         %[[LO:.+]] = arith.subi %{{.+}}, %c16{{[_0-9]*}} : index
// CHECK:         %[[LOWER:.+]] = arith.maxsi %{{.+}}, %[[LO]] : index
// CHECK:         %[[FIRST:.+]] = arith.minsi %{{.+}}, %[[LOWER]] : index
// CHECK:         %[[SOME:.+]] = arith.select %{{.+}}, %[[FIRST]], %{{.+}} : index
// CHECK:         %[[FROM:.+]] = arith.maxsi %{{.+}}, %[[SOME]] : index
// CHECK:         %[[FIRSTTILE:.+]] = arith.floordivsi %[[FROM]], %c64{{[_0-9]*}}
// CHECK:         scf.for %{{.+}} = %[[FIRSTTILE]] to
func.func @window(%q: tensor<1x2x128x32xf32>, %k: tensor<1x2x128x32xf32>,
                  %v: tensor<1x2x128x32xf32>) -> tensor<1x2x128x32xf32> {
  %o = attn.attention %q, %k, %v masks [#attn.sliding_window<left = 16, right = 0>]
      : tensor<1x2x128x32xf32>, tensor<1x2x128x32xf32>, tensor<1x2x128x32xf32>
      -> tensor<1x2x128x32xf32>
  return %o : tensor<1x2x128x32xf32>
}

// -----

// Results that feed another op live in a temporary; the lse is an output.
// CHECK-LABEL: func.func @agent(
// CHECK-SAME:    %{{.+}}: memref<1x2x8x16xf32>, %{{.+}}: memref<1x2x4x16xf32>, %{{.+}}: memref<1x2x32x16xf32>, %{{.+}}: memref<1x2x32x16xf32>, %[[O:.+]]: memref<1x2x8x16xf32>, %[[LSE:.+]]: memref<1x2x8xf32>)
// CHECK:         %[[TMP:.+]] = memref.alloc() : memref<1x2x4x16xf32>
// CHECK:         scf.parallel
// CHECK:         scf.parallel
// CHECK:         memref.store %{{.+}}, %[[LSE]]
// CHECK:         memref.dealloc %[[TMP]]
func.func @agent(%q: tensor<1x2x8x16xf32>, %a: tensor<1x2x4x16xf32>,
                 %k: tensor<1x2x32x16xf32>, %v: tensor<1x2x32x16xf32>)
    -> (tensor<1x2x8x16xf32>, tensor<1x2x8xf32>) {
  %va = attn.attention %a, %k, %v
      : tensor<1x2x4x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>
      -> tensor<1x2x4x16xf32>
  %o, %lse = attn.attention %q, %a, %va
      : tensor<1x2x8x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>
      -> tensor<1x2x8x16xf32>, lse tensor<1x2x8xf32>
  return %o, %lse : tensor<1x2x8x16xf32>, tensor<1x2x8xf32>
}
