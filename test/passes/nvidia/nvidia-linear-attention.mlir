// RUN: attn-opt %s -split-input-file -attn-nvidia-kernels | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-amd-kernels | FileCheck %s --check-prefix=AMD

// attn.linear_attention on the GPU: a block per (batch, query head, 32 of the
// 64 value columns) carries its part of the state through the chunks (the
// launch's query tile covers any Sq; the grid's y is 8 query heads x 2 column
// blocks, the head blockIdx.y / 2, the first column 32 (blockIdx.y % 2)).
// f16 operands with F = 64 and Dv = 64 take the matrix-unit path: the chunk
// products phi(Q) phi(K)^T, P V, phi(Q) S and the state's update (w phi(K))^T
// V run on the tensor cores (MFMA on AMD). Shared memory: phi(Q) and phi(K)
// as loaded, f32 [C, F + 1]; S in f32 [F, 32] and the scales of its columns
// [32]; the units' operands in f16, rows padded by 8: phi(Q) [C, F], phi(K)
// [1, C, F], V [1, C, 32], V^T [1, 32, C], the decayed phi(K)^T's high and
// low halves [F, C], S^T's high and low halves [1, 32, F]; z [F] and the
// denominators [C]. C = 64 on sm_90 (97920 bytes), 32 within gfx942's 64 KiB
// (59136 bytes).

// CHECK-LABEL: gpu.func @lin(
// CHECK-SAME: attn.launch = {group = 1 : i64, kv_heads = 16 : i64, query_argument = 0 : i64, query_tile = 1073741824 : i64, shared_bytes = 97920 : i64, threads = 128 : i64}
// CHECK-SAME: nvvm.maxnreg = 255
// CHECK: %[[Y:.*]] = gpu.block_id y
// CHECK: %[[BLOCK:.*]] = arith.remui %[[Y]], %c2
// CHECK: %[[BASE:.*]] = arith.muli %[[BLOCK]], %c32
// CHECK: %[[HEAD:.*]] = arith.divui %[[Y]], %c2
// Each head's decay (log2 lambda): heads 4 to 7 differ from head 0.
// CHECK-COUNT-4: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK: gpu.dynamic_shared_memory
// CHECK: memref.view {{.*}} to memref<64x65xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64x65xf32, #gpu.address_space<workgroup>>
// CHECK: %[[S:.*]] = memref.view {{.*}} to memref<64x32xf32, #gpu.address_space<workgroup>>
// CHECK: %[[SCALE:.*]] = memref.view {{.*}} to memref<32xf32, #gpu.address_space<workgroup>>
// CHECK: %[[PHIQ:.*]] = memref.view {{.*}}[%c41600][] {{.*}} to memref<64x72xf16, #gpu.address_space<workgroup>>
// CHECK: %[[PHIK:.*]] = memref.view {{.*}} to memref<1x64x72xf16, #gpu.address_space<workgroup>>
// CHECK: %[[V:.*]] = memref.view {{.*}} to memref<1x64x40xf16, #gpu.address_space<workgroup>>
// CHECK: %[[VT:.*]] = memref.view {{.*}} to memref<1x32x72xf16, #gpu.address_space<workgroup>>
// CHECK: %[[KHI:.*]] = memref.view {{.*}} to memref<64x72xf16, #gpu.address_space<workgroup>>
// CHECK: %[[KLO:.*]] = memref.view {{.*}} to memref<64x72xf16, #gpu.address_space<workgroup>>
// CHECK: %[[SHI:.*]] = memref.view {{.*}} to memref<1x32x72xf16, #gpu.address_space<workgroup>>
// CHECK: %[[SLO:.*]] = memref.view {{.*}} to memref<1x32x72xf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}}[%c97408][] {{.*}} to memref<64xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}}[%c97664][] {{.*}} to memref<64xf32, #gpu.address_space<workgroup>>
// The chunk loop: loads with elu + 1 applied, the values of the block's
// columns; the decayed phi(K)^T split.
// CHECK: scf.for
// CHECK: math.exp
// CHECK: %[[COLUMN:.*]] = arith.addi %[[BASE]], %{{.*}} : index
// CHECK: memref.load %arg2[%{{.*}}, %{{.*}}, %{{.*}}, %[[COLUMN]]]
// CHECK: gpu.barrier
// CHECK: math.exp2
// CHECK: %[[HIGH:.*]] = arith.truncf %[[W:.*]] : f32 to f16
// CHECK: memref.store %[[HIGH]], %[[KHI]]
// CHECK: %[[WIDE:.*]] = arith.extf %[[HIGH]] : f16 to f32
// CHECK: %[[REST:.*]] = arith.subf %[[W]], %[[WIDE]] : f32
// CHECK: %[[LOW:.*]] = arith.truncf %[[REST]] : f32 to f16
// CHECK: memref.store %[[LOW]], %[[KLO]]
// CHECK: gpu.barrier
// The chunk's rows, sixteen per warp: phi(Q) S from both halves of S^T,
// phi(Q) phi(K)^T, then P V; the outputs go to the block's columns.
// CHECK: scf.for %{{.*}} = %{{.*}} to %c4{{.*}} step %c4
// CHECK: nvgpu.ldmatrix %[[PHIQ]]
// CHECK: nvgpu.ldmatrix %[[SHI]]
// CHECK: nvvm.mma.sync
// CHECK: nvgpu.ldmatrix %[[SLO]]
// CHECK: nvgpu.ldmatrix %[[PHIK]]
// CHECK: nvgpu.ldmatrix %[[V]]{{.*}}transpose = true
// CHECK: nvvm.mma.sync
// CHECK: %[[OUT:.*]] = arith.addi %[[BASE]], %{{.*}} : index
// CHECK: memref.store %{{.*}}, %arg3[%{{.*}}, %[[HEAD]], %{{.*}}, %[[OUT]]]
// The state's update, sixteen rows of S per warp: both halves of the decayed
// phi(K)^T times V; S kept in f32; each column scaled so that its largest is
// 16384, then S^T split into two halves.
// CHECK: scf.for %{{.*}} = %{{.*}} to %c4{{.*}} step %c4
// CHECK: nvgpu.ldmatrix %[[KHI]]
// CHECK: nvgpu.ldmatrix %[[VT]]
// CHECK: nvvm.mma.sync
// CHECK: nvgpu.ldmatrix %[[KLO]]
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK: gpu.barrier
// CHECK: arith.divf %{{.*}}, %cst{{.*}} : f32
// CHECK: memref.store %{{.*}}, %[[SCALE]]
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}}, %[[SHI]]
// CHECK: memref.store %{{.*}}, %[[SLO]]
// CHECK: gpu.return

// AMD-LABEL: gpu.func @lin(
// AMD-SAME: attn.launch = {group = 1 : i64, kv_heads = 16 : i64, query_argument = 0 : i64, query_tile = 1073741824 : i64, shared_bytes = 59136 : i64, threads = 256 : i64}
// AMD: memref.view {{.*}} to memref<32x65xf32, #gpu.address_space<workgroup>>
// AMD: memref.view {{.*}} to memref<32x72xf16, #gpu.address_space<workgroup>>
// AMD: amdgpu.mfma
// AMD: gpu.return
func.func @lin(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>, %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal decay([0.9, 0.9, 0.9, 0.9, 0.99, 0.99, 0.99, 0.99])
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// -----

// Random features (F = 128, per head) stage the raw rows [C, D + 1] too: on
// the tensor cores with C = 64 on sm_90 (180352 bytes, S [128, 32] per
// block); on gfx942 the f32 state and its halves leave no room for the
// units' operands, so the threads take the products (all 64 value columns,
// 8 blocks per batch entry), C = 16 (59136 bytes).
// CHECK-LABEL: gpu.func @performer(
// CHECK-SAME: kv_heads = 16
// CHECK-SAME: shared_bytes = 180352
// CHECK: memref.view {{.*}} to memref<64x129xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<128x32xf32, #gpu.address_space<workgroup>>
// CHECK: nvvm.mma.sync
// AMD-LABEL: gpu.func @performer(
// AMD-SAME: kv_heads = 8
// AMD-SAME: shared_bytes = 59136
// AMD-NOT: amdgpu.mfma
// AMD: gpu.return
func.func @performer(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>, %v: tensor<?x2x?x64xf16>, %w: tensor<8x128x64xf32>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<8x128x64xf32>) causal
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// -----

// CHECK-LABEL: gpu.func @identity(
// CHECK: memref.view {{.*}} to memref<64x64xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view %{{.*}}[%c82432][] {{.*}} to memref<64xf64, #gpu.address_space<workgroup>>
// CHECK: memref.view %{{.*}}[%c82944][] {{.*}} to memref<64xf64, #gpu.address_space<workgroup>>
// CHECK: arith.extf {{.*}} : f32 to f64
func.func @identity(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>, %v: tensor<?x8x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.linear_attention identity %q, %k, %v
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

// -----

// Value rows of 24 are no multiple of 16: the threads take the products.
// CHECK-LABEL: gpu.func @narrow_values(
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.return
func.func @narrow_values(%q: tensor<?x4x?x16xbf16>, %k: tensor<?x4x?x16xbf16>, %v: tensor<?x4x?x24xbf16>) -> tensor<?x4x?x24xbf16> {
  %o = attn.linear_attention relu %q, %k, %v causal
      : tensor<?x4x?x16xbf16>, tensor<?x4x?x16xbf16>, tensor<?x4x?x24xbf16> -> tensor<?x4x?x24xbf16>
  return %o : tensor<?x4x?x24xbf16>
}
