//===- FakeCudaDriver.h - A recording stand-in for libcuda.so.1 -*- C++ -*-===//
//
// attnrt's CUDA backend opens the driver library with dlopen at run time.
// FakeCudaDriver.cpp builds a library named libcuda.so.1 that implements
// the driver calls the backend resolves, on host memory, and records what
// it is asked: modules and functions loaded, allocations, clears and
// launches (grid, block, shared memory, the kernel's parameter words). A
// test linked with it (its soname is libcuda.so.1, so attnrt's dlopen finds
// the loaded library) checks the backend's launches on a machine without a
// GPU. It runs no kernel.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_UNIT_FAKECUDADRIVER_H
#define ATTN_TEST_UNIT_FAKECUDADRIVER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attn::fakecuda {

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
  /// cuMemsetD8 calls: address and bytes.
  std::vector<std::pair<void *, size_t>> clears;
  std::vector<Launch> launches;
  /// The dynamic shared memory limits set (cuFuncSetAttribute).
  std::vector<int> sharedLimits;
  /// Parameters to copy per launch (the test knows the kernel's).
  size_t parameterWords = 0;
  /// The launch (0 for the first) that fails with CUDA_ERROR_LAUNCH_FAILED,
  /// or -1.
  int failLaunch = -1;
};

/// The driver's record; a test resets it between cases.
Record &record();

} // namespace attn::fakecuda

#endif // ATTN_TEST_UNIT_FAKECUDADRIVER_H
