//===- FakeCudaDriver.cpp - A recording stand-in for libcuda.so.1 ---------===//
//
// The driver API calls attnrt's CUDA backend resolves, with the signatures
// cuda.h gives them, on host memory (see FakeGpuDriver.h). One device,
// "Fake GPU", compute capability 9.0, 227 KiB of opt-in shared memory.
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
using CUresult = int;
using CUdeviceptr = unsigned long long;
constexpr CUresult kSuccess = 0, kInvalidValue = 1, kLaunchFailed = 719;
int contextToken, moduleToken;
} // namespace

#define ATTN_FAKE_EXPORT extern "C" __attribute__((visibility("default")))

ATTN_FAKE_EXPORT CUresult cuInit(unsigned) { return kSuccess; }
ATTN_FAKE_EXPORT CUresult cuDriverGetVersion(int *version) {
  *version = 12040;
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  if (ordinal != 0)
    return kInvalidValue;
  *device = 0;
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuDeviceGetName(char *name, int length, int) {
  std::strncpy(name, "Fake GPU", size_t(length));
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, int) {
  switch (attribute) {
  case 75: // compute capability, major
    *value = 9;
    return kSuccess;
  case 76: // minor
    *value = 0;
    return kSuccess;
  case 97: // shared memory per block, opt-in
    *value = 232448;
    return kSuccess;
  default:
    return kInvalidValue;
  }
}
ATTN_FAKE_EXPORT CUresult cuDevicePrimaryCtxRetain(void **context, int) {
  *context = &contextToken;
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuCtxSetCurrent(void *) { return kSuccess; }
ATTN_FAKE_EXPORT CUresult cuCtxSynchronize() { return kSuccess; }
ATTN_FAKE_EXPORT CUresult cuModuleLoadData(void **module, const void *image) {
  if (!image)
    return kInvalidValue;
  *module = &moduleToken;
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuModuleGetFunction(void **function, void *,
                                              const char *name) {
  record().functions.push_back(name);
  *function = new std::string(name); // Lives as the module would.
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuFuncSetAttribute(void *, int attribute, int value) {
  if (attribute == 8) // maximum dynamic shared memory
    record().sharedLimits.push_back(value);
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuLaunchKernel(void *function, unsigned gx,
                                         unsigned gy, unsigned gz, unsigned bx,
                                         unsigned by, unsigned bz,
                                         unsigned shared, void *,
                                         void **parameters, void **) {
  const unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  return recordLaunch(function, grid, block, shared, parameters) ? kLaunchFailed
                                                                 : kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *address, size_t bytes) {
  *address = reinterpret_cast<CUdeviceptr>(allocate(bytes));
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuMemFree_v2(CUdeviceptr address) {
  return release(reinterpret_cast<void *>(address)) ? kSuccess : kInvalidValue;
}
ATTN_FAKE_EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr destination,
                                          const void *source, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(destination), source, bytes);
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuMemcpyDtoH_v2(void *destination, CUdeviceptr source,
                                          size_t bytes) {
  std::memcpy(destination, reinterpret_cast<const void *>(source), bytes);
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuMemsetD8_v2(CUdeviceptr address,
                                        unsigned char value, size_t bytes) {
  std::memset(reinterpret_cast<void *>(address), value, bytes);
  record().clears.emplace_back(reinterpret_cast<void *>(address), bytes);
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuGetErrorName(CUresult result, const char **name) {
  *name = result == kLaunchFailed ? "CUDA_ERROR_LAUNCH_FAILED"
                                  : "CUDA_ERROR_INVALID_VALUE";
  return kSuccess;
}
ATTN_FAKE_EXPORT CUresult cuGetErrorString(CUresult result, const char **text) {
  *text = result == kLaunchFailed ? "unspecified launch failure"
                                  : "invalid argument";
  return kSuccess;
}
