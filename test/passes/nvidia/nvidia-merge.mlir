// RUN: attn-opt %s -attn-nvidia-kernels | FileCheck %s
// RUN: attn-opt %s -attn-amd-kernels=chip=gfx942 | FileCheck %s --check-prefix=AMD

// A function that is one attn.merge of its arguments becomes a kernel of its
// own: sixteen lanes per row (b, h, i), eight rows per block of 128 threads
// (sixteen of 256 on AMD), the grid (ceil(Sq / 8), H, B) from the first
// part's sizes (argument 0); no shared memory.
// CHECK-LABEL: gpu.func @merge_two
// CHECK-SAME: attn.launch = {group = 1 : i64, kv_heads = 4 : i64, query_argument = 0 : i64, query_tile = 8 : i64, shared_bytes = 0 : i64, threads = 128 : i64}
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[LANE:.*]] = arith.remui %[[TID]], %c16
// Rows past Sq do nothing.
// CHECK: scf.if
// The row's merged lse: the parts' maximum, exp of each part less it, the
// log of their sum; -inf where every part is.
// CHECK: memref.load %arg2
// CHECK: memref.load %arg3
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.exp
// CHECK: math.log
// The first lane stores it; each lane its columns, lane + 16 k.
// CHECK: scf.if
// CHECK: memref.store {{.*}}, %arg5
// CHECK: scf.for %{{.*}} = %[[LANE]] to %c64 step %c16
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: math.fma
// CHECK: math.fma
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: memref.store {{.*}}, %arg4
// AMD-LABEL: gpu.func @merge_two
// AMD-SAME: attn.launch = {group = 1 : i64, kv_heads = 4 : i64, query_argument = 0 : i64, query_tile = 16 : i64, shared_bytes = 0 : i64, threads = 256 : i64}
func.func @merge_two(%o0: tensor<?x4x?x64xf16>, %o1: tensor<?x4x?x64xf16>,
                     %l0: tensor<?x4x?xf32>, %l1: tensor<?x4x?xf32>)
    -> (tensor<?x4x?x64xf16>, tensor<?x4x?xf32>) {
  %o, %lse = attn.merge %o0, %o1 lse %l0, %l1
      : tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16> lse tensor<?x4x?xf32>, tensor<?x4x?xf32>
      -> tensor<?x4x?x64xf16>, tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x64xf16>, tensor<?x4x?xf32>
}
