// RUN: attn-opt %s -attn-nvidia-kernels | FileCheck %s
// RUN: attn-opt %s -attn-amd-kernels=chip=gfx942 | FileCheck %s --check-prefix=AMD

// Selected tokens are gathered: each sweep takes the block's list a chunk at
// a time into shared memory (i32), sorts it (a bitonic network: min and max
// of pairs, a barrier per pass), drops keys listed twice (kNoKey,
// 2147483647), and visits the key tiles of the chunk's sorted keys below
// kv_len and, with a causal mask, past the tile's last position.

// Lists per query head under GQA 8/2: one query head per block (group 1,
// the eight query heads along y); a 256-entry list fits one chunk, whose
// 1024 bytes follow the 46080 of the tiles.
// CHECK-LABEL: gpu.func @per_query_head
// CHECK-SAME: attn.launch = {group = 1 : i64, kv_heads = 8 : i64, query_argument = 0 : i64, query_tile = 64 : i64, shared_bytes = 47104 : i64, threads = 128 : i64}
// CHECK: %[[LIST:.*]] = memref.view %{{.*}}[%c46080{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<256xi32, #gpu.address_space<workgroup>>
// The chunk loop, then the list's entries into shared memory.
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: memref.load %arg3[{{.*}}] : memref<?x8x256xi32>
// CHECK: memref.store {{.*}}, %[[LIST]][{{.*}}] : memref<256xi32, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// The sort: stages 1 .. 8 of 256 entries, passes within each.
// CHECK: scf.for %{{.*}} = %c1{{.*}} to %c9 step
// CHECK: scf.for
// CHECK: arith.minsi %{{.*}}, %{{.*}} : i32
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK: gpu.barrier
// Keys listed twice drop out.
// CHECK: memref.store %c2147483647_i32, %[[LIST]]
// CHECK: gpu.barrier
// The key tiles of the chunk: rows of K gathered from the list.
// CHECK: scf.for
// CHECK: memref.load %[[LIST]]
// CHECK: nvgpu.device_async_copy %arg1
// CHECK: nvvm.mma.sync
func.func @per_query_head(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                          %v: tensor<?x2x?x64xf16>, %idx: tensor<?x8x256xi32>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v selected(%idx : tensor<?x8x256xi32>)
      masks [#attn.causal, #attn.selected_tokens]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// Lists per key/value head of dynamic length: a block's rows interleave the
// group's four query heads as without selection; chunks of 2048 entries and
// a second buffer for the earlier chunks, searched for the keys they
// listed (2 x 8192 bytes after the 87040 of the tiles). gfx942's 64 KiB of
// LDS takes chunks of 1024.
// CHECK-LABEL: gpu.func @per_kv_head
// CHECK-SAME: attn.launch = {group = 4 : i64, kv_heads = 2 : i64, query_argument = 0 : i64, query_tile = 64 : i64, shared_bytes = 103424 : i64, threads = 128 : i64}
// CHECK: memref.view {{.*}} to memref<2048xi32, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<2048xi32, #gpu.address_space<workgroup>>
// AMD-LABEL: gpu.func @per_kv_head
// AMD-SAME: attn.launch = {group = 4 : i64, kv_heads = 2 : i64, query_argument = 0 : i64, query_tile = 64 : i64, shared_bytes = 60416 : i64, threads = 256 : i64}
// AMD: memref.view {{.*}} to memref<1024xi32, #gpu.address_space<workgroup>>
// AMD: memref.view {{.*}} to memref<1024xi32, #gpu.address_space<workgroup>>
func.func @per_kv_head(%q: tensor<?x8x?x128xf16>, %k: tensor<?x2x?x128xf16>,
                       %v: tensor<?x2x?x128xf16>, %idx: tensor<?x2x?xi32>)
    -> tensor<?x8x?x128xf16> {
  %o = attn.attention %q, %k, %v selected(%idx : tensor<?x2x?xi32>)
      masks [#attn.selected_tokens]
      : tensor<?x8x?x128xf16>, tensor<?x2x?x128xf16>, tensor<?x2x?x128xf16>
      -> tensor<?x8x?x128xf16>
  return %o : tensor<?x8x?x128xf16>
}
