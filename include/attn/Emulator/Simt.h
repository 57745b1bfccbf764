//===- Simt.h - Run lowered GPU kernels on the CPU ------------*- C++ -*-===//
//
// The SIMT emulator's runtime. A GPU kernel lowered for the host by
// attn-emulate-gpu-kernels is one host function per thread; every thread-
// level operation of the kernel (ids, barriers, shuffles, ldmatrix,
// cp.async, mma.sync, shared-memory accesses) is a call into this runtime.
// Each block runs its threads as cooperative fibers, so barriers and warp
// collectives have their real semantics; blocks run in parallel on the CPU's
// threads. The runtime reports, rather than hangs on or hides: a barrier
// that not every thread reaches, a collective with inactive lanes, a
// shared-memory access out of bounds and shared-memory races (an address
// written by one thread and read or written by another with no barrier
// between).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_EMULATOR_SIMT_H
#define ATTN_EMULATOR_SIMT_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace attn::emu {

/// The packed entry point of a lowered kernel (ExecutionEngine's
/// `_mlir__mlir_ciface_<name>`): packed[0] points to a pointer to the
/// block's shared-memory descriptor, packed[1..] to the kernel's arguments.
using PackedEntry = void (*)(void **packed);

/// One launch of an emulated kernel.
struct Launch {
  PackedEntry entry = nullptr;
  /// The kernel's packed arguments after the shared memory (the same for
  /// every thread).
  std::vector<void *> arguments;
  int64_t grid[3] = {1, 1, 1};
  int32_t threadsPerBlock = 1;
  int32_t warpSize = 32;
  int64_t sharedBytes = 0;
  /// What each site id of the kernel's runtime calls names ("gpu.barrier at
  /// spec.mlir:12:3"); the reports quote them.
  std::vector<std::string> sites;
  /// CPU threads running blocks; 0: one per core.
  unsigned workers = 0;
};

/// Runs every block of `launch`; returns an empty string, or the first fault
/// found, naming the block, the thread or warp and the site.
std::string run(const Launch &launch);

/// The host functions lowered kernels call (`__attn_emu_*`), by name, for a
/// JIT's symbol table.
std::vector<std::pair<const char *, void *>> runtimeSymbols();

} // namespace attn::emu

#endif // ATTN_EMULATOR_SIMT_H
