//===- GpuRunner.cpp - Run a spec function on a GPU -----------------------===//
//
// The function goes through the NVIDIA pipeline to PTX, or the AMD pipeline
// to an HSACO; a kernel descriptor is built in memory (the arguments'
// element types, ranks and static sizes, and one CUDA or ROCm image with
// the code and the launch sizes) and registered with attnrt, which loads it
// on the GPU and checks every launch's arguments as it checks an
// attn-compile artifact's.
//
//===----------------------------------------------------------------------===//

#include "attn/Targets/GpuRunner.h"

#include "ElementCoding.h"
#include "FunctionModule.h"

#include "attn/Dialect/Attn.h"
#include "attn/Passes.h"
#include "attn/Targets/ResultShapes.h"
#include "attn/runtime.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>

using namespace mlir;
using namespace mlir::attn;
using reference::Tensor;

namespace {

/// The first GPU of `vendor`.
DLDevice firstDevice(StringRef vendor) {
  return DLDevice{vendor == "AMD" ? kDLROCM : kDLCUDA, 0};
}

/// A buffer on the GPU, freed with the object.
struct DeviceBuffer {
  DLDevice device{};
  void *data = nullptr;
  std::vector<int64_t> shape;
  attnElementType type = ATTN_ELEMENT_F32;
  int64_t bytes = 0;
  DLTensor tensor{};
  ~DeviceBuffer() {
    if (data)
      attnDeviceFree(device, data);
  }
};

} // namespace

struct GpuKernel::Descriptor {
  std::string name, function, ptx, binary, chip;
  std::vector<std::string> argumentNames, roles;
  std::vector<std::vector<int64_t>> staticSizes;
  std::vector<attnArgumentSpec> arguments;
  /// A function of several ops: its steps and their temporaries.
  std::vector<std::string> stepNames, temporaryNames;
  std::vector<attnGpuStep> steps;
  std::vector<std::vector<int64_t>> temporarySizes;
  std::vector<attnTemporarySpec> temporaries;
  attnKernelImage image{};
  attnKernelDescriptor descriptor{};
  const attnKernel *kernel = nullptr;
};

GpuKernel::~GpuKernel() = default;

bool GpuKernel::findDevice(StringRef vendor, std::string &chip,
                           std::string &name, std::string &why) {
  DLDevice gpu = firstDevice(vendor);
  int32_t count = 0;
  if (attnGetDeviceCount(DLDeviceType(gpu.device_type), &count) !=
          ATTN_SUCCESS ||
      count == 0) {
    why = attnGetLastError();
    return false;
  }
  char text[256];
  if (attnGetDeviceName(gpu, text, sizeof(text)) != ATTN_SUCCESS) {
    why = attnGetLastError();
    return false;
  }
  name = text;
  chip.clear();
  if (vendor == "AMD")
    return true;
  // "NVIDIA H200 (sm_90)": the chip in parentheses at the end.
  size_t open = name.rfind("(sm_");
  chip = open == std::string::npos
             ? "sm_80"
             : name.substr(open + 1, name.size() - open - 2);
  return true;
}

FailureOr<std::unique_ptr<GpuKernel>> GpuKernel::compile(func::FuncOp func,
                                                         StringRef chip) {
  MLIRContext *context = func.getContext();
  FailureOr<GpuTarget> gpu = lookupGpuChip(func, chip);
  if (failed(gpu))
    return failure();
  bool amd = gpu->vendor == "AMD";

  OwningOpRef<ModuleOp> copy = cloneFunctionModule(func);

  std::unique_ptr<GpuKernel> kernel(new GpuKernel());
  kernel->device = firstDevice(gpu->vendor);
  kernel->descriptor = std::make_unique<Descriptor>();
  Descriptor &d = *kernel->descriptor;
  PassManager kernels(context), codegen(context);
  if (amd) {
    AmdPipelineOptions options;
    options.chip = chip.str();
    options.format = "bin";
    options.toolkit = findRocmToolkit();
    if (options.toolkit.empty())
      return func.emitError(
          "no ROCm toolkit folder for the HSACO (amdgcn/bitcode and "
          "llvm/bin/ld.lld): set ROCM_PATH");
    buildAmdKernelPipeline(kernels, options);
    buildAmdCodegenPipeline(codegen, options);
  } else {
    NvidiaPipelineOptions options;
    options.chip = chip.str();
    options.toolkit = findCudaToolkit();
    buildNvidiaKernelPipeline(kernels, options);
    buildNvidiaCodegenPipeline(codegen, options);
  }
  if (failed(kernels.run(*copy)))
    return failure();
  // The function's kernel, or one per op run in turn (its steps).
  llvm::StringMap<DictionaryAttr> launches;
  copy->walk([&](gpu::GPUFuncOp f) {
    if (auto launch = f->getAttrOfType<DictionaryAttr>("attn.launch"))
      launches[f.getName()] = launch;
  });
  std::vector<std::string> kernelNames;
  if (unsigned count = gpuStepCount(func); count > 1)
    for (unsigned n = 0; n < count; ++n)
      kernelNames.push_back(gpuStepKernelName(func.getSymName(), n));
  else
    kernelNames.push_back(func.getSymName().str());
  for (const std::string &name : kernelNames)
    if (!launches.lookup(name))
      return func.emitError("the ")
             << gpu->vendor << " pipeline made no kernel '" << name << "' of @"
             << func.getSymName();
  DictionaryAttr launch = launches.lookup(kernelNames.front());
  if (failed(codegen.run(*copy)))
    return failure();
  std::string code;
  copy->walk([&](gpu::BinaryOp binary) {
    for (Attribute attribute : binary.getObjects())
      if (auto object = llvm::dyn_cast<gpu::ObjectAttr>(attribute))
        code = object.getObject().getValue().str();
  });
  if (code.empty())
    return func.emitError("the ") << gpu->vendor << " pipeline produced no "
                                  << (amd ? "HSACO" : "PTX");
  if (amd) {
    d.binary = std::move(code);
  } else {
    d.ptx = std::move(code);
    if (std::string why = findUnlinkedLibdevice(d.ptx); !why.empty())
      return func.emitError(why);
  }

  // The descriptor: arguments, then results; no symbols or constraints
  // (attn-run derives every shape from the spec itself).
  static std::atomic<int> serial{0};
  d.function = func.getSymName().str();
  d.name = "attn-run." + d.function + "." + std::to_string(serial++);
  d.chip = chip.str();
  SmallVector<Type> types(func.getArgumentTypes());
  kernel->argumentTypes.assign(types.begin(), types.end());
  kernel->resultTypes.assign(func.getResultTypes().begin(),
                             func.getResultTypes().end());
  types.append(kernel->resultTypes.begin(), kernel->resultTypes.end());
  // An attention's kernel (or a merge's, which has no attention).
  AttentionOp attention;
  func.walk([&](AttentionOp op) { attention = op; });
  FailureOr<SmallVector<ResultShape>> shapes =
      deriveResultShapes(func, gpu->vendor);
  if (failed(shapes))
    return failure();
  kernel->resultShapes = std::move(*shapes);
  // B and Sq of the grid come from this argument's dimensions 0 and 2.
  auto queryArgument = launch.getAs<IntegerAttr>("query_argument");
  if (!queryArgument)
    return func.emitError("the ")
           << gpu->vendor << " pipeline's kernel of @" << func.getSymName()
           << " names no query argument";
  kernel->queryArgument = queryArgument.getInt();
  d.argumentNames.reserve(types.size());
  d.staticSizes.reserve(types.size());
  for (auto [n, type] : llvm::enumerate(types)) {
    bool output = n >= func.getNumArguments();
    auto tensor = llvm::dyn_cast<RankedTensorType>(type);
    Type element = tensor ? tensor.getElementType() : type;
    std::optional<attnElementType> kind = runtimeElementType(element);
    if (!kind)
      return func.emitError("argument type ")
             << type << " has no runtime element type";
    d.argumentNames.push_back(
        output ? "result" + std::to_string(n - func.getNumArguments())
               : "arg" + std::to_string(n));
    // Block statistics: the runtime zeroes them before the kernel's
    // atomic maxima.
    bool blockMax =
        output && attention && attention.getBlockMax() &&
        llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator())
                .getOperand(n - func.getNumArguments()) ==
            attention.getBlockMax();
    d.roles.push_back(blockMax                     ? "block_max"
                      : output                     ? "output"
                      : n == kernel->queryArgument ? "query"
                                                   : "input");
    d.staticSizes.emplace_back(
        tensor ? std::vector<int64_t>(tensor.getShape().begin(),
                                      tensor.getShape().end())
               : std::vector<int64_t>());
    for (int64_t &size : d.staticSizes.back())
      if (ShapedType::isDynamic(size))
        size = -1;
  }
  for (size_t n = 0; n < types.size(); ++n) {
    attnArgumentSpec spec{};
    spec.name = d.argumentNames[n].c_str();
    spec.role = d.roles[n].c_str();
    spec.isOutput = n >= func.getNumArguments();
    auto tensor = llvm::dyn_cast<RankedTensorType>(types[n]);
    spec.elementType =
        *runtimeElementType(tensor ? tensor.getElementType() : types[n]);
    spec.rank = int32_t(d.staticSizes[n].size());
    spec.staticSizes = d.staticSizes[n].data();
    spec.alignment = bytesOf(spec.elementType);
    d.arguments.push_back(spec);
  }
  auto launchOf = [&](DictionaryAttr launch) {
    auto get = [&](StringRef name) {
      auto value = launch.getAs<IntegerAttr>(name);
      return value ? int32_t(value.getInt()) : 0;
    };
    return attnGpuLaunch{get("threads"),        get("shared_bytes"),
                         get("query_argument"), get("group"),
                         get("query_tile"),     get("kv_heads")};
  };
  d.image.deviceType = kernel->device.device_type;
  d.image.target = d.chip.c_str();
  if (amd) {
    d.image.cubin = reinterpret_cast<const unsigned char *>(d.binary.data());
    d.image.cubinSize = d.binary.size();
  } else {
    d.image.ptx = d.ptx.c_str();
  }
  if (kernelNames.size() == 1) {
    d.image.entryName = d.function.c_str();
    d.image.launch = launchOf(launch);
  } else {
    // The steps, and the temporaries attnrt allocates between them.
    d.stepNames = std::move(kernelNames);
    for (const std::string &name : d.stepNames)
      d.steps.push_back({name.c_str(), launchOf(launches.lookup(name))});
    d.image.numSteps = int32_t(d.steps.size());
    d.image.steps = d.steps.data();
    FailureOr<SmallVector<GpuTemporary>> temporaries =
        deriveGpuTemporaries(func, gpu->vendor);
    if (failed(temporaries))
      return failure();
    for (auto [n, temporary] : llvm::enumerate(*temporaries)) {
      d.temporaryNames.push_back("temporary" + std::to_string(n));
      std::vector<int64_t> &sizes = d.temporarySizes.emplace_back();
      for (int64_t size : temporary.type.getShape())
        sizes.push_back(ShapedType::isDynamic(size) ? -1 : size);
    }
    for (auto [n, temporary] : llvm::enumerate(*temporaries)) {
      std::optional<attnElementType> kind =
          runtimeElementType(temporary.type.getElementType());
      if (!kind)
        return func.emitError("temporary type ")
               << temporary.type << " has no runtime element type";
      d.temporaries.push_back({d.temporaryNames[n].c_str(), *kind,
                               int32_t(d.temporarySizes[n].size()),
                               d.temporarySizes[n].data(),
                               int32_t(temporary.shapeArgument)});
    }
    d.descriptor.numTemporaries = int32_t(d.temporaries.size());
    d.descriptor.temporaries = d.temporaries.data();
  }
  d.descriptor.abiVersion = ATTN_KERNEL_ABI_VERSION;
  d.descriptor.name = d.name.c_str();
  d.descriptor.function = d.function.c_str();
  d.descriptor.source = "attn-run";
  d.descriptor.numInputs = int32_t(func.getNumArguments());
  d.descriptor.numOutputs = int32_t(func.getNumResults());
  d.descriptor.arguments = d.arguments.data();
  d.descriptor.numImages = 1;
  d.descriptor.images = &d.image;
  if (attnRegisterKernel(&d.descriptor, &d.kernel) != ATTN_SUCCESS)
    return func.emitError("attnrt rejects the kernel: ") << attnGetLastError();
  kernel->target = d.chip + (amd ? " (HSACO, " : " (PTX, ") +
                   std::to_string(d.image.launch.sharedBytes) +
                   " bytes of shared memory per block)";
  return kernel;
}

FailureOr<std::vector<Tensor>>
GpuKernel::run(ArrayRef<Tensor> arguments, int benchRuns, double &milliseconds,
               double &benchMilliseconds, std::string &error) {
  Descriptor &d = *descriptor;
  size_t inputs = argumentTypes.size();
  if (arguments.size() != inputs) {
    error = "expected " + std::to_string(inputs) + " arguments";
    return failure();
  }
  std::vector<std::unique_ptr<DeviceBuffer>> buffers;
  auto allocate = [&](size_t n, std::vector<int64_t> shape) -> DeviceBuffer * {
    auto buffer = std::make_unique<DeviceBuffer>();
    buffer->device = device;
    buffer->type = d.arguments[n].elementType;
    buffer->shape = std::move(shape);
    int64_t count = 1;
    for (int64_t s : buffer->shape)
      count *= s;
    buffer->bytes = count * bytesOf(buffer->type);
    if (attnDeviceAlloc(device, buffer->bytes, &buffer->data) != ATTN_SUCCESS) {
      error = attnGetLastError();
      return nullptr;
    }
    buffer->tensor.data = buffer->data;
    buffer->tensor.device = device;
    buffer->tensor.ndim = int32_t(buffer->shape.size());
    buffer->tensor.dtype = dtypeOf(buffer->type);
    buffer->tensor.shape = buffer->shape.data();
    buffers.push_back(std::move(buffer));
    return buffers.back().get();
  };
  for (size_t n = 0; n < inputs; ++n) {
    const Tensor &t = arguments[n];
    bool scalar = !llvm::isa<RankedTensorType>(argumentTypes[n]);
    DeviceBuffer *buffer =
        allocate(n, scalar ? std::vector<int64_t>() : t.shape);
    if (!buffer)
      return failure();
    std::vector<char> bytes(buffer->bytes);
    encode(scalar ? ArrayRef<double>(t.data.front()) : ArrayRef<double>(t.data),
           buffer->type, bytes.data());
    if (attnCopyToDevice(device, buffer->data, bytes.data(), bytes.size()) !=
        ATTN_SUCCESS) {
      error = attnGetLastError();
      return failure();
    }
  }
  // Results, sized from the arguments' shapes.
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor &t : arguments)
    shapes.push_back(t.shape);
  for (auto [r, type] : llvm::enumerate(resultTypes)) {
    std::vector<int64_t> shape = computeResultShape(
        resultShapes[r], llvm::cast<RankedTensorType>(type), shapes);
    DeviceBuffer *buffer = allocate(inputs + r, shape);
    if (!buffer)
      return failure();
  }
  std::vector<const DLTensor *> pointers;
  for (auto &buffer : buffers)
    pointers.push_back(&buffer->tensor);
  auto launch = [&](double &ms) {
    auto start = std::chrono::steady_clock::now();
    if (attnLaunch(d.kernel, pointers.data(), int32_t(pointers.size())) !=
        ATTN_SUCCESS) {
      error = attnGetLastError();
      return false;
    }
    ms = std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
             .count();
    return true;
  };
  // The first launch loads the module (the driver compiles the PTX).
  double ignored;
  if (!launch(ignored) || !launch(milliseconds))
    return failure();
  std::vector<Tensor> results;
  for (size_t r = 0; r < resultTypes.size(); ++r) {
    DeviceBuffer &buffer = *buffers[inputs + r];
    std::vector<char> bytes(buffer.bytes);
    if (attnCopyFromDevice(device, bytes.data(), buffer.data, buffer.bytes) !=
        ATTN_SUCCESS) {
      error = attnGetLastError();
      return failure();
    }
    Tensor tensor(buffer.shape);
    int64_t size = bytesOf(buffer.type);
    for (size_t e = 0; e < tensor.data.size(); ++e)
      tensor.data[e] = decode(bytes.data() + e * size, buffer.type);
    results.push_back(std::move(tensor));
  }
  std::vector<double> times;
  for (int n = 0; n < benchRuns; ++n) {
    double ms;
    if (!launch(ms))
      return failure();
    times.push_back(ms);
  }
  if (!times.empty()) {
    std::sort(times.begin(), times.end());
    benchMilliseconds = times[times.size() / 2];
  }
  return results;
}
