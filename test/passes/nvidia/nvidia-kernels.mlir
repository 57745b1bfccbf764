// RUN: attn-opt %s -attn-nvidia-kernels | FileCheck %s
// RUN: attn-opt %s -attn-nvidia-kernels=chip=sm_80 | FileCheck %s --check-prefix=SM80

// The kernel of a dense bf16 spec: a gpu.func taking the function's memrefs
// and its output, with its launch sizes; cp.async tiles, ldmatrix
// fragments, tensor-core products, quad shuffles, barriers.

// CHECK: module attributes {gpu.container_module}
// CHECK: gpu.module @attn_kernels
// CHECK: gpu.func @dense(%{{.*}}: memref<?x8x?x64xbf16>, %{{.*}}: memref<?x8x?x64xbf16>, %{{.*}}: memref<?x8x?x64xbf16>, %{{.*}}: memref<?x8x?x64xbf16>) kernel
// CHECK-SAME: attn.launch = {group = 1 : i64, kv_heads = 8 : i64, query_argument = 0 : i64, query_tile = 64 : i64, shared_bytes = 46080 : i64, threads = 128 : i64}
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// The grid: (query tile, key/value head, batch entry).
// CHECK-DAG: gpu.block_id x
// CHECK-DAG: gpu.block_id y
// CHECK-DAG: gpu.block_id z
// CHECK: gpu.dynamic_shared_memory
// Query tile, 16 bytes per copy, zero-filled past the rows that exist.
// CHECK: nvgpu.device_async_copy {{.*}} : memref<?x8x?x64xbf16> to memref<64x72xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: gpu.barrier
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : memref<64x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// The key loop: double-buffered key and value tiles.
// CHECK: scf.for
// CHECK: nvgpu.device_async_copy {{.*}} : memref<?x8x?x64xbf16> to memref<2x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.cp.async.wait.group 1
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : memref<2x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.mma.sync {{.*}} multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK: gpu.shuffle xor
// CHECK: math.exp2
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = true} : memref<2x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK: nvvm.mma.sync
// CHECK: gpu.barrier
// Epilogue: the row sums across the quad, then two elements per store.
// CHECK: gpu.shuffle xor
// CHECK: vector.store {{.*}} : memref<?x8x?x64xbf16>, vector<2xbf16>
// CHECK: gpu.return

// SM80: gpu.func @dense
// SM80: gpu.func @causal_gqa
func.func @dense(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x8x?x64xbf16>,
                 %v: tensor<?x8x?x64xbf16>) -> tensor<?x8x?x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>
      -> tensor<?x8x?x64xbf16>
  return %o : tensor<?x8x?x64xbf16>
}

// Causal f16 with GQA 8/2 and the lse: the tile's rows interleave the four
// query heads of a key/value head (group = 4), the key tiles come from the
// mask analysis, and the lse is written by the first lane of each quad.
// CHECK-LABEL: gpu.func @causal_gqa
// CHECK-SAME: attn.launch = {group = 4 : i64, kv_heads = 2 : i64, query_argument = 0 : i64, query_tile = 64 : i64, shared_bytes = 87040 : i64, threads = 128 : i64}
// CHECK: nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: math.log
// CHECK: memref.store {{.*}} : memref<?x8x?xf32>
func.func @causal_gqa(%q: tensor<?x8x?x128xf16>, %k: tensor<?x2x?x128xf16>,
                      %v: tensor<?x2x?x128xf16>)
    -> (tensor<?x8x?x128xf16>, tensor<?x8x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x8x?x128xf16>, tensor<?x2x?x128xf16>, tensor<?x2x?x128xf16>
      -> tensor<?x8x?x128xf16>, lse tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x128xf16>, tensor<?x8x?xf32>
}

// A normaliser without a running max: each weight is final (softplus here,
// the CPU's formula), no row maxima or rescaling; a row is empty where its
// weight sum is 0.
// CHECK-LABEL: gpu.func @softplus
// CHECK: math.log1p
// CHECK-NOT: math.exp2
// CHECK: arith.cmpf one
// CHECK: gpu.return
func.func @softplus(%q: tensor<?x4x?x64xbf16>, %k: tensor<?x4x?x64xbf16>,
                    %v: tensor<?x4x?x64xbf16>) -> tensor<?x4x?x64xbf16> {
  %o = attn.attention %q, %k, %v normalizer(#attn.softplus<power = 1.0>)
      : tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16>, tensor<?x4x?x64xbf16>
      -> tensor<?x4x?x64xbf16>
  return %o : tensor<?x4x?x64xbf16>
}

// Length scaling needs n_i, each row's kept keys: a first sweep over the key
// tiles counts the bits of the masks' verdicts (popcount per row, then the
// quad's sum), before the main loop.
// CHECK-LABEL: gpu.func @length_scaled
// CHECK: scf.for
// CHECK: llvm.intr.ctpop
// CHECK: gpu.shuffle xor
// CHECK: scf.for
// CHECK: nvvm.mma.sync
func.func @length_scaled(%q: tensor<?x4x?x64xf16>, %k: tensor<?x4x?x64xf16>,
                         %v: tensor<?x4x?x64xf16>) -> tensor<?x4x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      modifiers [#attn.length_scaling<512.0>]
      : tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16>
      -> tensor<?x4x?x64xf16>
  return %o : tensor<?x4x?x64xf16>
}
