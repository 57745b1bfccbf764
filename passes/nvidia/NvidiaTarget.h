//===- NvidiaTarget.h - What the NVIDIA mapping knows of a chip -*- C++ -*-===//
//
// The target description of the NVIDIA backend: the few numbers of a chip
// the kernel mapping reads (warp size, MMA shape, shared memory, tiles), so
// that the mapping itself has no per-chip `if`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_NVIDIA_NVIDIATARGET_H
#define ATTN_PASSES_NVIDIA_NVIDIATARGET_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace mlir::attn::nvidia {

struct TargetDescription {
  /// The chip (`sm_80`, `sm_90`) and the PTX features to ask for.
  llvm::StringRef chip, features;
  int64_t warpSize = 32;
  /// mma.sync m16n8k16: rows, columns and depth of one instruction.
  int64_t mmaM = 16, mmaN = 8, mmaK = 16;
  /// Dynamic shared memory one block may use (opt-in maximum).
  int64_t maxSharedBytes = 0;
  /// Registers a thread may use.
  int64_t maxRegisters = 255;
  /// Warps per block; each owns mmaM query rows of the tile.
  int64_t warps = 4;

  int64_t queryTile() const { return warps * mmaM; }
  /// Keys per tile for a head dimension: 64, which keeps the score and
  /// accumulator fragments of D <= 128 in registers without spills.
  int64_t keyTile(int64_t headDim) const { return headDim > 128 ? 32 : 64; }
  int64_t threads() const { return warps * warpSize; }
};

/// The description of `chip`, or nothing for a chip the backend does not
/// know.
std::optional<TargetDescription> lookupTarget(llvm::StringRef chip);

} // namespace mlir::attn::nvidia

#endif // ATTN_PASSES_NVIDIA_NVIDIATARGET_H
