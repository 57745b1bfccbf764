// RUN: attn-opt %s -attn-nvidia-kernels | FileCheck %s
// RUN: attn-opt %s -attn-amd-kernels=chip=gfx942 | FileCheck %s --check-prefix=AMD

// A function of several attention and merge ops: one kernel per op, its
// steps (@f__step<k>), run in turn. Every step takes the same buffers: the
// function's arguments (0-4), its results (5-6), then the temporaries
// (the ops' results it does not return, in op order: o0 7, lse0 8, o1 9,
// lse1 10). Each step writes its op's results into theirs and reads its
// operands from theirs; the merge's grid comes from its first part, the
// temporary 7.
// CHECK: gpu.func @split__step0(%arg0: memref<?x8x1x64xf16>, %arg1: memref<?x2x?x64xf16>, %arg2: memref<?x2x?x64xf16>, %arg3: memref<?x2x?x64xf16>, %arg4: memref<?x2x?x64xf16>, %arg5: memref<?x8x1x64xf16>, %arg6: memref<?x8x1xf32>, %arg7: memref<?x8x1x64xf16>, %arg8: memref<?x8x1xf32>, %arg9: memref<?x8x1x64xf16>, %arg10: memref<?x8x1xf32>) kernel
// CHECK-SAME: attn.launch = {group = 4 : i64, kv_heads = 2 : i64, query_argument = 0 : i64, query_tile = 64 : i64
// CHECK: nvgpu.device_async_copy %arg1
// CHECK: vector.store {{.*}}, %arg7[
// CHECK: memref.store {{.*}}, %arg8[
// CHECK: gpu.func @split__step1(
// CHECK-SAME: attn.launch = {group = 4 : i64, kv_heads = 2 : i64, query_argument = 0 : i64, query_tile = 64 : i64
// CHECK: nvgpu.device_async_copy %arg3
// CHECK: vector.store {{.*}}, %arg9[
// CHECK: memref.store {{.*}}, %arg10[
// CHECK: gpu.func @split__step2(
// CHECK-SAME: attn.launch = {group = 1 : i64, kv_heads = 8 : i64, query_argument = 7 : i64, query_tile = 8 : i64, shared_bytes = 0 : i64, threads = 128 : i64}
// CHECK: memref.load %arg8[
// CHECK: memref.load %arg10[
// CHECK: memref.store {{.*}}, %arg6[
// CHECK: memref.load %arg7[
// CHECK: memref.load %arg9[
// CHECK: memref.store {{.*}}, %arg5[
// CHECK-NOT: gpu.func
// AMD: gpu.func @split__step0(
// AMD: gpu.func @split__step1(
// AMD: gpu.func @split__step2(
// AMD-SAME: attn.launch = {group = 1 : i64, kv_heads = 8 : i64, query_argument = 7 : i64, query_tile = 16 : i64, shared_bytes = 0 : i64, threads = 256 : i64}
func.func @split(%q: tensor<?x8x1x64xf16>, %k0: tensor<?x2x?x64xf16>,
                 %v0: tensor<?x2x?x64xf16>, %k1: tensor<?x2x?x64xf16>,
                 %v1: tensor<?x2x?x64xf16>)
    -> (tensor<?x8x1x64xf16>, tensor<?x8x1xf32>) {
  %o0, %lse0 = attn.attention %q, %k0, %v0
      : tensor<?x8x1x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x1x64xf16>, lse tensor<?x8x1xf32>
  %o1, %lse1 = attn.attention %q, %k1, %v1
      : tensor<?x8x1x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x1x64xf16>, lse tensor<?x8x1xf32>
  %o, %lse = attn.merge %o0, %o1 lse %lse0, %lse1
      : tensor<?x8x1x64xf16>, tensor<?x8x1x64xf16> lse tensor<?x8x1xf32>, tensor<?x8x1xf32>
      -> tensor<?x8x1x64xf16>, tensor<?x8x1xf32>
  return %o, %lse : tensor<?x8x1x64xf16>, tensor<?x8x1xf32>
}
