//===- HipBackend.cpp - Kernels on AMD GPUs through the HIP runtime -------===//
//
// The HIP runtime library (libamdhip64.so) is opened at the first use with
// dlopen, so attnrt has no link-time dependency on ROCm and one binary runs
// on machines with or without an AMD GPU; without the runtime or a GPU
// every HIP call fails with a message saying which.
//
// A kernel image (an HSACO code object for one gfx chip) is loaded once per
// device with hipModuleLoadData; a launch passes the parameters and grid of
// planGpuLaunch() to hipModuleLaunchKernel and waits for the kernel.
//
//===----------------------------------------------------------------------===//

#include "../RuntimeInternal.h"

#include <dlfcn.h>

#include <mutex>

using namespace attn::runtime;

namespace {

// The few HIP types and constants used, as hip_runtime_api.h declares them.
using hipError_t = int;
using hipModule_t = struct ihipModule_t *;
using hipFunction_t = struct ihipModuleSymbol_t *;
using hipStream_t = struct ihipStream_t *;
constexpr hipError_t hipSuccess = 0;
/// LDS a workgroup may use on the chips the AMD backend targets.
constexpr int32_t kMaxLdsBytes = 64 * 1024;

/// The runtime's entry points, resolved once.
struct Runtime {
  hipError_t (*hipInit)(unsigned);
  hipError_t (*hipGetDeviceCount)(int *);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipDeviceGet)(int *, int);
  hipError_t (*hipDeviceGetName)(char *, int, int);
  hipError_t (*hipDeviceSynchronize)();
  hipError_t (*hipModuleLoadData)(hipModule_t *, const void *);
  hipError_t (*hipModuleGetFunction)(hipFunction_t *, hipModule_t,
                                     const char *);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned,
                                      unsigned, unsigned, unsigned, unsigned,
                                      unsigned, hipStream_t, void **, void **);
  hipError_t (*hipMalloc)(void **, size_t);
  hipError_t (*hipFree)(void *);
  hipError_t (*hipMemcpyHtoD)(void *, const void *, size_t);
  hipError_t (*hipMemcpyDtoH)(void *, const void *, size_t);
  hipError_t (*hipMemset)(void *, int, size_t);
  const char *(*hipGetErrorName)(hipError_t);
  const char *(*hipGetErrorString)(hipError_t);
};

/// A prepared image: the function in one device's module.
struct Prepared {
  int device;
  hipFunction_t function;
  attnGpuLaunch launch;
};

template <typename Function>
bool resolve(void *library, const char *name, Function &function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  return function != nullptr;
}

class HipBackend final : public DeviceBackend {
public:
  int32_t deviceType() const override { return kDLROCM; }
  attnStatus deviceCount(int32_t &count) override {
    count = 0;
    if (attnStatus status = load("attnGetDeviceCount"))
      return status;
    count = deviceTotal;
    return ATTN_SUCCESS;
  }
  attnStatus prepare(const attnKernelImage &image, DLDevice device,
                     void *&prepared) override;
  attnStatus launch(const attnKernelDescriptor &descriptor, void *prepared,
                    const CheckedArguments &arguments) override;
  attnStatus describe(DLDevice device, std::string &name) override {
    if (attnStatus status = enter("attnGetDeviceName", device))
      return status;
    char text[256] = {};
    int handle = 0;
    if (attnStatus status =
            check(runtime.hipDeviceGet(&handle, device.device_id),
                  "attnGetDeviceName: hipDeviceGet"))
      return status;
    if (attnStatus status =
            check(runtime.hipDeviceGetName(text, sizeof(text) - 1, handle),
                  "attnGetDeviceName: hipDeviceGetName"))
      return status;
    name = text;
    return ATTN_SUCCESS;
  }
  attnStatus allocate(DLDevice device, uint64_t bytes,
                      void *&pointer) override {
    if (attnStatus status = enter("attnDeviceAlloc", device))
      return status;
    return check(runtime.hipMalloc(&pointer, bytes ? bytes : 1),
                 "attnDeviceAlloc: hipMalloc of " + std::to_string(bytes) +
                     " bytes on " + deviceName(device));
  }
  attnStatus release(DLDevice device, void *pointer) override {
    if (attnStatus status = enter("attnDeviceFree", device))
      return status;
    return check(runtime.hipFree(pointer), "attnDeviceFree: hipFree");
  }
  attnStatus copyIn(DLDevice device, void *destination, const void *source,
                    uint64_t bytes) override {
    if (attnStatus status = enter("attnCopyToDevice", device))
      return status;
    return check(runtime.hipMemcpyHtoD(destination, source, bytes),
                 "attnCopyToDevice: hipMemcpyHtoD");
  }
  attnStatus copyOut(DLDevice device, void *destination, const void *source,
                     uint64_t bytes) override {
    if (attnStatus status = enter("attnCopyFromDevice", device))
      return status;
    return check(runtime.hipMemcpyDtoH(destination, source, bytes),
                 "attnCopyFromDevice: hipMemcpyDtoH");
  }

private:
  /// Opens the runtime and initialises it (once); the error says why not.
  attnStatus load(const char *caller);
  /// Makes `device` current on this thread.
  attnStatus enter(const char *caller, DLDevice device);
  std::string describeError(hipError_t result) {
    const char *name =
        runtime.hipGetErrorName ? runtime.hipGetErrorName(result) : nullptr;
    const char *text =
        runtime.hipGetErrorString ? runtime.hipGetErrorString(result) : nullptr;
    std::string message = name ? name : "HIP error " + std::to_string(result);
    if (text)
      message += std::string(" (") + text + ")";
    return message;
  }
  attnStatus check(hipError_t result, const std::string &what) {
    if (result == hipSuccess)
      return ATTN_SUCCESS;
    return fail(ATTN_ERROR_DEVICE, what + " failed: " + describeError(result));
  }

  std::mutex mutex;
  bool tried = false;
  attnStatus loadStatus = ATTN_SUCCESS;
  std::string loadError;
  Runtime runtime{};
  int deviceTotal = 0;
};

attnStatus HipBackend::load(const char *caller) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!tried) {
    tried = true;
    void *library = nullptr;
    std::string why;
    for (const char *name :
         {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5"}) {
      library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (library)
        break;
      if (why.empty())
        if (const char *text = dlerror())
          why = text;
    }
    if (!library) {
      loadStatus = ATTN_ERROR_UNSUPPORTED;
      loadError = "no HIP runtime on this machine: dlopen of libamdhip64.so "
                  "failed (" +
                  (why.empty() ? std::string("unknown reason") : why) +
                  "); AMD kernels need an AMD GPU and ROCm's HIP runtime";
      return fail(loadStatus, std::string(caller) + ": " + loadError);
    }
    Runtime &r = runtime;
    bool ok =
        resolve(library, "hipInit", r.hipInit) &&
        resolve(library, "hipGetDeviceCount", r.hipGetDeviceCount) &&
        resolve(library, "hipSetDevice", r.hipSetDevice) &&
        resolve(library, "hipDeviceGet", r.hipDeviceGet) &&
        resolve(library, "hipDeviceGetName", r.hipDeviceGetName) &&
        resolve(library, "hipDeviceSynchronize", r.hipDeviceSynchronize) &&
        resolve(library, "hipModuleLoadData", r.hipModuleLoadData) &&
        resolve(library, "hipModuleGetFunction", r.hipModuleGetFunction) &&
        resolve(library, "hipModuleLaunchKernel", r.hipModuleLaunchKernel) &&
        resolve(library, "hipMalloc", r.hipMalloc) &&
        resolve(library, "hipFree", r.hipFree) &&
        resolve(library, "hipMemcpyHtoD", r.hipMemcpyHtoD) &&
        resolve(library, "hipMemcpyDtoH", r.hipMemcpyDtoH) &&
        resolve(library, "hipMemset", r.hipMemset) &&
        resolve(library, "hipGetErrorName", r.hipGetErrorName) &&
        resolve(library, "hipGetErrorString", r.hipGetErrorString);
    if (!ok) {
      loadStatus = ATTN_ERROR_UNSUPPORTED;
      loadError = "the HIP runtime library libamdhip64.so lacks a function "
                  "attnrt needs (the runtime is too old)";
      return fail(loadStatus, std::string(caller) + ": " + loadError);
    }
    hipError_t result = r.hipInit(0);
    if (result == hipSuccess)
      result = r.hipGetDeviceCount(&deviceTotal);
    if (result != hipSuccess || deviceTotal == 0) {
      loadStatus = ATTN_ERROR_UNSUPPORTED;
      loadError = result != hipSuccess
                      ? "the HIP runtime found no usable GPU (" +
                            describeError(result) + ")"
                      : "the HIP runtime reports no GPU";
      return fail(loadStatus, std::string(caller) + ": " + loadError);
    }
  }
  if (loadStatus != ATTN_SUCCESS)
    return fail(loadStatus, std::string(caller) + ": " + loadError);
  return ATTN_SUCCESS;
}

attnStatus HipBackend::enter(const char *caller, DLDevice device) {
  if (attnStatus status = load(caller))
    return status;
  if (device.device_id < 0 || device.device_id >= deviceTotal)
    return fail(
        ATTN_ERROR_DEVICE,
        std::string(caller) + ": ROCm:" + std::to_string(device.device_id) +
            " does not exist (this machine has " + std::to_string(deviceTotal) +
            " HIP device" + (deviceTotal == 1 ? "" : "s") + ")");
  return check(runtime.hipSetDevice(device.device_id),
               std::string(caller) + ": hipSetDevice");
}

attnStatus HipBackend::prepare(const attnKernelImage &image, DLDevice device,
                               void *&prepared) {
  std::string where = std::string("loading kernel '") +
                      (image.entryName ? image.entryName : "?") + "' (" +
                      (image.target ? image.target : "?") + ")";
  if (attnStatus status = enter(where.c_str(), device))
    return status;
  if (image.launch.sharedBytes > kMaxLdsBytes)
    return fail(ATTN_ERROR_DEVICE,
                where + ": needs " + std::to_string(image.launch.sharedBytes) +
                    " bytes of LDS per workgroup; AMD GPUs allow " +
                    std::to_string(kMaxLdsBytes));
  hipModule_t module = nullptr;
  if (hipError_t result = runtime.hipModuleLoadData(&module, image.cubin))
    return fail(ATTN_ERROR_DEVICE,
                where + " on " + deviceName(device) +
                    ": the HIP runtime does not load its HSACO (" +
                    describeError(result) +
                    "; was it compiled for this GPU's gfx chip?)");
  hipFunction_t function;
  if (attnStatus status = check(
          runtime.hipModuleGetFunction(&function, module, image.entryName),
          where + ": hipModuleGetFunction"))
    return status;
  prepared = new Prepared{device.device_id, function, image.launch};
  return ATTN_SUCCESS;
}

attnStatus HipBackend::launch(const attnKernelDescriptor &descriptor,
                              void *opaque, const CheckedArguments &arguments) {
  auto &prepared = *static_cast<Prepared *>(opaque);
  std::string where =
      std::string(descriptor.function) + " on " + deviceName(arguments.device);
  if (attnStatus status = enter(where.c_str(), arguments.device))
    return status;
  GpuLaunchPlan plan;
  auto readScalar = [&](void *destination, const void *source, uint64_t bytes,
                        const std::string &what) {
    return check(runtime.hipMemcpyDtoH(destination, source, bytes), what);
  };
  if (attnStatus status = planGpuLaunch(descriptor, prepared.launch, arguments,
                                        where, "HIP", readScalar, plan))
    return status;
  for (auto [address, bytes] : plan.zeroFirst)
    if (attnStatus status =
            check(runtime.hipMemset(address, 0, bytes),
                  where + ": clearing block statistics (hipMemset)"))
      return status;
  if (plan.empty)
    return ATTN_SUCCESS;
  if (attnStatus status =
          check(runtime.hipModuleLaunchKernel(
                    prepared.function, plan.grid[0], plan.grid[1], plan.grid[2],
                    unsigned(prepared.launch.threadsPerBlock), 1, 1,
                    unsigned(prepared.launch.sharedBytes), nullptr,
                    plan.parameters.data(), nullptr),
                where + ": hipModuleLaunchKernel"))
    return status;
  return check(runtime.hipDeviceSynchronize(), where + ": the kernel");
}

} // namespace

DeviceBackend &attn::runtime::getHipBackend() {
  static HipBackend *backend = new HipBackend(); // Lives until exit.
  return *backend;
}
