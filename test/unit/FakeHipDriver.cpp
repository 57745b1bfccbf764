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
  const unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  return recordLaunch(function, grid, block, shared, parameters)
             ? kLaunchFailure
             : kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipMalloc(void **pointer, size_t bytes) {
  *pointer = allocate(bytes);
  return kSuccess;
}
ATTN_FAKE_EXPORT hipError_t hipFree(void *pointer) {
  return release(pointer) ? kSuccess : kInvalidValue;
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
