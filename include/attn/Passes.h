//===- Passes.h - attn passes and pipelines -------------------*- C++ -*-===//

#ifndef ATTN_PASSES_H
#define ATTN_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Options of the CPU lowering. 128 query rows per tile amortise the key
/// tile transposition best on the benchmark workloads (W1 86 -> 65 ms,
/// W2 427 -> 363 ms against 32 rows, 2 threads, AVX-512).
struct CpuPipelineOptions {
  int64_t queryTile = 128;
  int64_t keyTile = 64;
  /// Report visited tiles to attn_record_tile (see attn-tile-attention).
  bool recordTiles = false;
  /// Only the data masks' per-launch summaries (see attn-tile-attention).
  bool summaryOnly = false;
};

/// Adds the passes that take a spec module to the LLVM dialect for the host
/// CPU: the tiled online form, then the upstream conversions.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// Registers every attn pass and the `attn-cpu-pipeline` pipeline.
void registerAllPasses();

} // namespace mlir::attn

#endif // ATTN_PASSES_H
