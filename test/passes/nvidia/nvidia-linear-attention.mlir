// RUN: attn-opt %s -split-input-file -attn-nvidia-kernels | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-amd-kernels | FileCheck %s --check-prefix=AMD

// attn.linear_attention on the GPU: one block per (batch, query head) carries
// the state through the chunks (the launch's query tile covers any Sq; the
// grid's y is the 8 query heads). Shared memory, f32: phi(Q) and phi(K)
// [C, F + 1], V [C, Dv], S [F, Dv], z [F], the chunk's weights [C, C] and
// the denominators [C]: C = 64 on sm_80 (82944 bytes), C = 32 within
// gfx942's 64 KiB (45696 bytes). Identity features, normalised, keep z and
// the denominators in f64 (8-byte aligned).

// CHECK-LABEL: gpu.func @lin(
// CHECK-SAME: attn.launch = {group = 1 : i64, kv_heads = 8 : i64, query_argument = 0 : i64, query_tile = 1073741824 : i64, shared_bytes = 82944 : i64, threads = 128 : i64}
// CHECK-SAME: nvvm.maxnreg = 255
// Each head's decay (log2 lambda): heads 4 to 7 differ from head 0.
// CHECK-COUNT-4: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK: gpu.dynamic_shared_memory
// CHECK: memref.view {{.*}} to memref<64x65xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64x65xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64x64xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64x64xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64x64xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64xf32, #gpu.address_space<workgroup>>
// The chunk loop: loads with elu + 1 applied, the weights with lambda^(r - c)
// (exp2), a barrier between each phase.
// CHECK: scf.for
// CHECK: math.exp
// CHECK: gpu.barrier
// CHECK: math.exp2
// CHECK: gpu.barrier
// CHECK: gpu.return

// AMD-LABEL: gpu.func @lin(
// AMD-SAME: attn.launch = {group = 1 : i64, kv_heads = 8 : i64, query_argument = 0 : i64, query_tile = 1073741824 : i64, shared_bytes = 45696 : i64, threads = 256 : i64}
// AMD: memref.view {{.*}} to memref<32x65xf32, #gpu.address_space<workgroup>>
func.func @lin(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>, %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal decay([0.9, 0.9, 0.9, 0.9, 0.99, 0.99, 0.99, 0.99])
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// -----

// Random features (F = 128, per head) stage the raw rows [C, D + 1] too:
// C = 64 on sm_80 (148992 bytes), 16 on gfx942 (59136 bytes).
// CHECK-LABEL: gpu.func @performer(
// CHECK-SAME: shared_bytes = 148992
// AMD-LABEL: gpu.func @performer(
// AMD-SAME: shared_bytes = 59136
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
