//===- EmulatedRunner.cpp - Run a spec's GPU kernel on the emulator -------===//
//
// The function goes through the NVIDIA or AMD kernel pipeline (the very
// kernels the GPU gets), attn-emulate-gpu-kernels and the host conversions,
// and is
// compiled by the JIT with the emulator's runtime functions bound. A run
// lays the arguments out in host memory in the kernel's element types,
// launches the grid the GPU launcher would - (ceil(Sq G / query_tile),
// key/value heads, B) blocks of `threads` - and reads the results back.
//
//===----------------------------------------------------------------------===//

#include "attn/Targets/EmulatedRunner.h"

#include "ElementCoding.h"
#include "FunctionModule.h"

#include "attn/Dialect/Attn.h"
#include "attn/Emulator/Simt.h"
#include "attn/Passes.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/TargetSelect.h"

#include <cstdlib>
#include <cstring>

using namespace mlir;
using namespace mlir::attn;
using reference::Tensor;

EmulatedGpuKernel::~EmulatedGpuKernel() = default;

FailureOr<std::unique_ptr<EmulatedGpuKernel>>
EmulatedGpuKernel::compile(func::FuncOp func, StringRef chip,
                           StringRef debugFault) {
  MLIRContext *context = func.getContext();
  FailureOr<GpuTarget> gpu = lookupGpuChip(func, chip);
  if (failed(gpu))
    return failure();
  bool amd = gpu->vendor == "AMD";

  OwningOpRef<ModuleOp> copy = cloneFunctionModule(func);

  std::unique_ptr<EmulatedGpuKernel> kernel(new EmulatedGpuKernel());
  kernel->argumentTypes.assign(func.getArgumentTypes().begin(),
                               func.getArgumentTypes().end());
  kernel->resultTypes.assign(func.getResultTypes().begin(),
                             func.getResultTypes().end());

  kernel->warpSize = gpu->warpSize;
  PassManager kernels(context);
  if (amd) {
    AmdPipelineOptions options;
    options.chip = chip.str();
    options.debugFault = debugFault.str();
    buildAmdKernelPipeline(kernels, options);
  } else {
    NvidiaPipelineOptions options;
    options.chip = chip.str();
    options.debugFault = debugFault.str();
    buildNvidiaKernelPipeline(kernels, options);
  }
  kernels.addPass(createAttnEmulateGpuKernels());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  if (failed(kernels.run(*copy)))
    return failure();
  FailureOr<SmallVector<ResultShape>> shapes =
      deriveResultShapes(func, gpu->vendor);
  if (failed(shapes))
    return failure();
  kernel->resultShapes = std::move(*shapes);
  // The steps' temporaries: the buffers past the arguments and results.
  SmallVector<Value> temporaries(gpuStepBuffers(func));
  temporaries.erase(temporaries.begin(), temporaries.begin() +
                                             func.getNumArguments() +
                                             func.getNumResults());
  for (Value temporary : temporaries)
    kernel->temporaryTypes.push_back(temporary.getType());
  FailureOr<SmallVector<ResultShape>> temporaryShapes =
      deriveValueShapes(func, temporaries, gpu->vendor);
  if (failed(temporaryShapes))
    return failure();
  kernel->temporaryShapes = std::move(*temporaryShapes);
  unsigned count = gpuStepCount(func);
  for (unsigned n = 0; n < count; ++n) {
    EmulatedGpuKernel::Step step;
    step.name = count == 1 ? func.getSymName().str()
                           : gpuStepKernelName(func.getSymName(), n);
    auto host = copy->lookupSymbol<func::FuncOp>(step.name);
    auto launch = host ? host->getAttrOfType<DictionaryAttr>("attn.launch")
                       : DictionaryAttr();
    if (!launch)
      return func.emitError("the ")
             << gpu->vendor << " pipeline made no kernel '" << step.name
             << "' of @" << func.getSymName();
    auto get = [&](StringRef key) {
      auto value = launch.getAs<IntegerAttr>(key);
      return value ? value.getInt() : int64_t(0);
    };
    // B and Sq of the grid come from this buffer's dimensions 0 and 2.
    if (!launch.getAs<IntegerAttr>("query_argument"))
      return func.emitError("the ") << gpu->vendor << " pipeline's kernel '"
                                    << step.name << "' names no query argument";
    step.queryArgument = get("query_argument");
    step.threads = get("threads");
    step.queryTile = get("query_tile");
    step.group = std::max<int64_t>(1, get("group"));
    step.kvHeads = get("kv_heads");
    step.sharedBytes = get("shared_bytes");
    if (auto sites = host->getAttrOfType<ArrayAttr>("attn.emu.sites"))
      for (auto site : sites.getAsValueRange<StringAttr>())
        step.sites.push_back(site.str());
    kernel->steps.push_back(std::move(step));
  }

  PassManager lowering(context);
  buildHostConversionPipeline(lowering);
  if (failed(lowering.run(*copy)))
    return failure();

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);
  ExecutionEngineOptions engineOptions;
  // -O1: the emulated kernels are large and compiled once per run; their
  // time goes to the runtime's collectives, not to the kernel's own code.
  auto transformer = makeOptimizingTransformer(1, 0, nullptr);
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Less;
  auto engine = ExecutionEngine::create(*copy, engineOptions);
  if (!engine)
    return func.emitError()
           << "JIT compilation failed: " << llvm::toString(engine.takeError());
  kernel->engine = std::move(*engine);
  kernel->engine->registerSymbols([](llvm::orc::MangleAndInterner mangle) {
    llvm::orc::SymbolMap symbols;
    for (auto [name, address] : ::attn::emu::runtimeSymbols())
      symbols[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                               llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  const Step &first = kernel->steps.front();
  if (count == 1) {
    kernel->target = chip.str() + " kernel on the SIMT emulator (" +
                     std::to_string(first.threads) + " threads per block, " +
                     std::to_string(first.sharedBytes) +
                     " bytes of shared memory)";
  } else {
    std::string shared;
    for (auto [n, step] : llvm::enumerate(kernel->steps))
      shared += (n == 0           ? ""
                 : n + 1 == count ? " and "
                                  : ", ") +
                std::to_string(step.sharedBytes);
    kernel->target = chip.str() + " kernels on the SIMT emulator, " +
                     std::to_string(count) + " steps (" +
                     std::to_string(first.threads) + " threads per block; " +
                     shared + " bytes of shared memory)";
  }
  return kernel;
}

namespace {

/// One argument in host memory: its bytes, and the memref descriptor (or
/// the scalar) the kernel's packed entry reads.
struct HostArgument {
  attnElementType type = ATTN_ELEMENT_F32;
  std::vector<int64_t> shape;
  std::unique_ptr<char, decltype(&std::free)> data{nullptr, &std::free};
  int64_t bytes = 0;
  std::vector<int64_t> descriptor;
  void *descriptorPointer = nullptr;
  union {
    float f32;
    double f64;
    int64_t i64;
    int32_t i32;
  } scalar{};
  bool isScalar = false;

  bool allocate(std::string &error) {
    int64_t count = 1;
    for (int64_t size : shape)
      count *= size;
    bytes = std::max<int64_t>(count * mlir::attn::bytesOf(type), 1);
    // 64-byte aligned, as device allocations are: cp.async reads 16 bytes
    // at a time.
    data.reset(
        static_cast<char *>(std::aligned_alloc(64, (bytes + 63) / 64 * 64)));
    if (!data) {
      error =
          "no host memory for a " + std::to_string(bytes) + "-byte argument";
      return false;
    }
    auto address = reinterpret_cast<int64_t>(data.get());
    descriptor = {address, address, 0};
    descriptor.insert(descriptor.end(), shape.begin(), shape.end());
    std::vector<int64_t> strides(shape.size(), 1);
    for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * shape[d + 1];
    descriptor.insert(descriptor.end(), strides.begin(), strides.end());
    descriptorPointer = descriptor.data();
    return true;
  }
  void *packed() {
    return isScalar ? static_cast<void *>(&scalar)
                    : static_cast<void *>(&descriptorPointer);
  }
};

} // namespace

FailureOr<std::vector<Tensor>>
EmulatedGpuKernel::run(ArrayRef<Tensor> arguments, std::string &error) {
  size_t inputs = argumentTypes.size();
  if (arguments.size() != inputs) {
    error = "expected " + std::to_string(inputs) + " arguments";
    return failure();
  }
  std::vector<HostArgument> host(inputs + resultTypes.size() +
                                 temporaryTypes.size());
  for (size_t n = 0; n < inputs; ++n) {
    HostArgument &argument = host[n];
    const Tensor &t = arguments[n];
    auto tensor = llvm::dyn_cast<RankedTensorType>(argumentTypes[n]);
    Type element = tensor ? tensor.getElementType() : argumentTypes[n];
    std::optional<attnElementType> kind = runtimeElementType(element);
    if (!kind) {
      error = "argument " + std::to_string(n) +
              " has a type the emulated "
              "kernel cannot take";
      return failure();
    }
    argument.type = *kind;
    if (!tensor) {
      argument.isScalar = true;
      double value = t.data.empty() ? 0.0 : t.data.front();
      if (element.isF32())
        argument.scalar.f32 = float(value);
      else if (element.isF64())
        argument.scalar.f64 = value;
      else if (element.isInteger(32))
        argument.scalar.i32 = int32_t(value);
      else
        argument.scalar.i64 = int64_t(value);
      continue;
    }
    argument.shape = t.shape;
    if (!argument.allocate(error))
      return failure();
    encode(t.data, argument.type, argument.data.get());
  }
  // Results and temporaries, sized from the arguments' shapes: NaN until a
  // kernel writes them, but for block statistics, which start at 0 as the
  // GPU runtime sets them before the kernel's atomic maxima.
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor &t : arguments)
    shapes.push_back(t.shape);
  auto allocateOutput = [&](HostArgument &buffer, Type type,
                            const ResultShape &shape) {
    auto tensor = llvm::cast<RankedTensorType>(type);
    buffer.type = *runtimeElementType(tensor.getElementType());
    buffer.shape = computeResultShape(shape, tensor, shapes);
    if (!buffer.allocate(error))
      return false;
    std::memset(buffer.data.get(), shape.queryBlock ? 0 : 0xFF, buffer.bytes);
    return true;
  };
  for (auto [r, type] : llvm::enumerate(resultTypes))
    if (!allocateOutput(host[inputs + r], type, resultShapes[r]))
      return failure();
  for (auto [t, type] : llvm::enumerate(temporaryTypes))
    if (!allocateOutput(host[inputs + resultTypes.size() + t], type,
                        temporaryShapes[t]))
      return failure();

  for (const Step &step : steps) {
    auto entry = engine->lookupPacked("_mlir_ciface_" + step.name);
    if (!entry) {
      error = llvm::toString(entry.takeError());
      return failure();
    }
    ::attn::emu::Launch launch;
    launch.entry = *entry;
    for (HostArgument &argument : host)
      launch.arguments.push_back(argument.packed());
    const std::vector<int64_t> &query = host[step.queryArgument].shape;
    int64_t rows = query[2] * step.group;
    launch.grid[0] = (rows + step.queryTile - 1) / step.queryTile;
    launch.grid[1] = step.kvHeads;
    launch.grid[2] = query[0];
    launch.threadsPerBlock = int32_t(step.threads);
    launch.warpSize = int32_t(warpSize);
    launch.sharedBytes = step.sharedBytes;
    launch.sites = step.sites;
    if (const char *workers = std::getenv("ATTN_EMU_THREADS"))
      launch.workers = unsigned(std::max(1, std::atoi(workers)));
    std::string fault = ::attn::emu::run(launch);
    if (!fault.empty()) {
      error = "the emulator found a fault in the kernel" +
              (steps.size() > 1 ? " '" + step.name + "'" : std::string()) +
              ": " + fault;
      return failure();
    }
  }

  std::vector<Tensor> results;
  for (size_t r = 0; r < resultTypes.size(); ++r) {
    HostArgument &result = host[inputs + r];
    Tensor tensor(result.shape);
    int64_t size = mlir::attn::bytesOf(result.type);
    for (size_t e = 0; e < tensor.data.size(); ++e)
      tensor.data[e] = decode(result.data.get() + e * size, result.type);
    results.push_back(std::move(tensor));
  }
  return results;
}
