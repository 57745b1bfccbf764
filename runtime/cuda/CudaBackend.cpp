//===- CudaBackend.cpp - Kernels on NVIDIA GPUs through the driver API ----===//
//
// The CUDA driver library (libcuda.so.1) is opened at the first use with
// dlopen, so attnrt has no link-time dependency on CUDA and one binary runs
// on machines with or without an NVIDIA GPU; without the driver or a GPU
// every CUDA call fails with a message saying which.
//
// A kernel image is prepared once per device: its cubin is loaded where the
// device runs it, else its PTX (the driver compiles it for the device), in
// the device's primary context; the function's dynamic shared memory limit
// is raised to what the launch needs. A launch flattens each tensor's memref
// descriptor into kernel parameters, computes the grid from the query's
// sizes (attnGpuLaunch) and waits for the kernel to finish.
//
//===----------------------------------------------------------------------===//

#include "../ElementTypes.h"
#include "../RuntimeInternal.h"

#include <dlfcn.h>

#include <cstring>
#include <map>
#include <mutex>

using namespace attn::runtime;

namespace {

// The few driver API types and constants used, as cuda.h declares them.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
constexpr CUresult CUDA_SUCCESS = 0;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;

/// The driver entry points, resolved once.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

/// A prepared image: the module and function in one device's context.
struct Prepared {
  CUcontext context;
  CUfunction function;
  attnGpuLaunch launch;
};

class CudaBackend final : public DeviceBackend {
public:
  int32_t deviceType() const override { return kDLCUDA; }
  attnStatus deviceCount(int32_t &count) override;
  attnStatus prepare(const attnKernelImage &image, DLDevice device,
                     void *&prepared) override;
  attnStatus launch(const attnKernelDescriptor &descriptor, void *prepared,
                    const CheckedArguments &arguments) override;
  attnStatus describe(DLDevice device, std::string &name) override;
  attnStatus allocate(DLDevice device, uint64_t bytes, void *&pointer) override;
  attnStatus release(DLDevice device, void *pointer) override;
  attnStatus copyIn(DLDevice device, void *destination, const void *source,
                    uint64_t bytes) override;
  attnStatus copyOut(DLDevice device, void *destination, const void *source,
                     uint64_t bytes) override;

private:
  /// Opens the driver and initialises it (once); the error says why not.
  attnStatus load(const char *caller);
  /// Makes `device`'s primary context current on this thread.
  attnStatus enter(const char *caller, DLDevice device, CUcontext *out = {});
  /// The driver's name and text for `result`.
  std::string describeError(CUresult result);
  attnStatus check(CUresult result, const std::string &what) {
    if (result == CUDA_SUCCESS)
      return ATTN_SUCCESS;
    return fail(ATTN_ERROR_DEVICE, what + " failed: " + describeError(result));
  }

  std::mutex mutex;
  bool tried = false;
  attnStatus loadStatus = ATTN_SUCCESS;
  std::string loadError;
  Driver driver{};
  int deviceTotal = 0;
  std::map<int, CUcontext> contexts;
};

template <typename Function>
bool resolve(void *library, const char *name, Function &function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  return function != nullptr;
}

attnStatus CudaBackend::load(const char *caller) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!tried) {
    tried = true;
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char *why = dlerror();
      loadStatus = ATTN_ERROR_UNSUPPORTED;
      loadError = std::string("no CUDA driver on this machine: dlopen of "
                              "libcuda.so.1 failed (") +
                  (why ? why : "unknown reason") +
                  "); NVIDIA kernels need an NVIDIA GPU and its driver";
      return fail(loadStatus, std::string(caller) + ": " + loadError);
    }
    Driver &d = driver;
    bool ok =
        resolve(library, "cuInit", d.cuInit) &&
        resolve(library, "cuDriverGetVersion", d.cuDriverGetVersion) &&
        resolve(library, "cuDeviceGetCount", d.cuDeviceGetCount) &&
        resolve(library, "cuDeviceGet", d.cuDeviceGet) &&
        resolve(library, "cuDeviceGetName", d.cuDeviceGetName) &&
        resolve(library, "cuDeviceGetAttribute", d.cuDeviceGetAttribute) &&
        resolve(library, "cuDevicePrimaryCtxRetain",
                d.cuDevicePrimaryCtxRetain) &&
        resolve(library, "cuCtxSetCurrent", d.cuCtxSetCurrent) &&
        resolve(library, "cuCtxSynchronize", d.cuCtxSynchronize) &&
        resolve(library, "cuModuleLoadData", d.cuModuleLoadData) &&
        resolve(library, "cuModuleGetFunction", d.cuModuleGetFunction) &&
        resolve(library, "cuFuncSetAttribute", d.cuFuncSetAttribute) &&
        resolve(library, "cuLaunchKernel", d.cuLaunchKernel) &&
        resolve(library, "cuMemAlloc_v2", d.cuMemAlloc) &&
        resolve(library, "cuMemFree_v2", d.cuMemFree) &&
        resolve(library, "cuMemcpyHtoD_v2", d.cuMemcpyHtoD) &&
        resolve(library, "cuMemcpyDtoH_v2", d.cuMemcpyDtoH) &&
        resolve(library, "cuMemsetD8_v2", d.cuMemsetD8) &&
        resolve(library, "cuGetErrorName", d.cuGetErrorName) &&
        resolve(library, "cuGetErrorString", d.cuGetErrorString);
    if (!ok) {
      loadStatus = ATTN_ERROR_UNSUPPORTED;
      loadError = "the CUDA driver library libcuda.so.1 lacks a driver API "
                  "function attnrt needs (the driver is too old)";
      return fail(loadStatus, std::string(caller) + ": " + loadError);
    }
    CUresult result = d.cuInit(0);
    if (result == CUDA_SUCCESS)
      result = d.cuDeviceGetCount(&deviceTotal);
    if (result != CUDA_SUCCESS || deviceTotal == 0) {
      loadStatus = ATTN_ERROR_UNSUPPORTED;
      loadError = result != CUDA_SUCCESS
                      ? "the CUDA driver found no usable GPU (cuInit: " +
                            describeError(result) + ")"
                      : "the CUDA driver reports no GPU";
      return fail(loadStatus, std::string(caller) + ": " + loadError);
    }
  }
  if (loadStatus != ATTN_SUCCESS)
    return fail(loadStatus, std::string(caller) + ": " + loadError);
  return ATTN_SUCCESS;
}

std::string CudaBackend::describeError(CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (driver.cuGetErrorName)
    driver.cuGetErrorName(result, &name);
  if (driver.cuGetErrorString)
    driver.cuGetErrorString(result, &text);
  std::string message = name ? name : "CUDA error " + std::to_string(result);
  if (text)
    message += std::string(" (") + text + ")";
  return message;
}

attnStatus CudaBackend::enter(const char *caller, DLDevice device,
                              CUcontext *out) {
  if (attnStatus status = load(caller))
    return status;
  if (device.device_id < 0 || device.device_id >= deviceTotal)
    return fail(
        ATTN_ERROR_DEVICE,
        std::string(caller) + ": CUDA:" + std::to_string(device.device_id) +
            " does not exist (this machine has " + std::to_string(deviceTotal) +
            " CUDA device" + (deviceTotal == 1 ? "" : "s") + ")");
  CUcontext context;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = contexts.find(device.device_id);
    if (it == contexts.end()) {
      CUdevice handle;
      if (attnStatus status =
              check(driver.cuDeviceGet(&handle, device.device_id),
                    std::string(caller) + ": cuDeviceGet"))
        return status;
      if (attnStatus status =
              check(driver.cuDevicePrimaryCtxRetain(&context, handle),
                    std::string(caller) + ": cuDevicePrimaryCtxRetain"))
        return status;
      contexts.emplace(device.device_id, context);
    } else {
      context = it->second;
    }
  }
  if (out)
    *out = context;
  return check(driver.cuCtxSetCurrent(context),
               std::string(caller) + ": cuCtxSetCurrent");
}

attnStatus CudaBackend::deviceCount(int32_t &count) {
  count = 0;
  if (attnStatus status = load("attnGetDeviceCount"))
    return status;
  count = deviceTotal;
  return ATTN_SUCCESS;
}

attnStatus CudaBackend::describe(DLDevice device, std::string &name) {
  if (attnStatus status = enter("attnGetDeviceName", device))
    return status;
  char text[256] = {};
  CUdevice handle;
  int major = 0, minor = 0;
  if (attnStatus status = check(driver.cuDeviceGet(&handle, device.device_id),
                                "attnGetDeviceName: cuDeviceGet"))
    return status;
  driver.cuDeviceGetName(text, sizeof(text) - 1, handle);
  driver.cuDeviceGetAttribute(
      &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle);
  driver.cuDeviceGetAttribute(
      &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle);
  name = std::string(text) + " (sm_" + std::to_string(major) +
         std::to_string(minor) + ")";
  return ATTN_SUCCESS;
}

attnStatus CudaBackend::prepare(const attnKernelImage &image, DLDevice device,
                                void *&prepared) {
  std::string where = std::string("loading kernel '") +
                      (image.entryName ? image.entryName : "?") + "' (" +
                      (image.target ? image.target : "?") + ")";
  CUcontext context;
  if (attnStatus status = enter(where.c_str(), device, &context))
    return status;
  CUmodule module = nullptr;
  CUresult result = 1;
  std::string tried;
  if (image.cubin && image.cubinSize) {
    result = driver.cuModuleLoadData(&module, image.cubin);
    if (result != CUDA_SUCCESS)
      tried = "cubin: " + describeError(result) + "; ";
  }
  if (result != CUDA_SUCCESS && image.ptx) {
    result = driver.cuModuleLoadData(&module, image.ptx);
    if (result != CUDA_SUCCESS)
      tried += "PTX: " + describeError(result);
  }
  if (result != CUDA_SUCCESS)
    return fail(ATTN_ERROR_DEVICE, where + " on " + deviceName(device) +
                                       ": the driver loads neither form (" +
                                       tried + ")");
  CUfunction function;
  if (attnStatus status =
          check(driver.cuModuleGetFunction(&function, module, image.entryName),
                where + ": cuModuleGetFunction"))
    return status;
  if (image.launch.sharedBytes > 48 * 1024) {
    CUdevice handle;
    int limit = 0;
    driver.cuDeviceGet(&handle, device.device_id);
    driver.cuDeviceGetAttribute(
        &limit, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, handle);
    if (image.launch.sharedBytes > limit)
      return fail(ATTN_ERROR_DEVICE,
                  where + ": needs " +
                      std::to_string(image.launch.sharedBytes) +
                      " bytes of shared memory per block; " +
                      deviceName(device) + " allows " + std::to_string(limit));
    if (attnStatus status =
            check(driver.cuFuncSetAttribute(
                      function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                      image.launch.sharedBytes),
                  where + ": cuFuncSetAttribute"))
      return status;
  }
  prepared = new Prepared{context, function, image.launch};
  return ATTN_SUCCESS;
}

attnStatus CudaBackend::launch(const attnKernelDescriptor &descriptor,
                               void *opaque,
                               const CheckedArguments &arguments) {
  auto &prepared = *static_cast<Prepared *>(opaque);
  std::string where =
      std::string(descriptor.function) + " on " + deviceName(arguments.device);
  if (attnStatus status = enter(where.c_str(), arguments.device))
    return status;
  GpuLaunchPlan plan;
  auto readScalar = [&](void *destination, const void *source, uint64_t bytes,
                        const std::string &what) {
    return check(driver.cuMemcpyDtoH(
                     destination, reinterpret_cast<CUdeviceptr>(source), bytes),
                 what);
  };
  if (attnStatus status = planGpuLaunch(descriptor, prepared.launch, arguments,
                                        where, "CUDA", readScalar, plan))
    return status;
  for (auto [address, bytes] : plan.zeroFirst)
    if (attnStatus status = check(
            driver.cuMemsetD8(reinterpret_cast<CUdeviceptr>(address), 0, bytes),
            where + ": clearing block statistics (cuMemsetD8)"))
      return status;
  if (plan.empty)
    return ATTN_SUCCESS;
  if (attnStatus status =
          check(driver.cuLaunchKernel(
                    prepared.function, plan.grid[0], plan.grid[1], plan.grid[2],
                    unsigned(prepared.launch.threadsPerBlock), 1, 1,
                    unsigned(prepared.launch.sharedBytes), nullptr,
                    plan.parameters.data(), nullptr),
                where + ": cuLaunchKernel"))
    return status;
  return check(driver.cuCtxSynchronize(), where + ": the kernel");
}

attnStatus CudaBackend::allocate(DLDevice device, uint64_t bytes,
                                 void *&pointer) {
  if (attnStatus status = enter("attnDeviceAlloc", device))
    return status;
  CUdeviceptr address = 0;
  if (attnStatus status =
          check(driver.cuMemAlloc(&address, bytes ? bytes : 1),
                "attnDeviceAlloc: cuMemAlloc of " + std::to_string(bytes) +
                    " bytes on " + deviceName(device)))
    return status;
  pointer = reinterpret_cast<void *>(address);
  return ATTN_SUCCESS;
}

attnStatus CudaBackend::release(DLDevice device, void *pointer) {
  if (attnStatus status = enter("attnDeviceFree", device))
    return status;
  return check(driver.cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)),
               "attnDeviceFree: cuMemFree");
}

attnStatus CudaBackend::copyIn(DLDevice device, void *destination,
                               const void *source, uint64_t bytes) {
  if (attnStatus status = enter("attnCopyToDevice", device))
    return status;
  return check(driver.cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(destination),
                                   source, bytes),
               "attnCopyToDevice: cuMemcpyHtoD");
}

attnStatus CudaBackend::copyOut(DLDevice device, void *destination,
                                const void *source, uint64_t bytes) {
  if (attnStatus status = enter("attnCopyFromDevice", device))
    return status;
  return check(driver.cuMemcpyDtoH(
                   destination, reinterpret_cast<CUdeviceptr>(source), bytes),
               "attnCopyFromDevice: cuMemcpyDtoH");
}

} // namespace

DeviceBackend &attn::runtime::getCudaBackend() {
  static CudaBackend *backend = new CudaBackend(); // Lives until exit.
  return *backend;
}
