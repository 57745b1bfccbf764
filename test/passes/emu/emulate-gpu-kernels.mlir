// RUN: attn-opt %s -attn-emulate-gpu-kernels -split-input-file | FileCheck %s

// Every thread-level operation becomes a call into the emulator's runtime,
// with its site; shared memory becomes the host function's first argument.

module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @tile(%in: memref<?x64xf16>, %out: memref<?xf32>) kernel
        attributes {attn.launch = {threads = 128 : i64, shared_bytes = 2048 : i64}} {
      %c0 = arith.constant 0 : index
      %c8 = arith.constant 8 : index
      %c1_i32 = arith.constant 1 : i32
      %c32_i32 = arith.constant 32 : i32
      %tid = gpu.thread_id x
      %bid = gpu.block_id y
      %smem = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %tile = memref.view %smem[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16x64xf16, #gpu.address_space<workgroup>>
      %t = nvgpu.device_async_copy %in[%bid, %c0], %tile[%tid, %c8], 8, %c8 {bypassL1} : memref<?x64xf16> to memref<16x64xf16, #gpu.address_space<workgroup>>
      nvvm.cp.async.commit.group
      nvvm.cp.async.wait.group 0
      gpu.barrier
      %m = nvgpu.ldmatrix %tile[%tid, %c0] {numTiles = 4 : i32, transpose = true} : memref<16x64xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
      %a0 = vector.extract %m[0] : vector<2xf16> from vector<4x2xf16>
      %a1 = vector.extract %m[1] : vector<2xf16> from vector<4x2xf16>
      %a2 = vector.extract %m[2] : vector<2xf16> from vector<4x2xf16>
      %a3 = vector.extract %m[3] : vector<2xf16> from vector<4x2xf16>
      %zero = arith.constant 0.0 : f32
      %d = nvvm.mma.sync A[%a0, %a1, %a2, %a3] B[%a0, %a1] C[%zero, %zero, %zero, %zero]
          {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>,
           multiplicandAPtxType = #nvvm.mma_type<f16>, multiplicandBPtxType = #nvvm.mma_type<f16>,
           shape = #nvvm.shape<m = 16, n = 8, k = 16>}
          : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
      %d0 = llvm.extractvalue %d[0] : !llvm.struct<(f32, f32, f32, f32)>
      %s, %valid = gpu.shuffle xor %d0, %c1_i32, %c32_i32 : f32
      %h = arith.truncf %s : f32 to f16
      memref.store %h, %tile[%tid, %c8] : memref<16x64xf16, #gpu.address_space<workgroup>>
      memref.store %s, %out[%tid] : memref<?xf32>
      gpu.return
    }
  }
}

// CHECK-NOT: gpu.container_module
// CHECK-DAG: func.func private @__attn_emu_thread_id(i32) -> index
// CHECK-DAG: func.func private @__attn_emu_shuffle(i32, i32, i32, i32, i32) -> i64
// CHECK-DAG: func.func private @__attn_emu_mma(i32, i32, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
// CHECK-LABEL: func.func @tile(
// CHECK-SAME: %[[SHARED:[^:]+]]: memref<?xi8>, %[[IN:[^:]+]]: memref<?x64xf16>, %{{.+}}: memref<?xf32>)
// CHECK-SAME: attn.emu.sites = ["nvgpu.device_async_copy #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "nvvm.cp.async.commit.group #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "nvvm.cp.async.wait.group #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "gpu.barrier #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "nvgpu.ldmatrix #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "nvvm.mma.sync #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "gpu.shuffle #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "memref.store #1 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}", "memref.store #2 at emulate-gpu-kernels.mlir:{{[0-9]+:[0-9]+}}"]
// CHECK-SAME: attn.launch = {shared_bytes = 2048 : i64, threads = 128 : i64}
// CHECK-SAME: llvm.emit_c_interface
// CHECK: %[[TID:.+]] = call @__attn_emu_thread_id(%c0_i32{{.*}}) : (i32) -> index
// CHECK: %[[BID:.+]] = call @__attn_emu_block_id(%c1_i32{{.*}}) : (i32) -> index
// CHECK: %[[TILE:.+]] = memref.view %[[SHARED]][%{{.+}}][] : memref<?xi8> to memref<16x64xf16>
// The copy: destination and source addresses, 16 bytes, the source's
// 8 elements (16 bytes), whether [tid, 8..15] is inside the 16x64 tile and
// whether the source is (or gives no bytes).
// CHECK: %[[SRCDIM:.+]] = memref.dim %[[IN]], %c0
// CHECK: arith.cmpi ult, %[[BID]], %[[SRCDIM]] : index
// CHECK: call @__attn_emu_cp_async(%c0_i32{{.*}}, %{{.+}}, %{{.+}}, %c16_i32, %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: call @__attn_emu_cp_commit(%c1_i32
// CHECK: call @__attn_emu_cp_wait(%c2_i32{{.*}}, %c0_i32
// CHECK: call @__attn_emu_barrier(%c3_i32
// CHECK: call @__attn_emu_ldmatrix(%c4_i32{{.*}}, %{{.+}}, %{{.+}}, %c4_i32{{.*}}, %c1_i32{{.*}}, %[[MATRIX:.+]]) : (i32, index, i32, i32, i32, !llvm.ptr) -> ()
// CHECK-COUNT-4: llvm.load %{{.+}} : !llvm.ptr -> vector<2xf16>
// CHECK: call @__attn_emu_mma(%c5_i32{{.*}}, %c0_i32
// CHECK-COUNT-4: llvm.insertvalue
// CHECK: %[[PACKED:.+]] = call @__attn_emu_shuffle(%c6_i32{{.*}}, %{{.+}}, %c1_i32{{.*}}, %c32_i32{{.*}}, %c0_i32{{.*}}) : (i32, i32, i32, i32, i32) -> i64
// A store to shared memory is checked first: 2 bytes, a write.
// CHECK: call @__attn_emu_access(%c7_i32{{.*}}, %{{.+}}, %c2_i32{{.*}}, %c1_i32{{.*}}, %{{.+}})
// CHECK-NEXT: memref.store %{{.+}}, %[[TILE]]
// A store to global memory: only its bounds.
// CHECK-NOT: __attn_emu_access
// CHECK: call @__attn_emu_check_global(%c8_i32{{.*}}, %c1_i32{{.*}}, %{{.+}}) : (i32, i32, i32) -> ()
// CHECK-NEXT: memref.store %{{.+}}, %{{.+}}[%[[TID]]] : memref<?xf32>
// CHECK-NEXT: return
