// RUN: attn-opt %s -attn-amd-kernels | FileCheck %s
// RUN: attn-opt %s -attn-amd-kernels=chip=gfx90a | FileCheck %s
// RUN: not attn-opt %s -attn-amd-kernels=chip=gfx1100 2>&1 | FileCheck %s --check-prefix=CHIP

// The AMD kernel of a dense bf16 spec: the shared mapping with the MFMA
// unit. 256 threads (four wave64 waves), 16-byte tile stores into LDS,
// S^T = K Q^T on MFMA from 4-element LDS reads, the row reductions across
// the four groups of sixteen lanes (xor 16, 32), O^T = V^T P^T, barriers.

// CHECK: gpu.module @attn_kernels
// CHECK: gpu.func @dense(%{{.*}}: memref<?x8x?x64xbf16>, %{{.*}}: memref<?x8x?x64xbf16>, %{{.*}}: memref<?x8x?x64xbf16>, %{{.*}}: memref<?x8x?x64xbf16>) kernel
// CHECK-SAME: attn.launch = {group = 1 : i64, kv_heads = 8 : i64, query_argument = 0 : i64, query_tile = 64 : i64, shared_bytes = 46080 : i64, threads = 256 : i64}
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: gpu.dynamic_shared_memory
// CHECK: vector.load {{.*}} : memref<?x8x?x64xbf16>, vector<8xbf16>
// CHECK: vector.store {{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: gpu.barrier
// The wave's query operands (B of K Q^T) stay in registers.
// CHECK: vector.load {{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// CHECK: scf.for
// CHECK: vector.store {{.*}} : memref<2x64x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: gpu.barrier
// CHECK: vector.load {{.*}} : memref<2x64x72xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// CHECK: amdgpu.mfma 16x16x16 {{.*}} : vector<4xbf16>, vector<4xbf16>, vector<4xf32>
// CHECK: gpu.shuffle  xor {{.*}}, %c16_i32{{(_[0-9]+)?}}, %c64_i32{{(_[0-9]+)?}} : f32
// CHECK: gpu.shuffle  xor {{.*}}, %c32_i32{{(_[0-9]+)?}}, %c64_i32{{(_[0-9]+)?}} : f32
// CHECK: memref.load {{.*}} : memref<2x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK: amdgpu.mfma 16x16x16 {{.*}} : vector<4xbf16>, vector<4xbf16>, vector<4xf32>
// CHECK: gpu.barrier
// CHECK-NOT: nvgpu.
// CHECK-NOT: nvvm.

// CHIP: attn-amd-kernels: unknown chip 'gfx1100' (known: gfx90a, gfx942)

func.func @dense(%q: tensor<?x8x?x64xbf16>, %k: tensor<?x8x?x64xbf16>,
                 %v: tensor<?x8x?x64xbf16>) -> tensor<?x8x?x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>, tensor<?x8x?x64xbf16>
      -> tensor<?x8x?x64xbf16>
  return %o : tensor<?x8x?x64xbf16>
}
