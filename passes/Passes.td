//===- Passes.td - attn transformation passes --------------*- tablegen -*-===//
//
// The target-neutral passes: from attn specs to the tiled online form.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_TD
#define ATTN_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnTileAttention : Pass<"attn-tile-attention", "ModuleOp"> {
  let summary = "Lower spec functions to buffer kernels running tiled online "
                "attention";
  let description = [{
    Rewrites every function of a spec into a kernel on buffers: tensor
    arguments become memrefs of the same shape, each result becomes one more
    memref argument the kernel writes (destination-passing style), and the
    function gets the `llvm.emit_c_interface` attribute so a runtime can call
    it with memref descriptors.

    Each `attn.attention` becomes the tiled online form:

    ```mlir
    scf.parallel (%b, %h, %qt) = ... {        // batch, head, query tile
      // per-tile state: running max m, sum l, accumulator acc, one tile of
      // scores; nothing of size Sq x Skv exists
      scf.for %kt = %first to %last {         // key tiles that hold a kept pair
        // scores of the tile, masks and modifiers per element, online update
      }
      // epilogue: normalise, lse, gate, q_len padding
    }
    ```

    Which key tiles a query tile visits, and which of them need no
    per-element mask work, comes from the mask analysis (MaskAnalysis.h),
    symbolic in the sequence lengths, so one kernel serves every length.
    Tile sizes are options.

    Each `attn.linear_attention` becomes the chunked form of Lightning
    Attention-2: parallel over (batch, query head), a loop over chunks of
    positions carrying the state `S = sum phi(k) v^T` and `z = sum phi(k)`,
    a masked quadratic product inside each chunk, the decay folded into
    both; the feature map is applied once per chunk (LinearAttention.h).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"queryTile", "query-tile", "int64_t", "32",
           "Query rows per tile">,
    Option<"keyTile", "key-tile", "int64_t", "64",
           "Keys per tile">,
    Option<"linearChunk", "linear-chunk", "int64_t", "64",
           "Positions per chunk of attn.linear_attention (smaller where the "
           "feature map is wide)">,
    Option<"recordTiles", "record-tiles", "bool", "false",
           "Call attn_record_tile(batch, kv head, query tile, key tile, "
           "status) for every visited tile (status 1 partial, 2 full): "
           "tile maps and tile tests">,
    Option<"summaryOnly", "summary-only", "bool", "false",
           "Emit only the per-launch summaries of the data masks (for "
           "benchmarks that time them); the outputs are not written">
  ];
}

def AttnCpuApproximateMath : Pass<"attn-cpu-approximate-math"> {
  let summary = "Replace exp, log and friends on vectors by polynomials";
  let description = [{
    The CPU backend computes whole rows of weights at once; LLVM would turn
    `math.exp` on a vector into one libm call per lane. This pass rewrites the
    math functions the kernels use into arithmetic (MLIR's polynomial
    approximations, accurate to a few f32 ulp), which vectorises.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnNvidiaKernels : Pass<"attn-nvidia-kernels", "ModuleOp"> {
  let summary = "Map spec functions to NVIDIA GPU kernels on tensor cores";
  let description = [{
    Rewrites every function of a spec into a `gpu.func` kernel of the
    `attn_kernels` GPU module, taking the function's tensors as memrefs and
    its results as more memref arguments (the CPU kernel's signature).

    The kernel is the tiled online form mapped onto the GPU: one thread
    block per (batch, key/value head, query tile of 64 rows interleaving the
    G query heads), four warps of 16 rows; key and value tiles double
    buffered in shared memory by `cp.async`; Q K^T and P V on tensor cores
    (`mma.sync` m16n8k16, f16/bf16 in, f32 accumulation) with `ldmatrix`
    fragments; the online softmax in registers with warp shuffles; masks
    and modifiers per fragment element; key tiles skipped or treated as
    full from the mask analysis's closed forms.

    Each kernel carries `attn.launch`: threads per block, query rows per
    tile, G, key/value heads and the dynamic shared memory in bytes. The
    grid is (ceil(Sq * G / query_tile), key/value heads, B).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::gpu::GPUDialect", "::mlir::nvgpu::NVGPUDialect",
    "::mlir::NVVM::NVVMDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"chip", "chip", "std::string", "\"sm_90\"",
           "The NVIDIA chip: sm_80 or sm_90">,
    Option<"debugFault", "debug-fault", "std::string", "\"\"",
           "For testing the emulator only: plant a fault in the kernels - "
           "lane-mapping (a wrong accumulator row per lane), no-barrier (no "
           "barrier between a tile's cp.async wait and its reads), "
           "shared-off-by-one (tile copies one row too far)">
  ];
}

def AttnAmdKernels : Pass<"attn-amd-kernels", "ModuleOp"> {
  let summary = "Map spec functions to AMD GPU kernels on matrix cores (MFMA)";
  let description = [{
    The AMD side of the mapping attn-nvidia-kernels describes, sharing its
    code (one mapping, two target descriptions): one workgroup per (batch,
    key/value head, query tile of 64 rows), four wave64 waves of 16 rows;
    key and value tiles double buffered in LDS; Q K^T and P V on
    `amdgpu.mfma` 16x16x16 (f16/bf16 in, f32 accumulation), each computed
    transposed (S^T = K Q^T, O^T = V^T P^T) so that the score accumulator is
    P's operand as it stands; row reductions with shuffles across the lane
    groups; the key tile is 32 keys past head dimension 64, to fit 64 KiB
    of LDS.

    Each kernel carries `attn.launch` as on NVIDIA.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::gpu::GPUDialect", "::mlir::amdgpu::AMDGPUDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"chip", "chip", "std::string", "\"gfx942\"",
           "The AMD chip: gfx90a or gfx942">,
    Option<"debugFault", "debug-fault", "std::string", "\"\"",
           "For testing the emulator only: plant a fault in the kernels, as "
           "attn-nvidia-kernels' option">
  ];
}

def AttnEmulateGpuKernels : Pass<"attn-emulate-gpu-kernels", "ModuleOp"> {
  let summary = "Lower GPU kernels for the host, to run on the SIMT emulator";
  let description = [{
    Turns every kernel of the module's GPU modules - as attn-nvidia-kernels
    leaves them, before the upstream conversions to NVVM - into a host
    function run once per GPU thread by the SIMT emulator (attnEmu). The
    function takes the block's shared memory as a first `memref<?xi8>`
    argument; the kernel's thread-level operations become calls into the
    emulator's runtime, each naming its site:

    - `gpu.thread_id`, `gpu.block_id`: `__attn_emu_thread_id`/`_block_id`;
    - `gpu.barrier`: `__attn_emu_barrier`;
    - `gpu.shuffle` (32-bit values): `__attn_emu_shuffle`;
    - `nvgpu.ldmatrix`, `nvvm.mma.sync` (m16n8k16, f16/bf16, f32): the
      lane's registers through a scratch buffer, computed for the warp;
    - `nvgpu.device_async_copy`, `nvvm.cp.async.commit.group`,
      `nvvm.cp.async.wait.group`: copies deferred to their wait;
    - every load and store of shared memory: `__attn_emu_access`, with its
      address and whether its indices are in bounds, for the race and
      bounds checks.

    ```mlir
    gpu.barrier
    // becomes
    call @__attn_emu_barrier(%c3_i32) : (i32) -> ()
    ```

    The level is the one just before NVVM: what the project generates is
    all there, and upstream's conversions to NVVM, PTX and SASS come after.
    Each function carries `attn.launch` and `attn.emu.sites` (what each
    site id names, for the emulator's reports). An operation the emulator
    has no model of is an error, never silently run.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect", "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect"
  ];
}

#endif // ATTN_PASSES_TD
