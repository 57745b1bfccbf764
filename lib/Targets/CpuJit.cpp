//===- CpuJit.cpp - Spec functions compiled for this CPU ------------------===//
//
// The kernel ABI is the one attn-tile-attention gives every spec function:
// `void f(memref inputs..., memref outputs...)` with a C interface, each
// memref passed as a pointer to its descriptor {allocated, aligned, offset,
// sizes[rank], strides[rank]}. Outputs are filled with NaN before the call,
// so an element the kernel fails to write cannot pass a check.
//
//===----------------------------------------------------------------------===//

#include "attn/Targets/CpuJit.h"

#include "attn/Dialect/Attn.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#include <cmath>
#include <cstring>
#include <mutex>

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::reference::Tensor;

/// What kernels compiled with recordTiles report, from any thread.
static std::mutex recordMutex;
static std::vector<CpuJitKernel::TileRecord> records;

extern "C" void attnCpuJitRecordTile(int64_t batch, int64_t kvHead,
                                     int64_t queryTile, int64_t keyTile,
                                     int64_t status) {
  std::lock_guard<std::mutex> lock(recordMutex);
  records.push_back({batch, kvHead, queryTile, keyTile, status});
}

std::vector<CpuJitKernel::TileRecord> CpuJitKernel::takeTileRecords() {
  std::lock_guard<std::mutex> lock(recordMutex);
  return std::exchange(records, {});
}

/// The vector features of this CPU that matter to the kernels.
static std::string describeHost() {
  std::string text = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string used;
  for (const char *feature : {"avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                              "avx512bf16", "avx512fp16"})
    if (features.lookup(feature))
      used += std::string(used.empty() ? "" : " ") + feature;
  return text + " (" + (used.empty() ? std::string("no AVX2") : used) + ")";
}

FailureOr<std::unique_ptr<CpuJitKernel>>
CpuJitKernel::compile(func::FuncOp func, const CpuPipelineOptions &options) {
  std::unique_ptr<CpuJitKernel> kernel(new CpuJitKernel());
  kernel->name = func.getSymName().str();
  kernel->argumentTypes.assign(func.getArgumentTypes().begin(),
                               func.getArgumentTypes().end());
  kernel->resultTypes.assign(func.getResultTypes().begin(),
                             func.getResultTypes().end());
  OwningOpRef<ModuleOp> module(
      llvm::cast<ModuleOp>(func->getParentOp()->clone()));
  // Only this function: the others may use what the backend lacks.
  for (func::FuncOp other :
       llvm::make_early_inc_range(module->getOps<func::FuncOp>()))
    if (other.getSymName() != kernel->name)
      other.erase();
  PassManager pm(module->getContext());
  buildCpuPipeline(pm, options);
  if (failed(pm.run(*module)))
    return failure();
  // Result sizes, as functions of the argument shapes.
  FailureOr<SmallVector<ResultShape>> shapes = deriveResultShapes(func, "CPU");
  if (failed(shapes))
    return failure();
  kernel->resultShapeSource = std::move(*shapes);

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*module->getContext());
  registerLLVMDialectTranslation(*module->getContext());
  registerOpenMPDialectTranslation(*module->getContext());
  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(3, 0, nullptr);
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // The OpenMP runtime the threaded loop calls into.
  SmallVector<StringRef> libraries = {ATTN_OPENMP_LIBRARY};
  engineOptions.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine)
    return func.emitError()
           << "JIT compilation failed: " << llvm::toString(engine.takeError());
  kernel->engine = std::move(*engine);
  if (options.recordTiles)
    kernel->engine->registerSymbols([](llvm::orc::MangleAndInterner mangle) {
      llvm::orc::SymbolMap symbols;
      symbols[mangle("attn_record_tile")] = {
          llvm::orc::ExecutorAddr::fromPtr(&attnCpuJitRecordTile),
          llvm::JITSymbolFlags::Exported};
      return symbols;
    });
  kernel->target = describeHost();
  return kernel;
}

namespace {

/// One buffer in the element type the kernel reads, with its descriptor.
class Buffer {
public:
  Buffer(Type elementType, ArrayRef<int64_t> shape) : elementType(elementType) {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    width = std::max<unsigned>(1, elementType.getIntOrFloatBitWidth() / 8);
    if (elementType.isIndex())
      width = 8;
    storage.assign(count * width + 64, 0);
    descriptor.push_back(reinterpret_cast<int64_t>(data()));
    descriptor.push_back(reinterpret_cast<int64_t>(data()));
    descriptor.push_back(0);
    for (int64_t d : shape)
      descriptor.push_back(d);
    int64_t stride = 1;
    std::vector<int64_t> strides(shape.size());
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      strides[d] = stride;
      stride *= shape[d];
    }
    descriptor.insert(descriptor.end(), strides.begin(), strides.end());
  }

  char *data() {
    // 64-byte aligned start inside the storage.
    uintptr_t at = reinterpret_cast<uintptr_t>(storage.data());
    return storage.data() + ((64 - at % 64) % 64);
  }
  void *descriptorPointer() { return descriptor.data(); }
  /// Frees the storage; the buffer must not be read or written again.
  void release() { std::vector<char>().swap(storage); }

  void write(int64_t n, double value) {
    char *at = data() + n * width;
    if (elementType.isF32()) {
      float f = static_cast<float>(value);
      std::memcpy(at, &f, 4);
    } else if (elementType.isF64()) {
      std::memcpy(at, &value, 8);
    } else if (elementType.isF16() || elementType.isBF16()) {
      llvm::APFloat f(value);
      bool lost;
      f.convert(elementType.isF16() ? llvm::APFloat::IEEEhalf()
                                    : llvm::APFloat::BFloat(),
                llvm::APFloat::rmNearestTiesToEven, &lost);
      uint16_t bits = f.bitcastToAPInt().getZExtValue();
      std::memcpy(at, &bits, 2);
    } else {
      int64_t v = static_cast<int64_t>(value);
      std::memcpy(at, &v, width); // little-endian: the low bytes
    }
  }

  double read(int64_t n) {
    char *at = data() + n * width;
    if (elementType.isF32()) {
      float f;
      std::memcpy(&f, at, 4);
      return f;
    }
    if (elementType.isF64()) {
      double d;
      std::memcpy(&d, at, 8);
      return d;
    }
    if (elementType.isF16() || elementType.isBF16()) {
      uint16_t bits;
      std::memcpy(&bits, at, 2);
      return llvm::APFloat(elementType.isF16() ? llvm::APFloat::IEEEhalf()
                                               : llvm::APFloat::BFloat(),
                           llvm::APInt(16, bits))
          .convertToDouble();
    }
    int64_t v = 0;
    std::memcpy(&v, at, width);
    return static_cast<double>(v);
  }

private:
  Type elementType;
  unsigned width;
  std::vector<char> storage;
  std::vector<int64_t> descriptor;
};

} // namespace

/// What a prepared call holds: the buffers, the packed argument list that
/// points into them, and the entry point.
struct CpuJitKernel::Call::State {
  std::vector<std::unique_ptr<Buffer>> buffers;
  std::vector<double> scalars;
  std::vector<float> floatScalars;
  std::vector<int64_t> intScalars;
  std::vector<void *> pointers, packed;
  /// Per argument its buffer (null for a scalar or once released).
  std::vector<Buffer *> arguments;
  std::vector<Buffer *> outputs;
  std::vector<std::vector<int64_t>> resultShapes;
  void (*entry)(void **) = nullptr;
  bool released = false;
};

CpuJitKernel::Call::Call() : state(std::make_unique<State>()) {}
CpuJitKernel::Call::Call(Call &&) = default;
CpuJitKernel::Call &CpuJitKernel::Call::operator=(Call &&) = default;
CpuJitKernel::Call::~Call() = default;

FailureOr<CpuJitKernel::Call>
CpuJitKernel::allocate(ArrayRef<std::vector<int64_t>> shapes,
                       std::string &error) {
  if (shapes.size() != argumentTypes.size()) {
    error = "expected " + std::to_string(argumentTypes.size()) +
            " arguments, got " + std::to_string(shapes.size());
    return failure();
  }
  Call call;
  Call::State &state = *call.state;
  size_t count = argumentTypes.size();
  state.scalars.resize(count);
  state.floatScalars.resize(count);
  state.intScalars.resize(count);
  state.arguments.resize(count);
  state.pointers.reserve(count + resultTypes.size());
  for (auto [n, type] : llvm::enumerate(argumentTypes)) {
    auto tensorType = llvm::dyn_cast<RankedTensorType>(type);
    if (!tensorType) {
      state.pointers.push_back(nullptr); // Scalars are passed by value, below.
      continue;
    }
    if (static_cast<int64_t>(shapes[n].size()) != tensorType.getRank()) {
      error = "argument " + std::to_string(n) + " has rank " +
              std::to_string(shapes[n].size()) + ", the kernel expects " +
              std::to_string(tensorType.getRank());
      return failure();
    }
    state.buffers.push_back(
        std::make_unique<Buffer>(tensorType.getElementType(), shapes[n]));
    state.arguments[n] = state.buffers.back().get();
    state.pointers.push_back(state.buffers.back()->descriptorPointer());
  }
  for (auto [n, type] : llvm::enumerate(resultTypes)) {
    auto tensorType = llvm::cast<RankedTensorType>(type);
    std::vector<int64_t> shape =
        computeResultShape(resultShapeSource[n], tensorType, shapes);
    state.buffers.push_back(
        std::make_unique<Buffer>(tensorType.getElementType(), shape));
    int64_t elements = 1;
    for (int64_t d : shape)
      elements *= d;
    for (int64_t k = 0; k < elements; ++k)
      state.buffers.back()->write(k, NAN);
    state.outputs.push_back(state.buffers.back().get());
    state.pointers.push_back(state.buffers.back()->descriptorPointer());
    state.resultShapes.push_back(std::move(shape));
  }
  // Scalars: a float capture is passed as f32, an integer as i64.
  for (size_t n = 0; n < state.pointers.size(); ++n) {
    if (state.pointers[n]) {
      state.packed.push_back(&state.pointers[n]);
      continue;
    }
    Type type = argumentTypes[n];
    state.packed.push_back(
        type.isF32()   ? static_cast<void *>(&state.floatScalars[n])
        : type.isF64() ? static_cast<void *>(&state.scalars[n])
                       : &state.intScalars[n]);
  }
  auto entry = engine->lookupPacked("_mlir_ciface_" + name);
  if (!entry) {
    error = llvm::toString(entry.takeError());
    return failure();
  }
  state.entry = *entry;
  return call;
}

void CpuJitKernel::write(Call &call, unsigned argument, int64_t offset,
                         ArrayRef<double> values) const {
  Call::State &state = *call.state;
  assert(argument < argumentTypes.size() && "no such argument");
  if (Buffer *buffer = state.arguments[argument]) {
    for (auto [k, value] : llvm::enumerate(values))
      buffer->write(offset + k, value);
    return;
  }
  assert(offset == 0 && values.size() == 1 && "a scalar is one value");
  state.scalars[argument] = values.front();
  state.floatScalars[argument] = static_cast<float>(values.front());
  state.intScalars[argument] = static_cast<int64_t>(values.front());
}

void CpuJitKernel::releaseArguments(Call &call) const {
  for (Buffer *&buffer : call.state->arguments)
    if (buffer) {
      buffer->release();
      buffer = nullptr;
    }
  call.state->released = true;
}

FailureOr<CpuJitKernel::Call> CpuJitKernel::prepare(ArrayRef<Tensor> arguments,
                                                    std::string &error) {
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor &t : arguments)
    shapes.push_back(t.shape);
  FailureOr<Call> call = allocate(shapes, error);
  if (failed(call))
    return failure();
  for (auto [n, t] : llvm::enumerate(arguments)) {
    if (t.data.empty())
      continue;
    if (!llvm::isa<RankedTensorType>(argumentTypes[n]))
      write(*call, n, 0, t.data.front());
    else
      write(*call, n, 0, t.data);
  }
  return call;
}

void CpuJitKernel::launch(Call &call) {
  assert(!call.state->released && "launching a call whose inputs are gone");
  call.state->entry(call.state->packed.data());
}

std::vector<Tensor> CpuJitKernel::read(const Call &call) const {
  std::vector<Tensor> results;
  for (auto [shape, buffer] :
       llvm::zip(call.state->resultShapes, call.state->outputs)) {
    Tensor result(shape);
    for (int64_t k = 0; k < result.numElements(); ++k)
      result.data[k] = buffer->read(k);
    results.push_back(std::move(result));
  }
  return results;
}

FailureOr<std::vector<Tensor>> CpuJitKernel::run(ArrayRef<Tensor> arguments,
                                                 std::string &error) {
  FailureOr<Call> call = prepare(arguments, error);
  if (failed(call))
    return failure();
  launch(*call);
  return read(*call);
}
