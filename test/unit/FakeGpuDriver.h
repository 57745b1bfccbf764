//===- FakeGpuDriver.h - Recording stand-ins for GPU drivers ---*- C++ -*-===//
//
// attnrt's CUDA and HIP backends open the driver library with dlopen at run
// time. FakeCudaDriver.cpp builds a library named libcuda.so.1 and
// FakeHipDriver.cpp one named libamdhip64.so that implement the calls the
// backends resolve, on host memory, and record what they are asked:
// functions loaded, allocations, clears and launches (grid, block, shared
// memory, the kernel's parameter words). A test linked with one (its soname
// is the one attnrt opens first, so its dlopen finds the loaded library)
// checks the backend's launches on a machine without a GPU. They run no
// kernel.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_UNIT_FAKEGPUDRIVER_H
#define ATTN_TEST_UNIT_FAKEGPUDRIVER_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace attn::fakegpu {

struct Launch {
  std::string function;
  unsigned grid[3], block[3], sharedBytes;
  /// The first `Record::parameterWords` parameters, each read as 64 bits
  /// (attnrt passes memref words and scalars in 64-bit slots).
  std::vector<int64_t> words;
};

struct Allocation {
  void *pointer;
  size_t bytes;
  bool freed;
};

struct Record {
  std::vector<std::string> functions;
  std::vector<Allocation> allocations;
  /// cuMemsetD8 or hipMemset calls: address and bytes.
  std::vector<std::pair<void *, size_t>> clears;
  std::vector<Launch> launches;
  /// The dynamic shared memory limits set (cuFuncSetAttribute; HIP has
  /// none to set).
  std::vector<int> sharedLimits;
  /// Parameters to copy per launch (the test knows the kernel's).
  size_t parameterWords = 0;
  /// The launch (0 for the first) that fails (CUDA_ERROR_LAUNCH_FAILED,
  /// hipErrorLaunchFailure), or -1.
  int failLaunch = -1;
};

/// The driver's record; a test resets it between cases.
Record &record();

/// What both fake drivers do for a launch: records it (the function's name
/// is the string its handle points to); returns whether it is the launch
/// that fails.
inline bool recordLaunch(void *function, const unsigned grid[3],
                         const unsigned block[3], unsigned sharedBytes,
                         void **parameters) {
  Record &r = record();
  int index = int(r.launches.size());
  Launch launch{*static_cast<std::string *>(function),
                {grid[0], grid[1], grid[2]},
                {block[0], block[1], block[2]},
                sharedBytes,
                {}};
  for (size_t n = 0; n < r.parameterWords; ++n)
    launch.words.push_back(*static_cast<const int64_t *>(parameters[n]));
  r.launches.push_back(std::move(launch));
  return index == r.failLaunch;
}

/// Device memory: zeroed host memory, recorded.
inline void *allocate(size_t bytes) {
  void *pointer = std::calloc(bytes, 1);
  record().allocations.push_back({pointer, bytes, false});
  return pointer;
}

/// Frees an allocation; false where `pointer` is none (or freed twice).
inline bool release(void *pointer) {
  for (Allocation &a : record().allocations)
    if (a.pointer == pointer && !a.freed) {
      a.freed = true;
      std::free(a.pointer);
      return true;
    }
  return false;
}

} // namespace attn::fakegpu

#endif // ATTN_TEST_UNIT_FAKEGPUDRIVER_H
