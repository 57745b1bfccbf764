//===- GpuTarget.h - What the GPU mapping knows of a chip ------*- C++ -*-===//
//
// The target description of the GPU backends: the few numbers of a chip the
// shared kernel mapping (GpuKernel.h) reads, so that the mapping itself has
// no per-chip `if`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_GPU_GPUTARGET_H
#define ATTN_PASSES_GPU_GPUTARGET_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace mlir::attn {

/// What the mapping knows of a chip.
struct GpuTarget {
  /// The backend's name in diagnostics ("NVIDIA", "AMD").
  llvm::StringRef vendor;
  /// The chip (`sm_80`, `gfx942`) and the features to ask for.
  llvm::StringRef chip, features;
  int64_t warpSize = 32;
  /// Dynamic shared memory (LDS) one block may use.
  int64_t maxSharedBytes = 0;
  /// Registers a thread may use.
  int64_t maxRegisters = 255;
  /// Warps per block; each owns 16 query rows of the tile.
  int64_t warps = 4;
  /// Keys per tile up to head dimension 64, and past it.
  int64_t smallKeyTile = 64, largeKeyTile = 64;

  static constexpr int64_t kWarpRows = 16;
  int64_t queryTile() const { return warps * kWarpRows; }
  int64_t keyTile(int64_t headDim) const {
    return headDim > 128 ? 32 : headDim > 64 ? largeKeyTile : smallKeyTile;
  }
  int64_t threads() const { return warps * warpSize; }
};

/// The description of an NVIDIA chip (sm_80, sm_90), or nothing.
std::optional<GpuTarget> lookupNvidiaTarget(llvm::StringRef chip);
/// The description of an AMD chip (gfx90a, gfx942), or nothing.
std::optional<GpuTarget> lookupAmdTarget(llvm::StringRef chip);

} // namespace mlir::attn

#endif // ATTN_PASSES_GPU_GPUTARGET_H
