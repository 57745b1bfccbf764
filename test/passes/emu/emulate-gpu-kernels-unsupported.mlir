// RUN: attn-opt %s -attn-emulate-gpu-kernels -split-input-file -verify-diagnostics

// An operation the emulator has no model of is an error, not run as if it
// were something else.

module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @lane(%out: memref<?xindex>) kernel {
      // expected-error @+1 {{the emulator has no model of gpu.lane_id}}
      %lane = gpu.lane_id
      %c0 = arith.constant 0 : index
      memref.store %lane, %out[%c0] : memref<?xindex>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @attn_kernels {
    gpu.func @wide(%out: memref<?xf64>, %v: f64) kernel {
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      // expected-error @+1 {{the emulator shuffles 32-bit values, not 'f64'}}
      %s, %ok = gpu.shuffle xor %v, %c1, %c32 : f64
      %c0 = arith.constant 0 : index
      memref.store %s, %out[%c0] : memref<?xf64>
      gpu.return
    }
  }
}
