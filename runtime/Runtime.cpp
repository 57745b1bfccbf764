//===- Runtime.cpp - attnrt's C API ---------------------------------------===//
//
// The entry points of include/attn/runtime.h: the per-thread error message,
// the kernel registry (keyed by name; each kernel keeps the images its
// backends prepared, once per device), launches, and the device and thread
// queries. The argument checks live in ArgumentChecker.cpp, the devices in
// one folder per backend.
//
//===----------------------------------------------------------------------===//

#include "ElementTypes.h"
#include "RuntimeInternal.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace attn::runtime;

namespace {

/// An image a backend prepared for one device: its kernel, or one per step.
struct PreparedImage {
  const attnKernelImage *image = nullptr;
  std::vector<void *> kernels;
};

} // namespace

/// A registered kernel: its descriptor and what backends prepared for it.
struct attnKernel {
  const attnKernelDescriptor *descriptor;
  std::mutex mutex;
  /// (device type, device id) -> the backend's prepared image.
  std::map<std::pair<int32_t, int32_t>, PreparedImage> prepared;
};

namespace {

thread_local std::string lastError;

struct Registry {
  std::mutex mutex;
  std::unordered_map<std::string, std::unique_ptr<attnKernel>> kernels;
};

Registry &getRegistry() {
  static Registry *registry = new Registry(); // Kernels live until exit.
  return *registry;
}

} // namespace

attnStatus attn::runtime::fail(attnStatus status, std::string message) {
  lastError = std::move(message);
  return status;
}

attnStatus attn::runtime::succeed() {
  lastError.clear();
  return ATTN_SUCCESS;
}

std::string attn::runtime::deviceTypeName(int32_t deviceType) {
  switch (deviceType) {
  case kDLCPU:
    return "CPU";
  case kDLCUDA:
    return "CUDA";
  case kDLCUDAHost:
    return "CUDAHost";
  case kDLCUDAManaged:
    return "CUDAManaged";
  case kDLROCM:
    return "ROCm";
  case kDLROCMHost:
    return "ROCmHost";
  case kDLOpenCL:
    return "OpenCL";
  case kDLVulkan:
    return "Vulkan";
  case kDLMetal:
    return "Metal";
  case kDLVPI:
    return "VPI";
  case kDLExtDev:
    return "ExtDev";
  default:
    return "device type " + std::to_string(deviceType);
  }
}

std::string attn::runtime::deviceName(DLDevice device) {
  return deviceTypeName(device.device_type) + ":" +
         std::to_string(device.device_id);
}

DeviceBackend *attn::runtime::findBackend(int32_t deviceType) {
  if (deviceType == kDLCPU)
    return &getCpuBackend();
  if (deviceType == kDLCUDA)
    return &getCudaBackend();
  if (deviceType == kDLROCM)
    return &getHipBackend();
  return nullptr;
}

extern "C" {

const char *attnGetLastError(void) { return lastError.c_str(); }

const char *attnGetStatusName(attnStatus status) {
  switch (status) {
  case ATTN_SUCCESS:
    return "ATTN_SUCCESS";
  case ATTN_ERROR_NULL_POINTER:
    return "ATTN_ERROR_NULL_POINTER";
  case ATTN_ERROR_INVALID_VALUE:
    return "ATTN_ERROR_INVALID_VALUE";
  case ATTN_ERROR_DTYPE:
    return "ATTN_ERROR_DTYPE";
  case ATTN_ERROR_RANK:
    return "ATTN_ERROR_RANK";
  case ATTN_ERROR_SHAPE:
    return "ATTN_ERROR_SHAPE";
  case ATTN_ERROR_STRIDES:
    return "ATTN_ERROR_STRIDES";
  case ATTN_ERROR_ALIGNMENT:
    return "ATTN_ERROR_ALIGNMENT";
  case ATTN_ERROR_DEVICE:
    return "ATTN_ERROR_DEVICE";
  case ATTN_ERROR_ALIASING:
    return "ATTN_ERROR_ALIASING";
  case ATTN_ERROR_DATA:
    return "ATTN_ERROR_DATA";
  case ATTN_ERROR_NOT_FOUND:
    return "ATTN_ERROR_NOT_FOUND";
  case ATTN_ERROR_ALREADY_REGISTERED:
    return "ATTN_ERROR_ALREADY_REGISTERED";
  case ATTN_ERROR_BAD_DESCRIPTOR:
    return "ATTN_ERROR_BAD_DESCRIPTOR";
  case ATTN_ERROR_UNSUPPORTED:
    return "ATTN_ERROR_UNSUPPORTED";
  }
  return "unknown status";
}

attnStatus attnRegisterKernel(const attnKernelDescriptor *descriptor,
                              const attnKernel **kernel) {
  if (!kernel)
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnRegisterKernel: the kernel out-pointer is null");
  *kernel = nullptr;
  if (attnStatus status = validateDescriptor(descriptor))
    return status;
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto [it, inserted] = registry.kernels.try_emplace(descriptor->name);
  if (inserted) {
    it->second = std::make_unique<attnKernel>();
    it->second->descriptor = descriptor;
  } else if (it->second->descriptor != descriptor) {
    return fail(ATTN_ERROR_ALREADY_REGISTERED,
                std::string("attnRegisterKernel: another descriptor is "
                            "already registered as '") +
                    descriptor->name + "'");
  }
  *kernel = it->second.get();
  return succeed();
}

attnStatus attnFindKernel(const char *name, const attnKernel **kernel) {
  if (!kernel || !name)
    return fail(ATTN_ERROR_NULL_POINTER,
                std::string("attnFindKernel: the ") +
                    (name ? "kernel out-pointer" : "name") + " is null");
  *kernel = nullptr;
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto it = registry.kernels.find(name);
  if (it == registry.kernels.end())
    return fail(ATTN_ERROR_NOT_FOUND,
                std::string("attnFindKernel: no kernel named '") + name +
                    "' is registered");
  *kernel = it->second.get();
  return succeed();
}

const attnKernelDescriptor *attnGetKernelDescriptor(const attnKernel *kernel) {
  return kernel ? kernel->descriptor : nullptr;
}

attnStatus attnCheckArguments(const attnKernel *kernel,
                              const DLTensor *const *arguments,
                              int32_t numArguments) {
  if (!kernel)
    return fail(ATTN_ERROR_NULL_POINTER, "attnCheckArguments: null kernel");
  CheckedArguments checked;
  if (attnStatus status =
          checkArguments(*kernel->descriptor, arguments, numArguments,
                         /*inputsOnly=*/false, checked))
    return status;
  return succeed();
}

/// Prepares `image` for `device`: its kernel, or each step's as an image
/// of its own.
static attnStatus prepareImage(DeviceBackend &backend,
                               const attnKernelImage &image, DLDevice device,
                               PreparedImage &prepared) {
  prepared.image = &image;
  prepared.kernels.clear();
  for (int32_t k = 0; k < std::max(image.numSteps, 1); ++k) {
    attnKernelImage one = image;
    if (image.numSteps) {
      one.entryName = image.steps[k].entryName;
      one.launch = image.steps[k].launch;
      one.numSteps = 0;
      one.steps = nullptr;
    }
    void *kernel = nullptr;
    if (attnStatus status = backend.prepare(one, device, kernel))
      return status;
    prepared.kernels.push_back(kernel);
  }
  return ATTN_SUCCESS;
}

/// Runs the steps of `prepared` in turn on the checked arguments and the
/// descriptor's temporaries, allocated on the device for this launch.
static attnStatus launchSteps(DeviceBackend &backend,
                              const attnKernelDescriptor &descriptor,
                              const PreparedImage &prepared,
                              CheckedArguments &checked) {
  std::vector<void *> temporaries;
  attnStatus status = ATTN_SUCCESS;
  for (int32_t t = 0; t < descriptor.numTemporaries && !status; ++t) {
    const attnTemporarySpec &spec = descriptor.temporaries[t];
    std::vector<int64_t> sizes(spec.staticSizes, spec.staticSizes + spec.rank);
    uint64_t bytes = elementBytes(spec.elementType);
    for (int32_t d = 0; d < spec.rank; ++d) {
      if (sizes[d] < 0)
        sizes[d] = checked.sizes[spec.shapeArgument][d];
      bytes *= uint64_t(sizes[d]);
    }
    void *pointer = nullptr;
    status = backend.allocate(checked.device, bytes, pointer);
    if (status)
      break;
    temporaries.push_back(pointer);
    checked.data.push_back(static_cast<char *>(pointer));
    checked.sizes.push_back(std::move(sizes));
  }
  for (size_t k = 0; k < prepared.kernels.size() && !status; ++k) {
    checked.clearBlockStatistics = k == 0;
    status = backend.launch(descriptor, prepared.kernels[k], checked);
  }
  // Freed whatever happened; the first error is the one reported.
  std::string error = status ? lastError : std::string();
  for (void *pointer : temporaries)
    if (attnStatus released = backend.release(checked.device, pointer);
        released && !status) {
      status = released;
      error = lastError;
    }
  if (status)
    return fail(status, error);
  return ATTN_SUCCESS;
}

attnStatus attnLaunch(const attnKernel *constKernel,
                      const DLTensor *const *arguments, int32_t numArguments) {
  if (!constKernel)
    return fail(ATTN_ERROR_NULL_POINTER, "attnLaunch: null kernel");
  // The handle is the runtime's own object; only its cache changes.
  attnKernel *kernel = const_cast<attnKernel *>(constKernel);
  const attnKernelDescriptor &descriptor = *kernel->descriptor;
  CheckedArguments checked;
  if (attnStatus status = checkArguments(descriptor, arguments, numArguments,
                                         /*inputsOnly=*/false, checked))
    return status;
  // The checks found a backend and an image for this device.
  DeviceBackend *backend = findBackend(checked.device.device_type);
  if (!backend)
    return fail(ATTN_ERROR_DEVICE, std::string(descriptor.function) +
                                       ": no backend for " +
                                       deviceName(checked.device));
  PreparedImage prepared;
  {
    std::lock_guard<std::mutex> lock(kernel->mutex);
    auto key = std::make_pair(int32_t(checked.device.device_type),
                              int32_t(checked.device.device_id));
    auto it = kernel->prepared.find(key);
    if (it != kernel->prepared.end()) {
      prepared = it->second;
    } else {
      // The first image of the device's type that the device loads (a
      // descriptor may hold one per GPU architecture).
      attnStatus status = ATTN_ERROR_DEVICE;
      std::string errors;
      for (int32_t n = 0; n < descriptor.numImages && !prepared.image; ++n) {
        if (descriptor.images[n].deviceType != checked.device.device_type)
          continue;
        status = prepareImage(*backend, descriptor.images[n], checked.device,
                              prepared);
        if (status != ATTN_SUCCESS) {
          errors += (errors.empty() ? "" : "; ") + std::string(lastError);
          prepared = PreparedImage();
        }
      }
      if (!prepared.image)
        return fail(status, errors.empty() ? std::string(descriptor.function) +
                                                 ": no code for " +
                                                 deviceName(checked.device)
                                           : errors);
      kernel->prepared.emplace(key, prepared);
    }
  }
  if (attnStatus status =
          prepared.image->numSteps
              ? launchSteps(*backend, descriptor, prepared, checked)
              : backend->launch(descriptor, prepared.kernels.front(), checked))
    return status;
  return succeed();
}

attnStatus attnGetOutputShape(const attnKernel *kernel,
                              const DLTensor *const *inputs, int32_t numInputs,
                              int32_t output, int64_t *shape) {
  if (!kernel)
    return fail(ATTN_ERROR_NULL_POINTER, "attnGetOutputShape: null kernel");
  const attnKernelDescriptor &descriptor = *kernel->descriptor;
  if (output < 0 || output >= descriptor.numOutputs)
    return fail(ATTN_ERROR_INVALID_VALUE,
                std::string(descriptor.function) + ": output " +
                    std::to_string(output) + " does not exist (it has " +
                    std::to_string(descriptor.numOutputs) + " outputs)");
  const attnArgumentSpec &spec =
      descriptor.arguments[descriptor.numInputs + output];
  if (!shape && spec.rank > 0)
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnGetOutputShape: the shape out-pointer is null");
  CheckedArguments checked;
  if (attnStatus status = checkArguments(descriptor, inputs, numInputs,
                                         /*inputsOnly=*/true, checked))
    return status;
  int32_t argument = descriptor.numInputs + output;
  for (int32_t d = 0; d < spec.rank; ++d) {
    int64_t size = spec.staticSizes[d];
    for (int32_t c = 0; c < descriptor.numConstraints && size < 0; ++c) {
      const attnConstraint &constraint = descriptor.constraints[c];
      if (constraint.kind == ATTN_CONSTRAINT_DIM_EQUALS &&
          constraint.argument == argument && constraint.dim == d)
        size = checked.symbols[constraint.symbol];
    }
    if (size < 0)
      return fail(ATTN_ERROR_INVALID_VALUE,
                  std::string(descriptor.function) + ": dimension " +
                      std::to_string(d) + " of output '" + spec.name +
                      "' does not follow from the inputs");
    shape[d] = size;
  }
  return succeed();
}

attnStatus attnGetDeviceCount(DLDeviceType type, int32_t *count) {
  if (!count)
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnGetDeviceCount: the count out-pointer is null");
  *count = 0;
  DeviceBackend *backend = findBackend(type);
  if (!backend)
    return fail(ATTN_ERROR_UNSUPPORTED,
                "attnGetDeviceCount: this build of "
                "attnrt has no backend for " +
                    deviceTypeName(type) +
                    " devices (it has: CPU, CUDA, ROCm)");
  if (attnStatus status = backend->deviceCount(*count))
    return status;
  return succeed();
}

attnStatus attnGetDeviceName(DLDevice device, char *name, int32_t size) {
  if (!name || size <= 0)
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnGetDeviceName: null name buffer or size <= 0");
  name[0] = '\0';
  DeviceBackend *backend = findBackend(device.device_type);
  if (!backend)
    return fail(ATTN_ERROR_UNSUPPORTED,
                "attnGetDeviceName: no backend for " + deviceName(device));
  std::string text;
  if (attnStatus status = backend->describe(device, text))
    return status;
  size_t length = std::min<size_t>(text.size(), size_t(size) - 1);
  text.copy(name, length);
  name[length] = '\0';
  return succeed();
}

/// The backend of `device` for the memory functions, or an error.
static attnStatus memoryBackend(const char *caller, DLDevice device,
                                DeviceBackend *&backend) {
  backend = findBackend(device.device_type);
  if (!backend)
    return fail(ATTN_ERROR_UNSUPPORTED,
                std::string(caller) + ": no backend for " + deviceName(device));
  return ATTN_SUCCESS;
}

attnStatus attnDeviceAlloc(DLDevice device, uint64_t bytes, void **pointer) {
  if (!pointer)
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnDeviceAlloc: the pointer out-pointer is null");
  *pointer = nullptr;
  DeviceBackend *backend;
  if (attnStatus status = memoryBackend("attnDeviceAlloc", device, backend))
    return status;
  if (attnStatus status = backend->allocate(device, bytes, *pointer))
    return status;
  return succeed();
}

attnStatus attnDeviceFree(DLDevice device, void *pointer) {
  if (!pointer)
    return succeed(); // As free(NULL).
  DeviceBackend *backend;
  if (attnStatus status = memoryBackend("attnDeviceFree", device, backend))
    return status;
  if (attnStatus status = backend->release(device, pointer))
    return status;
  return succeed();
}

attnStatus attnCopyToDevice(DLDevice device, void *destination,
                            const void *source, uint64_t bytes) {
  if (bytes && (!destination || !source))
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnCopyToDevice: null destination or source");
  DeviceBackend *backend;
  if (attnStatus status = memoryBackend("attnCopyToDevice", device, backend))
    return status;
  if (bytes)
    if (attnStatus status = backend->copyIn(device, destination, source, bytes))
      return status;
  return succeed();
}

attnStatus attnCopyFromDevice(DLDevice device, void *destination,
                              const void *source, uint64_t bytes) {
  if (bytes && (!destination || !source))
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnCopyFromDevice: null destination or source");
  DeviceBackend *backend;
  if (attnStatus status = memoryBackend("attnCopyFromDevice", device, backend))
    return status;
  if (bytes)
    if (attnStatus status =
            backend->copyOut(device, destination, source, bytes))
      return status;
  return succeed();
}

attnStatus attnSetNumThreads(int32_t threads) {
  if (threads < 0)
    return fail(ATTN_ERROR_INVALID_VALUE,
                "attnSetNumThreads: the thread count must be >= 0 (0 for the "
                "default), got " +
                    std::to_string(threads));
  if (attnStatus status = setCpuThreads(threads))
    return status;
  return succeed();
}

attnStatus attnGetNumThreads(int32_t *threads) {
  if (!threads)
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnGetNumThreads: the out-pointer is null");
  *threads = getCpuThreads();
  return succeed();
}

} // extern "C"
