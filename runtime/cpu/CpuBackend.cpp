//===- CpuBackend.cpp - Kernels compiled for the host CPU -----------------===//
//
// A CPU kernel is linked into the application, so preparing it is nothing
// and launching it is a call: each tensor argument becomes the memref
// descriptor the kernel ABI expects (buildMemrefDescriptors(), shared with
// the GPU backends), each scalar is passed by pointer to its value, and the
// image's entry point unpacks them into the `_mlir_ciface_` call. The kernels'
// threads come from OpenMP; the thread count set through attnSetNumThreads
// applies on whichever thread launches.
//
//===----------------------------------------------------------------------===//

#include "../RuntimeInternal.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#ifdef ATTN_HAVE_OPENMP
#include <omp.h>
#endif

using namespace attn::runtime;

static_assert(sizeof(void *) == sizeof(int64_t),
              "memref descriptors are built as 64-bit words");

namespace {

/// 0: the OpenMP default.
std::atomic<int32_t> configuredThreads{0};

#ifdef ATTN_HAVE_OPENMP
/// What OpenMP would use before the runtime set anything.
int32_t defaultThreads() {
  static const int32_t threads = omp_get_max_threads();
  return threads;
}
#endif

class CpuBackend final : public DeviceBackend {
public:
  int32_t deviceType() const override { return kDLCPU; }

  attnStatus deviceCount(int32_t &count) override {
    count = 1;
    return ATTN_SUCCESS;
  }

  attnStatus prepare(const attnKernelImage &image, DLDevice device,
                     void *&prepared) override {
    // The code is already in the process; nothing to load.
    prepared = reinterpret_cast<void *>(image.cpuEntry);
    return ATTN_SUCCESS;
  }

  attnStatus launch(const attnKernelDescriptor &descriptor, void *prepared,
                    const CheckedArguments &arguments) override;

  attnStatus describe(DLDevice device, std::string &name) override {
    name = "host CPU";
    return ATTN_SUCCESS;
  }
  attnStatus allocate(DLDevice device, uint64_t bytes,
                      void *&pointer) override {
    // 64-byte alignment suits every element type and vector loads.
    pointer =
        std::aligned_alloc(64, (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64);
    if (!pointer)
      return fail(ATTN_ERROR_INVALID_VALUE,
                  "attnDeviceAlloc: out of host memory (" +
                      std::to_string(bytes) + " bytes)");
    return ATTN_SUCCESS;
  }
  attnStatus release(DLDevice device, void *pointer) override {
    std::free(pointer);
    return ATTN_SUCCESS;
  }
  attnStatus copyIn(DLDevice device, void *destination, const void *source,
                    uint64_t bytes) override {
    std::memcpy(destination, source, bytes);
    return ATTN_SUCCESS;
  }
  attnStatus copyOut(DLDevice device, void *destination, const void *source,
                     uint64_t bytes) override {
    std::memcpy(destination, source, bytes);
    return ATTN_SUCCESS;
  }
};

attnStatus CpuBackend::launch(const attnKernelDescriptor &descriptor,
                              void *prepared,
                              const CheckedArguments &arguments) {
  size_t count = arguments.data.size();
  std::vector<size_t> offsets;
  std::vector<int64_t> memrefs =
      buildMemrefDescriptors(descriptor, arguments, offsets);
  std::vector<void *> pointers(count);
  for (size_t n = 0; n < count; ++n)
    pointers[n] = descriptor.arguments[n].rank == 0
                      ? arguments.data[n] // A scalar: its value.
                      : static_cast<void *>(memrefs.data() + offsets[n]);
#ifdef ATTN_HAVE_OPENMP
  int32_t threads = configuredThreads.load(std::memory_order_relaxed);
  if (threads == 0)
    threads = defaultThreads();
  if (omp_get_max_threads() != threads)
    omp_set_num_threads(threads);
#endif
  auto entry = reinterpret_cast<attnCpuEntry>(prepared);
  entry(pointers.data());
  return ATTN_SUCCESS;
}

} // namespace

std::vector<int64_t>
attn::runtime::buildMemrefDescriptors(const attnKernelDescriptor &descriptor,
                                      const CheckedArguments &arguments,
                                      std::vector<size_t> &offsets) {
  size_t count = arguments.data.size();
  // Every descriptor in one buffer: 3 + 2 * rank words each.
  offsets.assign(count, 0);
  size_t words = 0;
  for (size_t n = 0; n < count; ++n) {
    offsets[n] = words;
    if (bufferRank(descriptor, n) > 0)
      words += 3 + 2 * arguments.sizes[n].size();
  }
  std::vector<int64_t> memrefs(words);
  for (size_t n = 0; n < count; ++n) {
    if (bufferRank(descriptor, n) == 0)
      continue;
    const std::vector<int64_t> &sizes = arguments.sizes[n];
    int64_t *memref = memrefs.data() + offsets[n];
    int64_t base = reinterpret_cast<int64_t>(arguments.data[n]);
    memref[0] = base; // allocated (the kernel never frees arguments)
    memref[1] = base; // aligned
    memref[2] = 0;    // offset
    int64_t rank = sizes.size(), stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      memref[3 + d] = sizes[d];
      memref[3 + rank + d] = stride;
      stride *= sizes[d];
    }
  }
  return memrefs;
}

DeviceBackend &attn::runtime::getCpuBackend() {
  static CpuBackend backend;
  return backend;
}

attnStatus attn::runtime::setCpuThreads(int32_t threads) {
#ifdef ATTN_HAVE_OPENMP
  (void)defaultThreads(); // Read before anything changes it.
  configuredThreads.store(threads, std::memory_order_relaxed);
  return ATTN_SUCCESS;
#else
  if (threads > 1)
    return fail(ATTN_ERROR_UNSUPPORTED,
                "attnSetNumThreads: this build of attnrt has no OpenMP; CPU "
                "kernels run on the launching thread only");
  configuredThreads.store(threads, std::memory_order_relaxed);
  return ATTN_SUCCESS;
#endif
}

int32_t attn::runtime::getCpuThreads() {
#ifdef ATTN_HAVE_OPENMP
  int32_t threads = configuredThreads.load(std::memory_order_relaxed);
  return threads ? threads : defaultThreads();
#else
  return 1;
#endif
}
