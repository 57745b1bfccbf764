//===- FakeHipDriver.cpp - A recording stand-in for libamdhip64.so --------===//
//
// The HIP runtime calls attnrt's HIP backend resolves, with the signatures
// hip_runtime_api.h gives them, on host memory (see FakeGpuDriver.h). One
// device, "Fake GPU".
//
//===----------------------------------------------------------------------===//

#include "FakeGpuDriver.h"

#include <cstdlib>
#include <cstring>

using namespace attn::fakegpu;

Record &attn::fakegpu::record() {
  static Record *value = new Record();
  return *value;
}

namespace {
using hipError_t = int;
constexpr hipError_t kSuccess = 0, kInvalidValue = 1, kLaunchFailure = 719;
int moduleToken;
} // namespace

#define ATTN_FAKE_EXPORT extern "C" __attribute__((visibility("default")))

ATTN_FAKE_EXPORT hipError_t hipInit(unsigned) { return kSuccess; }
ATTN_FAKE_EXPORT hipError_t hipGetDeviceCount(int *count) {
  *count = 1;
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipSetDevice(int device) {
  return device == 0 ? kSuccess : kInvalidValue;
}
ATTN_FAKE_EXPORT hipError_t hipDeviceGet(int *device, int ordinal) {
  if (ordinal != 0)
    return kInvalidValue;
  *device = 0;
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipDeviceGetName(char *name, int length, int) {
  std::strncpy(name, "Fake GPU", size_t(length));
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipDeviceSynchronize() { return kSuccess; }
ATTN_FAKE_EXPORT hipError_t hipModuleLoadData(void **module,
                                              const void *image) {
  if (!image)
    return kInvalidValue;
  *module = &moduleToken;
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipModuleGetFunction(void **function, void *,
                                                 const char *name) {
  record().functions.push_back(name);
  *function = new std::string(name); // Lives as the module would.
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipModuleLaunchKernel(void *function, unsigned gx,
                                                  unsigned gy, unsigned gz,
                                                  unsigned bx, unsigned by,
                                                  unsigned bz, unsigned shared,
                                                  void *, void **parameters,
                                                  void **) {
  Record &r = record();
  int index = int(r.launches.size());
  Launch launch{*static_cast<std::string *>(function),
                {gx, gy, gz},
                {bx, by, bz},
                shared,
                {}};
  for (size_t n = 0; n < r.parameterWords; ++n)
    launch.words.push_back(*static_cast<const int64_t *>(parameters[n]));
  r.launches.push_back(std::move(launch));
  return index == r.failLaunch ? kLaunchFailure : kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipMalloc(void **pointer, size_t bytes) {
  *pointer = std::calloc(bytes, 1);
  record().allocations.push_back({*pointer, bytes, false});
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipFree(void *pointer) {
  for (Allocation &a : record().allocations)
    if (a.pointer == pointer && !a.freed) {
      a.freed = true;
      std::free(a.pointer);
      return kSuccess;
    }
  return kInvalidValue;
}
ATTN_FAKE_EXPORT hipError_t hipMemcpyHtoD(void *destination, const void *source,
                                          size_t bytes) {
  std::memcpy(destination, source, bytes);
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipMemcpyDtoH(void *destination, const void *source,
                                          size_t bytes) {
  std::memcpy(destination, source, bytes);
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipMemset(void *address, int value, size_t bytes) {
  std::memset(address, value, bytes);
  record().clears.emplace_back(address, bytes);
  return kSuccess;
}
ATTN_FAKE_EXPORT const char *hipGetErrorName(hipError_t result) {
  return result == kLaunchFailure ? "hipErrorLaunchFailure"
                                  : "hipErrorInvalidValue";
}
ATTN_FAKE_EXPORT const char *hipGetErrorString(hipError_t result) {
  return result == kLaunchFailure ? "unspecified launch failure"
                                  : "invalid argument";
}
