//===- RuntimeInternal.h - attnrt internals -------------------*- C++ -*-===//
//
// What the runtime's parts share: the calling thread's error message, the
// checked form of a launch's arguments, and the interface each device
// backend implements (the CPU; CUDA and HIP load their driver libraries at
// run time and join behind it, so shared code never names a vendor).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_RUNTIMEINTERNAL_H
#define ATTN_RUNTIME_RUNTIMEINTERNAL_H

#include "attn/runtime.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace attn::runtime {

/// Records `message` as the calling thread's last error; returns `status`.
attnStatus fail(attnStatus status, std::string message);

/// Clears the calling thread's last error (a call that succeeds).
attnStatus succeed();

/// "CPU", "CUDA", ... for messages.
std::string deviceTypeName(int32_t deviceType);

/// "CPU:0", "CUDA:1".
std::string deviceName(DLDevice device);

/// Arguments that passed every check, as a backend needs them.
struct CheckedArguments {
  DLDevice device;
  /// The first element of each argument (data + byte_offset).
  std::vector<char *> data;
  /// Each argument's sizes (empty for a scalar).
  std::vector<std::vector<int64_t>> sizes;
  /// The value of each symbol; -1 where no argument gave one.
  std::vector<int64_t> symbols;
  /// Whether a GPU launch clears the block statistics it writes first:
  /// before a function's first step only, so later steps keep its values.
  bool clearBlockStatistics = true;
};

/// Buffer `n` of a launch: argument n, or past the arguments (inputs and
/// outputs) a temporary of the GPU steps. Its rank (0 for a scalar) and its
/// name for messages.
int32_t bufferRank(const attnKernelDescriptor &descriptor, size_t n);
const char *bufferName(const attnKernelDescriptor &descriptor, size_t n);

/// Checks `numArguments` arguments against `descriptor` (all of them, or
/// only the inputs when `inputsOnly`) and fills `checked`. On failure sets
/// the thread's error naming the argument and returns its status.
attnStatus checkArguments(const attnKernelDescriptor &descriptor,
                          const DLTensor *const *arguments,
                          int32_t numArguments, bool inputsOnly,
                          CheckedArguments &checked);

/// Checks that `descriptor` is well formed (indices in range, known element
/// types, a supported ABI version), so the checks above can trust it.
attnStatus validateDescriptor(const attnKernelDescriptor *descriptor);

/// One kind of device. A backend prepares a kernel image for a device once
/// (a GPU backend loads its module there; the runtime caches the result per
/// kernel and device) and launches prepared kernels.
class DeviceBackend {
public:
  virtual ~DeviceBackend() = default;

  virtual int32_t deviceType() const = 0;
  /// Devices of this type the backend can use now.
  virtual attnStatus deviceCount(int32_t &count) = 0;
  /// Prepares `image` for `device`; `prepared` is handed back to launch().
  virtual attnStatus prepare(const attnKernelImage &image, DLDevice device,
                             void *&prepared) = 0;
  /// Runs a prepared kernel on checked arguments.
  virtual attnStatus launch(const attnKernelDescriptor &descriptor,
                            void *prepared,
                            const CheckedArguments &arguments) = 0;
  /// What the device is, for people.
  virtual attnStatus describe(DLDevice device, std::string &name) = 0;
  /// Device memory (synchronous copies).
  virtual attnStatus allocate(DLDevice device, uint64_t bytes,
                              void *&pointer) = 0;
  virtual attnStatus release(DLDevice device, void *pointer) = 0;
  virtual attnStatus copyIn(DLDevice device, void *destination,
                            const void *source, uint64_t bytes) = 0;
  virtual attnStatus copyOut(DLDevice device, void *destination,
                             const void *source, uint64_t bytes) = 0;
};

/// Each tensor argument's memref descriptor ({allocated, aligned, offset,
/// sizes[rank], strides[rank]}, compact row-major strides) as 64-bit words,
/// one after another; `offsets[n]` is where argument n's begins (scalars
/// take no words).
std::vector<int64_t> buildMemrefDescriptors(const attnKernelDescriptor &d,
                                            const CheckedArguments &arguments,
                                            std::vector<size_t> &offsets);

/// A GPU launch as the driver APIs take it: one parameter per word of each
/// tensor's memref descriptor and per scalar, the grid (ceil(Sq G /
/// rowsPerBlock), key/value heads, B), and the outputs to clear first.
struct GpuLaunchPlan {
  std::vector<int64_t> memrefs, scalars;
  std::vector<void *> parameters;
  unsigned grid[3] = {0, 0, 0};
  /// Nothing to compute: the outputs are empty.
  bool empty = false;
  /// Outputs to set to 0 before the kernel (block statistics, which the
  /// kernel's blocks raise with atomic maxima): device address and bytes.
  std::vector<std::pair<char *, uint64_t>> zeroFirst;
};

/// Plans the launch of `descriptor` with `launch`'s sizes on checked
/// arguments; scalars live on the device and are read with `readScalar`
/// (destination, device source, bytes, what for the message). `api` names
/// the driver API in the grid-limit message ("CUDA", "HIP").
attnStatus
planGpuLaunch(const attnKernelDescriptor &descriptor,
              const attnGpuLaunch &launch, const CheckedArguments &arguments,
              const std::string &where, const char *api,
              const std::function<attnStatus(void *, const void *, uint64_t,
                                             const std::string &)> &readScalar,
              GpuLaunchPlan &plan);

/// The backend for `deviceType` in this build, or null.
DeviceBackend *findBackend(int32_t deviceType);

/// The CPU backend (runtime/cpu).
DeviceBackend &getCpuBackend();

/// The CUDA backend (runtime/cuda): the driver library loaded at run time.
DeviceBackend &getCudaBackend();

/// The HIP backend (runtime/hip): the HIP runtime library loaded at run
/// time.
DeviceBackend &getHipBackend();

/// Threads for CPU kernels: 0 is the default (see attnSetNumThreads).
attnStatus setCpuThreads(int32_t threads);
int32_t getCpuThreads();

} // namespace attn::runtime

#endif // ATTN_RUNTIME_RUNTIMEINTERNAL_H
