//===- attn-run.cpp - Run an attn spec on generated or given inputs -------===//
//
// attn-run SPEC.mlir --func NAME --shape B=..,SQ=..,SKV=.. --dtype f16
//     --seed N --reference [--json] [--inputs DIR] [--save DIR]
//     [--expect DIR [--tolerance T]] [--target=cpu [--check] [--bench N]]
//
// Binds the function's dynamic sizes, generates inputs that fit each
// argument's role (or reads them from .npy files), evaluates the function
// with the reference oracle and prints a summary of every result, optionally
// compared with results stored as .npy files. Backends
// (--target) join the reference as they land.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"
#include "attn/Reference/Oracle.h"
#include "attn/Support/Inputs.h"
#include "attn/Support/Npy.h"
#include "attn/Support/TileMap.h"
#include "attn/Targets/CpuJit.h"
#include "attn/Targets/EmulatedRunner.h"
#include "attn/Targets/GpuRunner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <set>

#include <sys/resource.h>

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::reference::ElementKind;
using mlir::attn::reference::Tensor;

namespace cl = llvm::cl;

static cl::OptionCategory category("attn-run options");
static cl::opt<std::string> specFile(cl::Positional, cl::desc("<spec.mlir>"),
                                     cl::Required, cl::cat(category));
static cl::opt<std::string>
    funcName("func",
             cl::desc("Function of the spec to run (default: the only "
                      "one)"),
             cl::value_desc("name"), cl::cat(category));
static cl::list<std::string> shapeSpecs(
    "shape",
    cl::desc("Sizes of the dynamic dimensions: B=..,SQ=..,SKV=..,K=.. (index "
             "lists), argN=AxBx.. (a whole argument); give it several times "
             "to run the one compiled kernel at each size in turn"),
    cl::value_desc("list"), cl::cat(category));
static cl::opt<std::string>
    dtypeName("dtype",
              cl::desc("Element type of the query/key/value tensors: f32, f16 "
                       "or bf16 (default: the spec's)"),
              cl::cat(category));
static cl::opt<int64_t> headDimOption(
    "head-dim",
    cl::desc("Run the function with this head dimension (D and Dv) instead "
             "of the spec's"),
    cl::value_desc("D"), cl::init(0), cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the generated inputs"),
                              cl::init(0), cl::cat(category));
static cl::opt<bool>
    useReference("reference",
                 cl::desc("Evaluate with the reference oracle (the same as "
                          "--target=reference, the default)"),
                 cl::cat(category));
static cl::opt<std::string>
    targetName("target",
               cl::desc("Where to run: reference (the oracle), cpu (compile "
                        "for this CPU and run), sm_80, sm_90, gfx90a or "
                        "gfx942 (compile for an NVIDIA or AMD GPU of that "
                        "kind and run on this machine's), sm_80-emu, "
                        "sm_90-emu, gfx90a-emu or "
                        "gfx942-emu (that NVIDIA or AMD GPU kernel on the "
                        "SIMT emulator, on the CPU), auto (the NVIDIA "
                        "GPU where there is one, else the CPU)"),
               cl::init("reference"), cl::cat(category));
static cl::opt<std::string> debugFault(
    "debug-fault",
    cl::desc(
        "With an -emu target: plant the GPU kernel mapping's fault of this "
        "name (lane-mapping, no-barrier, shared-off-by-one), to show "
        "the emulator catches it"),
    cl::Hidden, cl::cat(category));
static cl::opt<bool> checkResults(
    "check",
    cl::desc("Compare the target's results with the oracle; the tolerance is "
             "twice the error of a straightforward implementation in the "
             "input type, plus a small floor"),
    cl::cat(category));
static cl::opt<bool> jsonOutput(
    "json",
    cl::desc("Print one JSON object on stdout (with several --shape, one "
             "per line: JSON Lines)"),
    cl::cat(category));
static cl::opt<std::string>
    inputsDir("inputs",
              cl::desc("Read the arguments from DIR/<name>.npy (the "
                       "argument's attn.name, else argN.npy)"),
              cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string>
    saveDir("save", cl::desc("Write the inputs and every result as .npy files"),
            cl::value_desc("dir"), cl::cat(category));

static cl::opt<std::string> expectDir(
    "expect",
    cl::desc("Compare every result with DIR/resultN.npy (from --save, or any "
             "other tool) and fail beyond --tolerance"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<double> tolerance(
    "tolerance",
    cl::desc("Largest |result - expected| / (1 + |expected|) that --expect "
             "accepts"),
    cl::init(1e-9), cl::cat(category));

static cl::opt<unsigned> benchRuns(
    "bench",
    cl::desc("With --target=cpu: launch the kernel N times after a warm-up "
             "and report the median time and the FLOP rate, counting "
             "2 * (D + Dv) FLOPs per kept (query, key) pair"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));

static cl::opt<bool> tileMapOption(
    "tile-map",
    cl::desc("With --target=cpu: report which (query tile, key tile) pairs the "
             "kernel visits ('.' skipped, '+' partial: masks evaluated per "
             "element, '#' full), compare them with the tiles that hold kept "
             "pairs per the oracle, and fail if the kernel skips a non-empty "
             "tile or calls a tile full that is not"),
    cl::cat(category));
static cl::opt<std::string> tileMapSvg(
    "tile-map-svg",
    cl::desc("With --tile-map: also draw the map of --tile-map-of as SVG"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    tileMapOf("tile-map-of",
              cl::desc("The batch entry and key/value head whose map "
                       "--tile-map prints (default 0,0)"),
              cl::value_desc("b,kvh"), cl::init("0,0"), cl::cat(category));

/// The absolute floor added to --check's tolerance.
static constexpr double kToleranceFloor = 1e-5;

/// --check's verdict on one run.
struct CheckResult {
  /// Query rows the oracle evaluated, when it sampled them (0: all).
  int64_t sampledRows = 0;
  double maxError, tolerance, baselineError;
  std::string dtype;
  bool passed;
};

/// Rows past which --check samples rows instead of evaluating them all.
static constexpr int64_t kExactCheckRows = 4096;
static constexpr int64_t kSampledRows = 512;

/// Largest |a - b| over all results; a NaN or infinity where the other side
/// differs counts as infinite. Elements the oracle (`b`) did not evaluate
/// (NaN in a sampled check) are skipped.
static double maxAbsDifference(const std::vector<Tensor> &a,
                               const std::vector<Tensor> &b,
                               bool skipUnevaluated = false) {
  double worst = 0.0;
  for (auto [x, y] : llvm::zip(a, b))
    for (auto [u, v] : llvm::zip(x.data, y.data)) {
      if (u == v || (std::isnan(u) && std::isnan(v)) ||
          (skipUnevaluated && std::isnan(v)))
        continue;
      double d = std::fabs(u - v);
      worst = std::max(worst, std::isfinite(d) ? d : INFINITY);
    }
  return worst;
}

/// Compares `results` with the oracle. The tolerance follows FlashAttention's
/// rule: twice the error a straightforward implementation in the query's
/// element type makes (computed here, with the oracle rounding what such an
/// implementation stores), plus a small absolute floor.
static FailureOr<CheckResult>
checkAgainstOracle(func::FuncOp func, ArrayRef<Tensor> arguments,
                   const std::vector<Tensor> &results) {
  CheckResult check;
  // Large problems: the oracle evaluates a seeded sample of query rows (of a
  // function that is one attn.attention, whose rows are independent).
  reference::EvaluationOptions exactOptions;
  auto &ops = func.getBody().front().getOperations();
  auto attention = llvm::dyn_cast<AttentionOp>(ops.front());
  int64_t rows = 1;
  if (attention && ops.size() == 2) {
    auto q = llvm::cast<BlockArgument>(attention.getQuery());
    for (int64_t d = 0; d < 3; ++d)
      rows *= arguments[q.getArgNumber()].dim(d);
  }
  if (rows > kExactCheckRows) {
    const Tensor &q = arguments[llvm::cast<BlockArgument>(attention.getQuery())
                                    .getArgNumber()];
    auto sampled = std::make_shared<std::set<int64_t>>();
    std::mt19937_64 pick(seed + 1);
    while (static_cast<int64_t>(sampled->size()) < kSampledRows)
      sampled->insert(static_cast<int64_t>(pick() % rows));
    int64_t heads = q.dim(1), length = q.dim(2);
    exactOptions.includeRow = [sampled, heads, length](int64_t b, int64_t h,
                                                       int64_t i) {
      return sampled->count((b * heads + h) * length + i) != 0;
    };
    check.sampledRows = kSampledRows;
  }
  FailureOr<std::vector<Tensor>> exact =
      reference::evaluateFunction(func, arguments, exactOptions);
  if (failed(exact))
    return failure();
  Type element = dataElementType(func);
  if (!element)
    element = Float32Type::get(func.getContext());
  reference::EvaluationOptions narrow = exactOptions;
  narrow.roundIntermediate = element.isF16()    ? roundToF16
                             : element.isBF16() ? roundToBF16
                                                : roundToF32;
  FailureOr<std::vector<Tensor>> baseline =
      reference::evaluateFunction(func, arguments, narrow);
  if (failed(baseline))
    return failure();
  llvm::raw_string_ostream(check.dtype) << element;
  bool sampled = check.sampledRows != 0;
  check.baselineError = maxAbsDifference(*baseline, *exact, sampled);
  check.tolerance = 2.0 * check.baselineError + kToleranceFloor;
  check.maxError = maxAbsDifference(results, *exact, sampled);
  check.passed = check.maxError <= check.tolerance;
  return check;
}

/// --bench: launches of one prepared call (the argument conversion is not
/// timed), and the work counted from the masks by the oracle.
struct BenchResult {
  unsigned runs = 0;
  double medianMs = 0, minMs = 0, gflops = 0;
  int64_t keptPairs = 0;
};

/// One warm-up launch of `call`, then `runs` timed ones; the call's results
/// are what the last one computed, so --check and the summary judge the
/// timed code.
static FailureOr<BenchResult>
benchmark(CpuJitKernel &kernel, CpuJitKernel::Call &call, func::FuncOp func,
          ArrayRef<Tensor> arguments, unsigned runs, std::string &error) {
  FailureOr<std::vector<reference::AttentionWork>> work =
      reference::countKeptPairs(func, arguments);
  if (failed(work)) {
    error = "counting the kept pairs failed";
    return failure();
  }
  BenchResult bench;
  bench.runs = runs;
  double flops = 0.0;
  for (const reference::AttentionWork &op : *work) {
    bench.keptPairs += op.keptPairs;
    flops += op.flops();
  }
  kernel.launch(call);
  std::vector<double> times;
  for (unsigned n = 0; n < runs; ++n) {
    auto start = std::chrono::steady_clock::now();
    kernel.launch(call);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  bench.minMs = times.front();
  bench.medianMs =
      runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
  bench.gflops = bench.medianMs > 0 ? flops / (bench.medianMs * 1e6) : 0.0;
  return bench;
}

/// The largest resident set this process has had, in bytes.
static int64_t peakResidentBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  return static_cast<int64_t>(usage.ru_maxrss) * 1024; // Linux: KiB
}

/// Bytes of a tensor of `shape` in the element type of `type`.
static int64_t bytesOf(Type type, ArrayRef<int64_t> shape) {
  Type element = type;
  if (auto tensor = llvm::dyn_cast<RankedTensorType>(type))
    element = tensor.getElementType();
  int64_t bytes =
      element.isIndex() ? 8 : std::max(1u, element.getIntOrFloatBitWidth() / 8);
  for (int64_t d : shape)
    bytes *= d;
  return bytes;
}

/// Most elements attn-run will hold in one run (about 2 GiB of doubles).
static constexpr int64_t kMaxElements = int64_t(1) << 28;

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "attn-run") << message << "\n";
  return 1;
}

/// Parses --shape into named sizes and per-argument overrides.
static LogicalResult
parseShapes(StringRef text, DimBindings &dims,
            std::map<unsigned, std::vector<int64_t>> &overrides,
            std::string &error) {
  SmallVector<StringRef> entries;
  text.split(entries, ',', -1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    auto [key, value] = entry.split('=');
    key = key.trim();
    value = value.trim();
    if (value.empty()) {
      error = ("--shape entry '" + entry + "' is not NAME=VALUE").str();
      return failure();
    }
    if (key.starts_with("arg")) {
      unsigned index;
      if (key.drop_front(3).getAsInteger(10, index)) {
        error = ("--shape: bad argument name '" + key + "'").str();
        return failure();
      }
      SmallVector<StringRef> sizes;
      value.split(sizes, 'x');
      std::vector<int64_t> shape;
      for (StringRef size : sizes) {
        int64_t n;
        if (size.getAsInteger(10, n) || n < 0 || n > kMaxElements) {
          error = ("--shape " + key + ": bad size '" + size + "'").str();
          return failure();
        }
        shape.push_back(n);
      }
      overrides[index] = shape;
      continue;
    }
    if (key != "B" && key != "SQ" && key != "SKV" && key != "K") {
      error = ("--shape: unknown dimension '" + key +
               "' (known: B, SQ, SKV, K, argN)")
                  .str();
      return failure();
    }
    int64_t n;
    if (value.getAsInteger(10, n) || n < 1 || n > kMaxElements) {
      error = ("--shape " + key + ": '" + value + "' is not a positive integer")
                  .str();
      return failure();
    }
    dims[key.str()] = n;
  }
  return success();
}

/// The .npy element type for a tensor of `elementType`.
static NpyType npyTypeFor(Type elementType) {
  if (elementType.isF16())
    return NpyType::F16;
  if (elementType.isF64())
    return NpyType::F64;
  if (auto integer = llvm::dyn_cast<IntegerType>(elementType))
    return integer.getWidth() <= 8    ? NpyType::I8
           : integer.getWidth() <= 32 ? NpyType::I32
                                      : NpyType::I64;
  if (elementType.isIndex())
    return NpyType::I64;
  return NpyType::F32; // f32, and bf16 (exact in f32; NumPy has no bf16).
}

static Type elementTypeOf(Type type) {
  if (auto tensor = llvm::dyn_cast<RankedTensorType>(type))
    return tensor.getElementType();
  return type;
}

/// Names of the results: the attn op result they come from, else resultN.
static std::vector<std::string> resultNames(func::FuncOp func) {
  std::vector<std::string> names;
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [n, value] : llvm::enumerate(ret.getOperands())) {
    std::string name = "result" + std::to_string(n);
    if (auto result = llvm::dyn_cast<OpResult>(value)) {
      if (auto attention = llvm::dyn_cast<AttentionOp>(result.getOwner())) {
        if (value == attention.getOutput())
          name += " (output)";
        else if (value == attention.getLse())
          name += " (lse)";
        else
          name += " (block_max)";
      }
    }
    names.push_back(name);
  }
  return names;
}

struct Statistics {
  double min = INFINITY, max = -INFINITY, mean = 0, rms = 0;
  int64_t nan = 0, inf = 0;
};

static Statistics statistics(const Tensor &t) {
  Statistics s;
  int64_t finite = 0;
  for (double x : t.data) {
    if (std::isnan(x)) {
      ++s.nan;
      continue;
    }
    if (std::isinf(x))
      ++s.inf;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
    if (std::isfinite(x)) {
      s.mean += x;
      s.rms += x * x;
      ++finite;
    }
  }
  if (finite) {
    s.mean /= finite;
    s.rms = std::sqrt(s.rms / finite);
  }
  return s;
}

static llvm::json::Value jsonNumber(double x) {
  if (std::isfinite(x))
    return x;
  return nullptr;
}

static llvm::json::Array jsonShape(ArrayRef<int64_t> shape) {
  llvm::json::Array out;
  for (int64_t d : shape)
    out.push_back(d);
  return out;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "attn-run: run a function of an attn spec and summarise its results\n");

  // --target=auto: this machine's NVIDIA GPU where it has one, else the CPU.
  std::string gpuName;
  if (targetName == "auto") {
    std::string chip, why;
    if (GpuKernel::findDevice("NVIDIA", chip, gpuName, why)) {
      targetName = chip;
    } else {
      llvm::errs() << "attn-run: --target=auto: no NVIDIA GPU (" << why
                   << "); running on the CPU\n";
      targetName = "cpu";
    }
  }
  bool amdTarget = targetName == "gfx90a" || targetName == "gfx942";
  bool gpuTarget = targetName == "sm_80" || targetName == "sm_90" || amdTarget;
  if (gpuTarget && gpuName.empty()) {
    std::string chip, why;
    StringRef vendor = amdTarget ? "AMD" : "NVIDIA";
    if (!GpuKernel::findDevice(vendor, chip, gpuName, why))
      return fail("--target=" + targetName + ": this machine has no " +
                  vendor.str() + " GPU to run on: " + why);
  }
  bool emulatedTarget = llvm::is_contained(
      {"sm_80-emu", "sm_90-emu", "gfx90a-emu", "gfx942-emu"}, targetName);
  if (targetName != "reference" && targetName != "cpu" && !gpuTarget &&
      !emulatedTarget)
    return fail("--target must be reference, cpu, sm_80, sm_90, gfx90a, "
                "gfx942, sm_80-emu, sm_90-emu, gfx90a-emu, gfx942-emu or auto, "
                "got '" +
                targetName + "'");
  if (!debugFault.empty() && !emulatedTarget)
    return fail("--debug-fault plants a fault for the emulator; give "
                "--target=sm_80-emu, sm_90-emu, gfx90a-emu or gfx942-emu");
  if (useReference && targetName != "reference")
    return fail("--reference and --target=" + targetName + " disagree");
  if (checkResults && targetName == "reference")
    return fail("--check compares a target with the oracle; give "
                "--target=cpu (or sm_80, sm_90, auto)");
  if (benchRuns.getNumOccurrences() && targetName == "reference")
    return fail("--bench times a compiled kernel; give --target=cpu (or "
                "sm_80, sm_90, auto)");
  if (benchRuns.getNumOccurrences() && emulatedTarget)
    return fail("--bench times a kernel on its hardware; the emulator's "
                "time says nothing about the GPU's");
  if (benchRuns.getNumOccurrences() && benchRuns == 0)
    return fail("--bench needs at least one run");
  if (tileMapOption && targetName != "cpu")
    return fail("--tile-map shows a compiled kernel's tiles; give "
                "--target=cpu");
  if (!tileMapSvg.empty() && !tileMapOption)
    return fail("--tile-map-svg draws the map of --tile-map; give both");
  int64_t mapBatch = 0, mapHead = 0;
  {
    auto [first, second] = StringRef(tileMapOf).split(',');
    if (first.trim().getAsInteger(10, mapBatch) ||
        second.trim().getAsInteger(10, mapHead) || mapBatch < 0 || mapHead < 0)
      return fail("--tile-map-of must be B,KVH (two indices), got '" +
                  tileMapOf + "'");
  }

  // Every --shape is parsed before anything runs, so a malformed last one
  // fails at once.
  struct Sizes {
    DimBindings dims;
    std::map<unsigned, std::vector<int64_t>> overrides;
  };
  std::vector<Sizes> sizes;
  for (StringRef spec :
       shapeSpecs.empty()
           ? std::vector<std::string>{""}
           : std::vector<std::string>(shapeSpecs.begin(), shapeSpecs.end())) {
    Sizes &next = sizes.emplace_back();
    std::string shapeError;
    if (failed(parseShapes(spec, next.dims, next.overrides, shapeError)))
      return fail(shapeError);
    next.dims.try_emplace("B", 1);
    next.dims.try_emplace("SQ", 64);
    next.dims.try_emplace("SKV", next.dims["SQ"]);
  }
  if (sizes.size() > 1) {
    StringRef single = !inputsDir.empty()    ? "--inputs (the files decide "
                                               "the sizes)"
                       : !saveDir.empty()    ? "--save"
                       : !expectDir.empty()  ? "--expect"
                       : !tileMapSvg.empty() ? "--tile-map-svg"
                                             : "";
    if (!single.empty())
      return fail("--shape is given " + llvm::Twine(sizes.size()) +
                  " times, but " + single +
                  " takes one size; give one --shape");
  }

  MLIRContext context;
  context.printOpOnDiagnostic(false);
  context.loadDialect<AttnDialect, func::FuncDialect, arith::ArithDialect,
                      math::MathDialect, tensor::TensorDialect>();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string includeError;
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(specFile);
  if (!buffer)
    return fail("cannot read spec '" + specFile +
                "': " + buffer.getError().message());
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // The parser reported where.

  SmallVector<func::FuncOp> functions(module->getOps<func::FuncOp>());
  func::FuncOp func;
  if (!funcName.empty()) {
    func = module->lookupSymbol<func::FuncOp>(funcName);
    if (!func) {
      std::string names;
      for (func::FuncOp f : functions)
        names += " @" + f.getSymName().str();
      return fail("no function @" + funcName + " in " + specFile +
                  " (it has:" + names + ")");
    }
  } else if (functions.size() == 1) {
    func = functions.front();
  } else {
    std::string names;
    for (func::FuncOp f : functions)
      names += " @" + f.getSymName().str();
    return fail(specFile + " has " + llvm::Twine(functions.size()) +
                " functions; choose one with --func (" +
                (names.empty() ? std::string(" none") : names) + " )");
  }
  if (func.isExternal())
    return fail("@" + func.getSymName() + " has no body to evaluate");

  // --dtype: retype the query's element type throughout the function.
  if (!dtypeName.empty()) {
    Type to = llvm::StringSwitch<Type>(dtypeName)
                  .Case("f32", Float32Type::get(&context))
                  .Case("f16", Float16Type::get(&context))
                  .Case("bf16", BFloat16Type::get(&context))
                  .Default(Type());
    if (!to)
      return fail("--dtype must be f32, f16 or bf16, got '" + dtypeName + "'");
    Type from = dataElementType(func);
    if (from && from != to) {
      retypeFunction(func, from, to);
      if (failed(verify(func)))
        return fail("--dtype " + dtypeName + ": @" + func.getSymName() +
                    " does not verify with " + dtypeName + " tensors");
    }
  }

  // --head-dim: D and Dv of every attention.
  if (headDimOption.getNumOccurrences()) {
    if (headDimOption < 1 || headDimOption > 1024)
      return fail("--head-dim must be between 1 and 1024, got " +
                  llvm::Twine(headDimOption));
    if (failed(setHeadDim(func, headDimOption)))
      return fail("--head-dim: @" + func.getSymName() +
                  " holds ops other than attn.attention and attn.merge "
                  "(linear attention), whose sizes --head-dim does not "
                  "change");
    if (failed(verify(func)))
      return fail("--head-dim " + llvm::Twine(headDimOption) + ": @" +
                  func.getSymName() + " does not verify with it (see above)");
  }

  // The kernel is compiled once, at the first size, and run at each.
  double compileMilliseconds = 0.0;
  std::unique_ptr<CpuJitKernel> kernel;
  CpuPipelineOptions options;
  options.recordTiles = tileMapOption;
  std::unique_ptr<EmulatedGpuKernel> emulatedKernel;
  std::unique_ptr<GpuKernel> gpuKernel;
  bool firstSizes = true;
  auto runAt = [&](DimBindings &dims,
                   std::map<unsigned, std::vector<int64_t>> &overrides) -> int {
    FailureOr<std::vector<ArgumentPlan>> plans =
        planArguments(func, dims, overrides,
                      /*allowUnresolved=*/!inputsDir.empty());
    if (failed(plans))
      return 1;
    int64_t total = 0;
    for (const ArgumentPlan &plan : *plans) {
      int64_t n = 1;
      for (int64_t d : plan.shape)
        n = std::min(n * std::max<int64_t>(d, 1), kMaxElements + 1);
      total += n;
    }
    if (total > kMaxElements)
      return fail("the inputs would hold more than " +
                  llvm::Twine(kMaxElements) +
                  " elements; choose smaller --shape sizes");

    // --target=cpu on generated inputs with nothing to compare or save: the
    // query, key and value go straight into the kernel's buffers, so the run
    // holds them once, in their own element type (the oracle needs a
    // double-precision copy; --check and --save keep one).
    bool streamInputs = targetName == "cpu" && inputsDir.empty() &&
                        !checkResults && saveDir.empty() && !tileMapOption;
    auto elapsed = [](auto start) {
      return std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now() - start)
          .count();
    };
    // The target's kernel, compiled at the first size only; the pipelines
    // report what failed and where.
    auto compileOnce = [&](auto &kernelSlot, auto compile) {
      if (kernelSlot)
        return success();
      auto start = std::chrono::steady_clock::now();
      auto compiled = compile();
      compileMilliseconds = elapsed(start);
      if (failed(compiled))
        return failure();
      kernelSlot = std::move(*compiled);
      return success();
    };
    if (targetName == "cpu" && failed(compileOnce(kernel, [&] {
          return CpuJitKernel::compile(func, options);
        })))
      return 1;
    if (emulatedTarget && failed(compileOnce(emulatedKernel, [&] {
          return EmulatedGpuKernel::compile(
              func, StringRef(targetName).drop_back(strlen("-emu")),
              debugFault);
        })))
      return 1;
    if (gpuTarget && failed(compileOnce(gpuKernel, [&] {
          return GpuKernel::compile(func, targetName);
        })))
      return 1;
    std::optional<CpuJitKernel::Call> call;
    std::string error;
    if (streamInputs) {
      std::vector<std::vector<int64_t>> shapes;
      for (const ArgumentPlan &plan : *plans)
        shapes.push_back(plan.shape);
      FailureOr<CpuJitKernel::Call> allocated = kernel->allocate(shapes, error);
      if (failed(allocated))
        return fail("running the kernel failed: " + error);
      call = std::move(*allocated);
    }

    std::vector<Tensor> arguments;
    std::mt19937_64 rng(seed);
    for (ArgumentPlan &plan : *plans) {
      if (inputsDir.empty()) {
        StringRef role = plan.role.name;
        if (call && isBulkArgument(plan) &&
            (role == "query" || role == "key" || role == "value")) {
          // Only the shape stays here: counting kept pairs needs no data.
          Tensor shapeOnly;
          shapeOnly.shape = plan.shape;
          arguments.push_back(std::move(shapeOnly));
          generateArgumentInChunks(
              plan, rng, [&](int64_t offset, ArrayRef<double> chunk) {
                kernel->write(*call, plan.index, offset, chunk);
              });
          continue;
        }
        arguments.push_back(generateArgument(plan, dims, rng));
        if (call && !arguments.back().data.empty())
          kernel->write(*call, plan.index, 0,
                        llvm::isa<RankedTensorType>(plan.type)
                            ? ArrayRef<double>(arguments.back().data)
                            : ArrayRef<double>(arguments.back().data.front()));
        continue;
      }
      SmallString<128> path(inputsDir);
      llvm::sys::path::append(path, plan.name + ".npy");
      if (!llvm::sys::fs::exists(path)) {
        SmallString<128> byIndex(inputsDir);
        llvm::sys::path::append(byIndex,
                                "arg" + std::to_string(plan.index) + ".npy");
        if (!llvm::sys::fs::exists(byIndex))
          return fail("missing input " + path + " for argument " +
                      llvm::Twine(plan.index) + " (" + plan.role.name + ")");
        path = byIndex;
      }
      llvm::Expected<Tensor> tensor = readNpy(path);
      if (!tensor)
        return fail(llvm::toString(tensor.takeError()));
      Type element = elementTypeOf(plan.type);
      if (element.isIntOrIndex()) {
        for (double x : tensor->data)
          if (x != std::trunc(x))
            return fail(path + " holds the non-integer " + std::to_string(x) +
                        " but argument " + llvm::Twine(plan.index) +
                        " is an integer tensor");
        tensor->kind = ElementKind::Integer;
      }
      roundToElementType(*tensor, element);
      plan.shape = tensor->shape; // The file decides; the oracle checks it.
      arguments.push_back(std::move(*tensor));
    }

    FailureOr<std::vector<Tensor>> results = failure();
    double milliseconds = 0.0;
    std::string targetDescription = "reference oracle (double precision)";
    std::optional<CheckResult> check;
    std::optional<BenchResult> bench;
    /// --tile-map: the kernel's visits and the truth.
    std::optional<std::pair<TileMap, TileMap>> tiles;
    if (targetName == "reference") {
      auto start = std::chrono::steady_clock::now();
      results = reference::evaluateFunction(func, arguments);
      milliseconds = elapsed(start);
      if (failed(results))
        return 1; // The oracle reported what and where.
    } else if (emulatedKernel) {
      targetDescription =
          targetName + ": " + emulatedKernel->getTargetDescription();
      auto start = std::chrono::steady_clock::now();
      results = emulatedKernel->run(arguments, error);
      milliseconds = elapsed(start);
      if (failed(results))
        return fail("running the kernel failed: " + error);
    } else if (gpuKernel) {
      targetDescription = targetName + ": " + gpuName + ", " +
                          gpuKernel->getTargetDescription();
      double benchMs = 0.0;
      results =
          gpuKernel->run(arguments, benchRuns, milliseconds, benchMs, error);
      if (failed(results))
        return fail("running the kernel failed: " + error);
      if (benchRuns) {
        FailureOr<std::vector<reference::AttentionWork>> work =
            reference::countKeptPairs(func, arguments);
        if (failed(work))
          return fail("--bench: counting the kept pairs failed");
        BenchResult timed;
        timed.runs = benchRuns;
        double flops = 0.0;
        for (const reference::AttentionWork &op : *work) {
          timed.keptPairs += op.keptPairs;
          flops += op.flops();
        }
        timed.medianMs = timed.minMs = benchMs;
        timed.gflops = benchMs > 0 ? flops / (benchMs * 1e6) : 0.0;
        bench = timed;
      }
    } else {
      targetDescription = "cpu: " + kernel->getTargetDescription();
      if (!call) {
        FailureOr<CpuJitKernel::Call> prepared =
            kernel->prepare(arguments, error);
        if (failed(prepared))
          return fail("running the kernel failed: " + error);
        call = std::move(*prepared);
      }
      auto start = std::chrono::steady_clock::now();
      kernel->launch(*call);
      milliseconds = elapsed(start);
      if (tileMapOption) {
        FailureOr<TileMap> truth =
            scanTiles(func, arguments, options.queryTile, options.keyTile);
        if (failed(truth))
          return 1;
        tiles.emplace(*truth, *truth);
        TileMap &visited = tiles->first;
        std::fill(visited.tiles.begin(), visited.tiles.end(),
                  TileClass::Skipped);
        for (const CpuJitKernel::TileRecord &r :
             CpuJitKernel::takeTileRecords())
          if (r.batch < visited.batch && r.kvHead < visited.kvHeads &&
              r.queryTile < visited.queryTiles && r.keyTile < visited.keyTiles)
            visited.at(r.batch, r.kvHead, r.queryTile, r.keyTile) =
                static_cast<TileClass>(r.status);
      }
      if (benchRuns) {
        FailureOr<BenchResult> timed =
            benchmark(*kernel, *call, func, arguments, benchRuns, error);
        if (failed(timed))
          return fail("--bench: " + error);
        bench = *timed;
      }
      // The results need no room beside the inputs' buffers.
      kernel->releaseArguments(*call);
      results = kernel->read(*call);
      call.reset();
    }
    if (checkResults) { // A target's results (--check needs one).
      FailureOr<CheckResult> outcome =
          checkAgainstOracle(func, arguments, *results);
      if (failed(outcome))
        return 1;
      check = *outcome;
    }
    std::vector<std::string> names = resultNames(func);
    // Memory: the process's peak against what the inputs and outputs take in
    // their own element types (the oracle's double copies not counted).
    int64_t dataBytes = 0;
    for (const ArgumentPlan &plan : *plans)
      dataBytes += bytesOf(plan.type, plan.shape);
    for (auto [type, tensor] : llvm::zip(func.getResultTypes(), *results))
      dataBytes += bytesOf(type, tensor.shape);
    double peakMiB = peakResidentBytes() / 1048576.0;
    double dataMiB = dataBytes / 1048576.0;

    if (!saveDir.empty()) {
      if (std::error_code ec = llvm::sys::fs::create_directories(saveDir))
        return fail("cannot create " + saveDir + ": " + ec.message());
      for (auto [plan, tensor] : llvm::zip(*plans, arguments)) {
        SmallString<128> path(saveDir);
        llvm::sys::path::append(path, plan.name + ".npy");
        if (llvm::Error error =
                writeNpy(path, tensor, npyTypeFor(elementTypeOf(plan.type))))
          return fail(llvm::toString(std::move(error)));
      }
      for (auto [n, tensor] : llvm::enumerate(*results)) {
        SmallString<128> path(saveDir);
        llvm::sys::path::append(path, "result" + std::to_string(n) + ".npy");
        if (llvm::Error error = writeNpy(path, tensor, NpyType::F64))
          return fail(llvm::toString(std::move(error)));
      }
    }

    // --expect: the largest error against stored results, per result.
    std::vector<double> expectErrors;
    if (!expectDir.empty()) {
      for (auto [n, tensor] : llvm::enumerate(*results)) {
        SmallString<128> path(expectDir);
        llvm::sys::path::append(path, "result" + std::to_string(n) + ".npy");
        llvm::Expected<Tensor> expected = readNpy(path);
        if (!expected)
          return fail(llvm::toString(expected.takeError()));
        if (expected->shape != tensor.shape)
          return fail(path + " has shape " + expected->shapeString() +
                      " but result " + llvm::Twine(n) + " has shape " +
                      tensor.shapeString());
        double worst = 0.0;
        for (auto [got, want] : llvm::zip(tensor.data, expected->data)) {
          // Equal infinities and NaNs agree; otherwise a relative error.
          if (got == want || (std::isnan(got) && std::isnan(want)))
            continue;
          double error = std::fabs(got - want) / (1.0 + std::fabs(want));
          worst = std::max(worst, std::isnan(error) ? INFINITY : error);
        }
        expectErrors.push_back(worst);
      }
    }
    bool expectFailed = llvm::any_of(
        expectErrors, [](double error) { return !(error <= tolerance); });

    bool tilesFailed = false;
    if (tiles) {
      tilesFailed = !compareTileMaps(tiles->first, tiles->second).isCorrect();
      if (mapBatch >= tiles->first.batch || mapHead >= tiles->first.kvHeads)
        return fail("--tile-map-of " + tileMapOf + ": there are " +
                    llvm::Twine(tiles->first.batch) + " batch entries and " +
                    llvm::Twine(tiles->first.kvHeads) + " key/value heads");
      if (!tileMapSvg.empty()) {
        std::error_code ec;
        llvm::raw_fd_ostream svg(tileMapSvg, ec);
        if (ec)
          return fail("cannot write " + tileMapSvg + ": " + ec.message());
        writeTileMapSvg(svg, tiles->first, mapBatch, mapHead);
      }
    }
    if (jsonOutput) {
      llvm::json::OStream json(llvm::outs(), sizes.size() > 1 ? 0 : 2);
      json.object([&] {
        json.attribute("spec", specFile);
        json.attribute("func", func.getSymName());
        json.attribute("target", std::string(targetName));
        json.attribute("target_description", targetDescription);
        if (targetName != "reference")
          json.attribute("compile_ms", compileMilliseconds);
        if (check) {
          json.attribute("passed", check->passed);
          json.attribute("max_abs_error", jsonNumber(check->maxError));
          json.attribute("tolerance", check->tolerance);
          json.attribute("sampled_rows", check->sampledRows);
          json.attribute("baseline_error", check->baselineError);
        }
        json.attribute("seed", static_cast<int64_t>(seed));
        json.attribute("inputs", inputsDir.empty() ? std::string("generated")
                                                   : std::string(inputsDir));
        json.attributeObject("dims", [&] {
          for (auto &[name, value] : dims)
            json.attribute(name, value);
        });
        json.attributeArray("arguments", [&] {
          for (const ArgumentPlan &plan : *plans)
            json.object([&] {
              json.attribute("index", plan.index);
              json.attribute("name", plan.name);
              json.attribute("role", plan.role.name);
              std::string type;
              llvm::raw_string_ostream(type) << plan.type;
              json.attribute("type", type);
              json.attribute("shape", jsonShape(plan.shape));
            });
        });
        json.attributeArray("results", [&] {
          for (auto [n, tensor] : llvm::enumerate(*results)) {
            Statistics s = statistics(tensor);
            const std::string &name = names[n];
            const Tensor &result = tensor;
            double error = expectErrors.empty() ? 0.0 : expectErrors[n];
            json.object([&] {
              json.attribute("name", name);
              json.attribute("shape", jsonShape(result.shape));
              json.attribute("min", jsonNumber(s.min));
              json.attribute("max", jsonNumber(s.max));
              json.attribute("mean", jsonNumber(s.mean));
              json.attribute("rms", jsonNumber(s.rms));
              json.attribute("nan_count", s.nan);
              json.attribute("inf_count", s.inf);
              if (!expectErrors.empty())
                json.attribute("max_error", jsonNumber(error));
            });
          }
        });
        json.attribute(targetName == "reference" ? "reference_ms" : "run_ms",
                       milliseconds);
        json.attribute("peak_memory_mib", peakMiB);
        json.attribute("data_mib", dataMiB);
        if (bench) {
          json.attribute("bench_runs", static_cast<int64_t>(bench->runs));
          json.attribute("median_ms", bench->medianMs);
          json.attribute("min_ms", bench->minMs);
          json.attribute("gflops", bench->gflops);
          json.attribute("kept_pairs", bench->keptPairs);
        }
        if (tiles) {
          TileComparison c = compareTileMaps(tiles->first, tiles->second);
          json.attributeObject("tiles", [&] {
            json.attribute("query_tile", tiles->first.queryTile);
            json.attribute("key_tile", tiles->first.keyTile);
            json.attribute("total",
                           static_cast<int64_t>(tiles->first.tiles.size()));
            json.attribute("visited", c.visited);
            json.attribute("non_empty", c.nonEmpty);
            json.attribute("full", c.full);
            json.attribute("truly_full", c.trulyFull);
            json.attribute("missed", c.missed);
            json.attribute("extra", c.extra);
            json.attribute("false_full", c.falseFull);
            json.attribute("exact", c.isExact());
            json.attribute("correct", c.isCorrect());
          });
        }
        if (!expectErrors.empty()) {
          json.attribute("tolerance", static_cast<double>(tolerance));
          json.attribute("passed", !expectFailed);
        }
      });
      llvm::outs() << "\n";
      return expectFailed || (check && !check->passed) || tilesFailed ? 1 : 0;
    }

    llvm::raw_ostream &os = llvm::outs();
    os << "attn-run: @" << func.getSymName() << " from " << specFile << "\n";
    os << "  sizes:";
    for (auto &[name, value] : dims)
      os << " " << name << "=" << value;
    os << "\n  inputs: "
       << (inputsDir.empty() ? "generated, seed " + std::to_string(seed)
                             : "read from " + inputsDir)
       << "\n";
    for (const ArgumentPlan &plan : *plans)
      os << llvm::formatv("    {0,-8} {1,-16} {2,-28} {3}\n", plan.name,
                          plan.role.name, reference::formatShape(plan.shape),
                          plan.type);
    if (targetName != "reference" && firstSizes)
      os << llvm::formatv("  compiled for {0} in {1:F1} ms\n",
                          targetDescription, compileMilliseconds);
    else if (targetName != "reference")
      os << llvm::formatv("  the kernel compiled for {0} above, run again\n",
                          targetDescription);
    os << llvm::formatv("  {0}: {1:F1} ms\n",
                        targetName == "reference" ? targetDescription
                                                  : std::string("ran"),
                        milliseconds);
    os << llvm::formatv(
        "  memory: peak {0:F1} MiB resident; inputs and outputs "
        "{1:F1} MiB\n",
        peakMiB, dataMiB);
    if (bench)
      os << llvm::formatv(
          "  bench: median {0:F3} ms of {1} runs after a warm-up "
          "(min {2:F3} ms), {3:F2} GFLOP/s counting {4} kept "
          "pairs x 2 x (D + Dv)\n",
          bench->medianMs, bench->runs, bench->minMs, bench->gflops,
          bench->keptPairs);
    for (auto [n, tensor] : llvm::enumerate(*results)) {
      Statistics s = statistics(tensor);
      os << llvm::formatv("    {0,-22} {1,-20} min {2:G4}  max {3:G4}  mean "
                          "{4:G4}  rms {5:G4}",
                          names[n], tensor.shapeString(), s.min, s.max, s.mean,
                          s.rms);
      if (s.nan || s.inf)
        os << "  nan " << s.nan << "  inf " << s.inf;
      if (!expectErrors.empty())
        os << llvm::formatv("  error {0:E2}", expectErrors[n]);
      os << "\n";
    }
    if (!expectErrors.empty())
      os << llvm::formatv("  compared with {0}: {1} (tolerance {2:E1})\n",
                          expectDir, expectFailed ? "FAILED" : "passed",
                          static_cast<double>(tolerance));
    if (check)
      os << llvm::formatv(
          "  check against the oracle{6}: max abs error {0:E2}, "
          "tolerance {1:E2} (2 x {2:E2}, the error of a "
          "straightforward {3} implementation, + {4:E0}): {5}\n",
          check->maxError, check->tolerance, check->baselineError, check->dtype,
          kToleranceFloor, check->passed ? "passed" : "FAILED",
          check->sampledRows
              ? " on " + std::to_string(check->sampledRows) + " sampled rows"
              : std::string());
    if (tiles) {
      const TileMap &map = tiles->first;
      TileComparison c = compareTileMaps(map, tiles->second);
      os << llvm::formatv("  tiles of {0} query rows x {1} keys, batch {2}, "
                          "key/value head {3} ('.' skipped, '+' partial, '#' "
                          "full):\n",
                          map.queryTile, map.keyTile, mapBatch, mapHead);
      printTileMap(os, map, mapBatch, mapHead);
      os << llvm::formatv(
          "  tiles: visited {0} of {1} ({2} full, {3} partial); the oracle's "
          "kept pairs fill {4} ({5} full)\n",
          c.visited, map.tiles.size(), c.full, c.visited - c.full, c.nonEmpty,
          c.trulyFull);
      if (c.isExact())
        os << "  tiles: exact (every non-empty tile visited, no empty one, "
              "every full tile truly full)\n";
      else if (c.isCorrect())
        os << llvm::formatv(
            "  tiles: correct but not exact: {0} empty tiles "
            "visited (the analysis bounds these masks only loosely)\n",
            c.extra);
      else
        os << llvm::formatv("  tiles: WRONG: {0} non-empty tiles skipped, {1} "
                            "tiles called full that are not\n",
                            c.missed, c.falseFull);
      if (!tileMapSvg.empty())
        os << "  tile map drawn in " << tileMapSvg << "\n";
    }
    if (!saveDir.empty())
      os << "  saved inputs and results to " << saveDir << "\n";
    return expectFailed || (check && !check->passed) || tilesFailed ? 1 : 0;
  };

  // Each size runs even when one before it failed; the exit status is the
  // worst.
  // A kernel that did not compile stops them all.
  int status = 0;
  for (Sizes &size : sizes) {
    status = std::max(status, runAt(size.dims, size.overrides));
    firstSizes = false;
    if (targetName != "reference" && !kernel && !emulatedKernel && !gpuKernel)
      break;
  }
  return status;
}
