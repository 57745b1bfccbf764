//===- attn-bench.cpp - The compiled kernels against OpenBLAS -------------===//
//
// attn-bench [--workloads W1,W2,W3,W4] [--runs N] [--max-seconds S] [--tiny]
//     [--num-threads T] [--spec FILE]
//
// For each workload of bench/workloads.mlir, side by side in one process:
// the attn kernel compiled for this CPU (CpuJitKernel, launch timed alone),
// the unfused OpenBLAS baseline, the same sgemm calls alone (the matmul
// limit) and, for decode, a streaming read of K and V (the bandwidth limit).
// Each is timed as the median of up to N runs after a warm-up (fewer when
// its runs add up to --max-seconds). FLOP rates count only the kept pairs,
// 2 * (D + Dv) FLOPs each, with the kept pairs counted by the reference
// oracle from the spec's masks. The kernel's output is compared with the
// baseline's everywhere and both with a double-precision evaluation on
// sampled rows; a kernel that fails that check makes the run fail.
//
//===----------------------------------------------------------------------===//

#include "Baseline.h"

#include "attn/Dialect/Attn.h"
#include "attn/Reference/Oracle.h"
#include "attn/Support/Npy.h"
#include "attn/Targets/CpuJit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <optional>
#include <random>
#include <set>

using namespace mlir;
using namespace mlir::attn;
using attn_bench::Shape;
using mlir::attn::reference::Tensor;

namespace cl = llvm::cl;

static cl::OptionCategory category("attn-bench options");
static cl::opt<std::string> specFile("spec",
                                     cl::desc("The workloads' spec file"),
                                     cl::init(ATTN_BENCH_SPEC),
                                     cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    workloadList("workloads",
                 cl::desc("Comma-separated workloads to run (W1,W2,W3,W4)"),
                 cl::init("W1,W2,W3,W4"), cl::cat(category));
static cl::opt<unsigned> runs("runs",
                              cl::desc("Timed runs after the warm-up (at "
                                       "most; see --max-seconds)"),
                              cl::init(5), cl::cat(category));
static cl::opt<double> maxSeconds(
    "max-seconds",
    cl::desc("Stop timing one implementation once its timed runs add up to "
             "this (at least one run is always timed)"),
    cl::init(20.0), cl::cat(category));
static cl::opt<bool>
    tiny("tiny",
         cl::desc("Tiny sequence lengths: a smoke test, not a benchmark"),
         cl::cat(category));
static cl::opt<unsigned> threads("num-threads",
                                 cl::desc("Threads for every implementation"),
                                 cl::init(2), cl::cat(category));
static cl::opt<unsigned> sampleRows(
    "sample-rows",
    cl::desc("Rows evaluated in double precision to judge the results"),
    cl::init(16), cl::cat(category));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the inputs"),
                              cl::init(0), cl::cat(category));
static cl::opt<std::string> sparseList(
    "sparse",
    cl::desc("Comma-separated sparse rows to run (S1..S7), or none: each "
             "masked kernel against the same kernel without the mask (full "
             "size even with --tiny, which runs them only when named)"),
    cl::init("S1,S2,S3,S4,S5,S6,S7"), cl::cat(category));

static cl::opt<std::string> linearList(
    "linear",
    cl::desc("Comma-separated lengths of the linear-attention rows (causal "
             "elu+1, B = 1, H = 8, D = 64, against the causal softmax kernel "
             "of the same shape), or none (with --tiny, run only when named)"),
    cl::init("128,256,512,1024,2048,4096,16384,65536"), cl::cat(category));
static cl::opt<int64_t> linearSoftmaxMax(
    "linear-softmax-max",
    cl::desc("The longest length at which the softmax kernel is timed beside "
             "the linear one (its time grows with the square)"),
    cl::init(16384), cl::cat(category));

namespace {

/// One workload: its spec function and sizes (those of --tiny for the smoke
/// test). The masks are the spec's; Shape restates them for the baseline,
/// and the kept pairs of both must agree.
struct Workload {
  const char *name, *func, *kind;
  Shape shape;
  int64_t tinyQueryLen, tinyKeyLen;
  bool decode;
  /// The acceptance target: the kernel's rate as a fraction of sgemm's
  /// (decode: its GB/s as a fraction of the streaming read's).
  double target;
};

/// The median, or 0 for no runs.
struct Timing {
  std::vector<double> ms;
  double median() const {
    if (ms.empty())
      return 0.0;
    std::vector<double> sorted = ms;
    llvm::sort(sorted);
    size_t n = sorted.size();
    return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
};

/// A warm-up call of each body, then rounds of one timed call of each (so
/// that a load that comes and goes on the machine weighs on all alike): up
/// to --runs rounds, fewer once the timed calls add up to --max-seconds.
std::vector<Timing> measure(ArrayRef<std::function<void()>> bodies) {
  for (const std::function<void()> &body : bodies)
    body();
  std::vector<Timing> timings(bodies.size());
  double total = 0.0;
  for (unsigned round = 0; round < runs && total < maxSeconds * 1e3; ++round)
    for (auto [body, timing] : llvm::zip(bodies, timings)) {
      auto start = std::chrono::steady_clock::now();
      body();
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      timing.ms.push_back(ms);
      total += ms;
    }
  return timings;
}

/// Uniform values of variance 1 (scores of standard deviation about 1).
void fill(std::vector<float> &data, std::mt19937_64 &rng) {
  std::uniform_real_distribution<float> uniform(-1.7320508f, 1.7320508f);
  for (float &x : data)
    x = uniform(rng);
}

Tensor toTensor(const std::vector<float> &data, std::vector<int64_t> shape) {
  Tensor t(std::move(shape));
  std::copy(data.begin(), data.end(), t.data.begin());
  return t;
}

/// Everything measured on one workload.
struct Measured {
  const Workload *workload;
  Shape shape;
  std::string title;
  int64_t keptPairs = 0;
  double keptFlops = 0, fullFlops = 0, bytes = 0;
  Timing kernel, baseline, sgemm, stream;
  double errorVsBaseline = 0, kernelRowError = 0, baselineRowError = 0;
  double tolerance = 0;
  bool passed = false;
};

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "attn-bench") << message << "\n";
  return 1;
}

double rate(double flops, const Timing &t) {
  double ms = t.median();
  return ms > 0 ? flops / (ms * 1e6) : 0.0;
}

/// The machine's load average over the last minute ("?" if unknown).
std::string loadAverage() {
  auto text = llvm::MemoryBuffer::getFileAsStream("/proc/loadavg");
  if (!text)
    return "?";
  return (*text)->getBuffer().split(' ').first.str();
}

} // namespace

/// Runs workload `w`; fails (with a message) when the spec cannot be
/// compiled or run.
static FailureOr<Measured> runWorkload(ModuleOp module, const Workload &w,
                                       std::mt19937_64 &rng,
                                       std::string &kernelTarget) {
  Measured m;
  m.workload = &w;
  m.shape = w.shape;
  Shape &s = m.shape;
  if (tiny) {
    s.queryLen = w.tinyQueryLen;
    s.keyLen = w.tinyKeyLen;
  }
  m.title = llvm::formatv("{0} {1} H{2}", w.name, w.kind, s.heads);
  if (s.kvHeads != s.heads)
    m.title += llvm::formatv("/{0}", s.kvHeads);
  if (s.queryLen == s.keyLen)
    m.title += llvm::formatv(" S{0}", s.queryLen);
  else
    m.title += llvm::formatv(" Sq{0} Skv{1}", s.queryLen, s.keyLen);
  m.title += llvm::formatv(" D{0}", s.headDim);
  auto func = module.lookupSymbol<func::FuncOp>(w.func);
  if (!func) {
    fail(llvm::Twine("no function @") + w.func + " in " + specFile);
    return failure();
  }
  std::vector<float> q(s.batch * s.heads * s.queryLen * s.headDim);
  std::vector<float> k(s.batch * s.kvHeads * s.keyLen * s.headDim);
  std::vector<float> v(s.batch * s.kvHeads * s.keyLen * s.valueDim);
  std::vector<float> kernelOut(s.batch * s.heads * s.queryLen * s.valueDim);
  std::vector<float> baselineOut(kernelOut.size()), sgemmOut(kernelOut.size());
  fill(q, rng);
  fill(k, rng);
  fill(v, rng);

  // The kernel, and the kept pairs from the spec's masks.
  std::unique_ptr<CpuJitKernel> kernel;
  std::optional<CpuJitKernel::Call> call;
  {
    std::vector<Tensor> arguments;
    arguments.push_back(toTensor(q, {s.batch, s.heads, s.queryLen, s.headDim}));
    arguments.push_back(toTensor(k, {s.batch, s.kvHeads, s.keyLen, s.headDim}));
    arguments.push_back(
        toTensor(v, {s.batch, s.kvHeads, s.keyLen, s.valueDim}));
    FailureOr<std::vector<reference::AttentionWork>> work =
        reference::countKeptPairs(func, arguments);
    if (failed(work))
      return failure();
    for (const reference::AttentionWork &op : *work) {
      m.keptPairs += op.keptPairs;
      m.keptFlops += op.flops();
    }
    if (m.keptPairs != s.keptPairs()) {
      fail(llvm::formatv("{0}: the spec keeps {1} pairs but the baseline's "
                         "mask keeps {2}",
                         w.name, m.keptPairs, s.keptPairs()));
      return failure();
    }
    FailureOr<std::unique_ptr<CpuJitKernel>> compiled =
        CpuJitKernel::compile(func, CpuPipelineOptions());
    if (failed(compiled))
      return failure();
    kernel = std::move(*compiled);
    kernelTarget = kernel->getTargetDescription();
    std::string error;
    FailureOr<CpuJitKernel::Call> prepared = kernel->prepare(arguments, error);
    if (failed(prepared)) {
      fail(llvm::Twine(w.name) + ": " + error);
      return failure();
    }
    call.emplace(std::move(*prepared));
  }
  m.fullFlops = 2.0 * s.batch * s.heads * s.queryLen * s.keyLen *
                (s.headDim + s.valueDim);
  m.bytes = 4.0 * (k.size() + v.size());

  attn_bench::Baseline baseline(s);
  std::vector<std::function<void()>> bodies = {
      [&] { kernel->launch(*call); },
      [&] {
        baseline.attention(q.data(), k.data(), v.data(), baselineOut.data());
      },
      [&] {
        baseline.sgemmOnly(q.data(), k.data(), v.data(), sgemmOut.data());
      }};
  volatile double sink = 0;
  if (w.decode)
    bodies.push_back([&] {
      sink = sink + attn_bench::streamRead(k.data(), k.size()) +
             attn_bench::streamRead(v.data(), v.size());
    });
  std::vector<Timing> timings = measure(bodies);
  m.kernel = timings[0];
  m.baseline = timings[1];
  m.sgemm = timings[2];
  if (w.decode)
    m.stream = timings[3];
  {
    std::vector<Tensor> results = kernel->read(*call);
    std::copy(results[0].data.begin(), results[0].data.end(),
              kernelOut.begin());
  }

  // Correctness: everywhere against the baseline, and on sampled rows (the
  // first, the last, random ones) against double precision.
  for (auto [a, b] : llvm::zip(kernelOut, baselineOut)) {
    double d = std::fabs(double(a) - double(b));
    m.errorVsBaseline =
        std::max(m.errorVsBaseline, std::isnan(d) ? INFINITY : d);
  }
  int64_t rows = s.batch * s.heads * s.queryLen;
  std::uniform_int_distribution<int64_t> pick(0, rows - 1);
  std::vector<double> exact(s.valueDim);
  for (unsigned n = 0; n < std::max(2u, unsigned(sampleRows)); ++n) {
    int64_t row = n == 0 ? 0 : n == 1 ? rows - 1 : pick(rng);
    int64_t i = row % s.queryLen, bh = row / s.queryLen;
    attn_bench::exactRow(s, q.data(), k.data(), v.data(), bh / s.heads,
                         bh % s.heads, i, exact.data());
    for (int64_t c = 0; c < s.valueDim; ++c) {
      double want = exact[c];
      double kd = std::fabs(kernelOut[row * s.valueDim + c] - want);
      double bd = std::fabs(baselineOut[row * s.valueDim + c] - want);
      m.kernelRowError =
          std::max(m.kernelRowError, std::isnan(kd) ? INFINITY : kd);
      m.baselineRowError = std::max(m.baselineRowError, bd);
    }
  }
  // FlashAttention's rule on the sampled rows; everywhere else the kernel
  // may differ from the baseline by that much plus the baseline's own error.
  m.tolerance = 2.0 * m.baselineRowError + 1e-5;
  m.passed = m.kernelRowError <= m.tolerance &&
             m.errorVsBaseline <= m.tolerance + m.baselineRowError + 1e-5;
  return m;
}

namespace {

/// One sparse row: a masked function and the same shape without the mask.
struct SparseRow {
  const char *name, *title, *func, *dense;
  enum class Data { None, Documents, Layout } data;
};

struct SparseMeasured {
  const SparseRow *row;
  int64_t tiles = 0, visited = 0;
  Timing masked, dense, summary;
  double error = 0, tolerance = 0;
  bool passed = false;
};

/// The arguments of a sparse row's function: random q, k, v; 8 documents of
/// equal length; a random bitmap of 64 x 64 blocks with 10% set.
std::vector<Tensor> sparseArguments(func::FuncOp func, const SparseRow &row,
                                    std::mt19937_64 &rng) {
  std::vector<Tensor> arguments;
  for (Type type : func.getArgumentTypes()) {
    auto tensor = llvm::cast<RankedTensorType>(type);
    std::vector<int64_t> shape(tensor.getShape().begin(),
                               tensor.getShape().end());
    Tensor t(shape);
    if (tensor.getElementType().isF32()) {
      std::uniform_real_distribution<double> uniform(-1.7320508, 1.7320508);
      for (double &x : t.data)
        x = static_cast<float>(uniform(rng));
    } else if (row.data == SparseRow::Data::Documents) {
      t.kind = reference::ElementKind::Integer;
      int64_t length = shape.back();
      for (int64_t j = 0; j < length; ++j)
        t.data[j] = static_cast<double>(j * 8 / length);
    } else {
      t.kind = reference::ElementKind::Integer;
      std::bernoulli_distribution set(0.10);
      for (double &x : t.data)
        x = set(rng) ? 1.0 : 0.0;
    }
    arguments.push_back(std::move(t));
  }
  return arguments;
}

/// Compiles `func` with `options` and prepares a call on `arguments`.
FailureOr<std::pair<std::unique_ptr<CpuJitKernel>, CpuJitKernel::Call>>
compileAndPrepare(func::FuncOp func, const CpuPipelineOptions &options,
                  ArrayRef<Tensor> arguments) {
  FailureOr<std::unique_ptr<CpuJitKernel>> kernel =
      CpuJitKernel::compile(func, options);
  if (failed(kernel))
    return failure();
  std::string error;
  FailureOr<CpuJitKernel::Call> call = (*kernel)->prepare(arguments, error);
  if (failed(call)) {
    fail(func.getSymName() + ": " + error);
    return failure();
  }
  return std::make_pair(std::move(*kernel), std::move(*call));
}

FailureOr<SparseMeasured> runSparseRow(ModuleOp module, const SparseRow &row,
                                       std::mt19937_64 &rng) {
  SparseMeasured m;
  m.row = &row;
  auto func = module.lookupSymbol<func::FuncOp>(row.func);
  auto dense = module.lookupSymbol<func::FuncOp>(row.dense);
  if (!func || !dense) {
    fail(llvm::Twine("no function @") + (func ? row.dense : row.func) + " in " +
         specFile);
    return failure();
  }
  std::vector<Tensor> arguments = sparseArguments(func, row, rng);
  CpuPipelineOptions options;
  auto masked = compileAndPrepare(func, options, arguments);
  auto unmasked = compileAndPrepare(dense, options,
                                    ArrayRef<Tensor>(arguments).take_front(3));
  if (failed(masked) || failed(unmasked))
    return failure();

  // The tiles the masked kernel visits, from a kernel that reports them.
  CpuPipelineOptions recording = options;
  recording.recordTiles = true;
  auto recorder = compileAndPrepare(func, recording, arguments);
  if (failed(recorder))
    return failure();
  CpuJitKernel::takeTileRecords();
  recorder->first->launch(recorder->second);
  m.visited = static_cast<int64_t>(CpuJitKernel::takeTileRecords().size());
  ArrayRef<int64_t> q = arguments[0].shape;
  ArrayRef<int64_t> k = arguments[1].shape;
  int64_t group = q[1] / k[1];
  m.tiles = q[0] * k[1] *
            ((q[2] * group + options.queryTile - 1) / options.queryTile) *
            ((k[2] + options.keyTile - 1) / options.keyTile);

  std::vector<std::function<void()>> bodies = {
      [&] { masked->first->launch(masked->second); },
      [&] { unmasked->first->launch(unmasked->second); }};
  // Documents: the per-launch summary alone, timed beside the rest.
  std::optional<std::pair<std::unique_ptr<CpuJitKernel>, CpuJitKernel::Call>>
      summaryOnly;
  if (row.data == SparseRow::Data::Documents) {
    CpuPipelineOptions summary = options;
    summary.summaryOnly = true;
    auto compiled = compileAndPrepare(func, summary, arguments);
    if (failed(compiled))
      return failure();
    summaryOnly.emplace(std::move(*compiled));
    bodies.push_back([&] { summaryOnly->first->launch(summaryOnly->second); });
  }
  std::vector<Timing> timings = measure(bodies);
  m.masked = timings[0];
  m.dense = timings[1];
  if (summaryOnly)
    m.summary = timings[2];

  // The masked kernel against the oracle on sampled rows, FlashAttention's
  // rule: twice the error of a straightforward f32 implementation + 1e-5.
  std::vector<Tensor> results = masked->first->read(masked->second);
  int64_t rows = q[0] * q[1] * q[2];
  std::set<int64_t> sample;
  std::uniform_int_distribution<int64_t> pick(0, rows - 1);
  while (static_cast<int64_t>(sample.size()) <
         std::min<int64_t>(rows, std::max(2u, unsigned(sampleRows))))
    sample.insert(pick(rng));
  reference::EvaluationOptions exactOptions;
  exactOptions.includeRow = [&](int64_t b, int64_t h, int64_t i) {
    return sample.count((b * q[1] + h) * q[2] + i) != 0;
  };
  reference::EvaluationOptions narrow = exactOptions;
  narrow.roundIntermediate = roundToF32;
  auto exact = reference::evaluateFunction(func, arguments, exactOptions);
  auto straightforward = reference::evaluateFunction(func, arguments, narrow);
  if (failed(exact) || failed(straightforward))
    return failure();
  double baselineError = 0;
  for (auto [got, rounded, want] : llvm::zip(
           results[0].data, (*straightforward)[0].data, (*exact)[0].data)) {
    if (std::isnan(want))
      continue; // Not sampled.
    double d = std::fabs(got - want);
    m.error = std::max(m.error, std::isnan(d) ? INFINITY : d);
    baselineError = std::max(baselineError, std::fabs(rounded - want));
  }
  m.tolerance = 2.0 * baselineError + 1e-5;
  m.passed = m.error <= m.tolerance;
  return m;
}

} // namespace

namespace {

/// One length of the linear-attention rows.
struct LinearMeasured {
  int64_t length = 0;
  Timing linear, softmax;
};

/// The linear-attention rows: the linear kernel (and, up to
/// --linear-softmax-max, the softmax kernel) at each length, interleaved;
/// the linear kernel's output at the first length checked against the
/// oracle (all rows).
FailureOr<std::vector<LinearMeasured>>
runLinearRows(ModuleOp module, ArrayRef<int64_t> lengths, std::mt19937_64 &rng,
              double &error, double &tolerance) {
  auto linear = module.lookupSymbol<func::FuncOp>("l_linear_causal");
  auto softmax = module.lookupSymbol<func::FuncOp>("l_softmax_causal");
  if (!linear || !softmax) {
    fail("no function @l_linear_causal or @l_softmax_causal in " + specFile);
    return failure();
  }
  CpuPipelineOptions options;
  FailureOr<std::unique_ptr<CpuJitKernel>> linearKernel =
      CpuJitKernel::compile(linear, options);
  FailureOr<std::unique_ptr<CpuJitKernel>> softmaxKernel =
      CpuJitKernel::compile(softmax, options);
  if (failed(linearKernel) || failed(softmaxKernel))
    return failure();
  std::vector<LinearMeasured> rows;
  for (int64_t length : lengths) {
    std::vector<Tensor> arguments;
    for (int n = 0; n < 3; ++n) {
      std::vector<float> data(8 * length * 64);
      fill(data, rng);
      arguments.push_back(toTensor(data, {1, 8, length, 64}));
    }
    std::string message;
    FailureOr<CpuJitKernel::Call> linearCall =
        (*linearKernel)->prepare(arguments, message);
    if (failed(linearCall)) {
      fail("l_linear_causal: " + message);
      return failure();
    }
    std::optional<CpuJitKernel::Call> softmaxCall;
    std::vector<std::function<void()>> bodies = {
        [&] { (*linearKernel)->launch(*linearCall); }};
    if (length <= linearSoftmaxMax) {
      FailureOr<CpuJitKernel::Call> call =
          (*softmaxKernel)->prepare(arguments, message);
      if (failed(call)) {
        fail("l_softmax_causal: " + message);
        return failure();
      }
      softmaxCall.emplace(std::move(*call));
      bodies.push_back([&] { (*softmaxKernel)->launch(*softmaxCall); });
    }
    std::vector<Timing> timings = measure(bodies);
    LinearMeasured m;
    m.length = length;
    m.linear = timings[0];
    if (softmaxCall)
      m.softmax = timings[1];
    if (rows.empty()) {
      // FlashAttention's rule against the oracle: twice the error of a
      // straightforward f32 implementation (the state form) + 1e-5.
      std::vector<Tensor> results = (*linearKernel)->read(*linearCall);
      reference::EvaluationOptions narrow;
      narrow.roundIntermediate = roundToF32;
      auto exact = reference::evaluateFunction(linear, arguments);
      auto straightforward =
          reference::evaluateFunction(linear, arguments, narrow);
      if (failed(exact) || failed(straightforward))
        return failure();
      double baselineError = 0;
      for (auto [got, rounded, want] : llvm::zip(
               results[0].data, (*straightforward)[0].data, (*exact)[0].data)) {
        double d = std::fabs(got - want);
        error = std::max(error, std::isnan(d) ? INFINITY : d);
        baselineError = std::max(baselineError, std::fabs(rounded - want));
      }
      tolerance = 2.0 * baselineError + 1e-5;
    }
    rows.push_back(std::move(m));
    llvm::outs() << llvm::formatv(
        "  L {0} done ({1} timed runs of each; linear {2:F2} ms)\n", length,
        rows.back().linear.ms.size(), rows.back().linear.median());
    llvm::outs().flush();
  }
  return rows;
}

/// The table of the linear rows, the growth from 4096 to 65536 and where
/// the linear kernel overtakes softmax.
void printLinearRows(llvm::raw_ostream &os, ArrayRef<LinearMeasured> rows) {
  os << "\nlinear attention (causal, elu+1, B = 1, H = 8, D = 64, chunked) "
        "against the causal softmax kernel of the same shape, interleaved at "
        "each length\n";
  os << llvm::formatv("{0,8} | {1,10} {2,14} | {3,11} {4,15}\n", "length",
                      "linear ms", "us per token", "softmax ms",
                      "softmax/linear");
  for (const LinearMeasured &m : rows) {
    double perToken = 1e3 * m.linear.median() / double(m.length);
    if (m.softmax.ms.empty())
      os << llvm::formatv("{0,8} | {1,10:F2} {2,14:F3} | {3,11} {4,15}\n",
                          m.length, m.linear.median(), perToken, "-", "-");
    else
      os << llvm::formatv("{0,8} | {1,10:F2} {2,14:F3} | {3,11:F2} {4,15:F2}\n",
                          m.length, m.linear.median(), perToken,
                          m.softmax.median(),
                          m.softmax.median() / m.linear.median());
  }
  auto at = [&](int64_t length) -> const LinearMeasured * {
    for (const LinearMeasured &m : rows)
      if (m.length == length)
        return &m;
    return nullptr;
  };
  const LinearMeasured *from = at(4096), *to = at(65536);
  if (from && to && from->linear.median() > 0) {
    double growth = to->linear.median() / from->linear.median();
    os << llvm::formatv("  4096 -> 65536: time x{0:F2} for x16 the length "
                        "({1:F2}x linear; target at most 1.30x): {2}\n",
                        growth, growth / 16.0,
                        growth / 16.0 <= 1.30 ? "met" : "not met");
  }
  // The shortest length from which on linear beats softmax at every
  // length timed with both.
  const LinearMeasured *overtakes = nullptr;
  for (const LinearMeasured &m : llvm::reverse(rows)) {
    if (m.softmax.ms.empty())
      continue;
    if (m.linear.median() >= m.softmax.median())
      break;
    overtakes = &m;
  }
  const LinearMeasured *before = nullptr;
  for (const LinearMeasured &m : rows)
    if (!m.softmax.ms.empty()) {
      if (&m == overtakes)
        break;
      before = &m;
    }
  if (!overtakes)
    os << "  linear is not faster than softmax at the longest length timed "
          "with both\n";
  else if (!before)
    os << llvm::formatv("  linear overtakes softmax at or below {0} (the "
                        "shortest length timed)\n",
                        overtakes->length);
  else
    os << llvm::formatv("  linear overtakes softmax between {0} and {1}\n",
                        before->length, overtakes->length);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "attn-bench: the compiled attn kernels against OpenBLAS, side by "
      "side\n");
  if (runs == 0)
    return fail("--runs must be at least 1");
  auto started = std::chrono::steady_clock::now();

  // Threads: the same number for OpenBLAS, the baseline's OpenMP loops and
  // the kernel's OpenMP runtime (one libomp in the process).
  std::string count = std::to_string(threads);
  setenv("OMP_NUM_THREADS", count.c_str(), 1);
  openblas_set_num_threads(static_cast<int>(threads));
  omp_set_num_threads(static_cast<int>(threads));

  // Tiny lengths keep the window (512 keys) smaller than W3's sequence and
  // every workload's shape otherwise.
  const Workload all[] = {
      {"W1", "w1_noncausal", "non-causal",
       Shape{1, 8, 8, 2048, 2048, 64, 64, false, 0}, 64, 64, false, 0.60},
      {"W2", "w2_causal", "causal",
       Shape{1, 8, 8, 4096, 4096, 128, 128, true, 0}, 96, 96, false, 0.50},
      {"W3", "w3_sliding_window", "causal window 512",
       Shape{1, 4, 4, 8192, 8192, 64, 64, true, 512}, 600, 600, false, 0.40},
      {"W4", "w4_decode", "decode",
       Shape{1, 32, 8, 1, 32768, 128, 128, false, 0}, 1, 300, true, 0.60},
  };
  const SparseRow sparseRows[] = {
      {"S1", "causal window 512 H4 S8192 D64", "s_window", "s_dense_8192",
       SparseRow::Data::None},
      {"S2", "causal H4 S8192 D64", "s_causal", "s_dense_8192",
       SparseRow::Data::None},
      {"S3", "2-D NA 96x96 k13 H4 D64", "s_na2d", "s_dense_9216",
       SparseRow::Data::None},
      {"S4", "2-D NA 96x96 k13 d2 H4 D64", "s_na2d_dilated", "s_dense_9216",
       SparseRow::Data::None},
      {"S5", "3-D NA 16x32x32 k5x7x7 H4 D64", "s_na3d", "s_dense_16384",
       SparseRow::Data::None},
      {"S6", "8 documents H4 S8192 D64", "s_documents", "s_dense_8192",
       SparseRow::Data::Documents},
      {"S7", "block layout 10% H4 S8192 D64", "s_block_layout", "s_dense_8192",
       SparseRow::Data::Layout},
  };
  SmallVector<const SparseRow *> sparseSelected;
  // The sparse rows' shapes are fixed: --tiny runs them only when named.
  bool runSparse =
      sparseList != "none" && (!tiny || sparseList.getNumOccurrences());
  if (runSparse) {
    SmallVector<StringRef> sparseNames;
    StringRef(sparseList).split(sparseNames, ',', -1, /*KeepEmpty=*/false);
    for (StringRef name : sparseNames) {
      auto it = llvm::find_if(sparseRows, [&](const SparseRow &row) {
        return name.trim().equals_insensitive(row.name);
      });
      if (it == std::end(sparseRows))
        return fail("unknown sparse row '" + name + "' (known: S1 to S7)");
      sparseSelected.push_back(it);
    }
  }
  SmallVector<int64_t> linearLengths;
  if (linearList != "none" && (!tiny || linearList.getNumOccurrences())) {
    SmallVector<StringRef> parts;
    StringRef(linearList).split(parts, ',', -1, /*KeepEmpty=*/false);
    for (StringRef part : parts) {
      int64_t length;
      if (part.trim().getAsInteger(10, length) || length < 1)
        return fail("--linear takes lengths >= 1 or none, got '" + part + "'");
      linearLengths.push_back(length);
    }
  }
  SmallVector<const Workload *> selected;
  SmallVector<StringRef> names;
  if (workloadList != "none")
    StringRef(workloadList).split(names, ',', -1, /*KeepEmpty=*/false);
  for (StringRef name : names) {
    auto it = llvm::find_if(all, [&](const Workload &w) {
      return name.trim().equals_insensitive(w.name);
    });
    if (it == std::end(all))
      return fail("unknown workload '" + name + "' (known: W1, W2, W3, W4)");
    selected.push_back(it);
  }

  MLIRContext context;
  context.loadDialect<AttnDialect, func::FuncDialect, arith::ArithDialect,
                      math::MathDialect, tensor::TensorDialect>();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(specFile, sourceMgr, &context);
  if (!module)
    return fail("cannot read the workloads from " + specFile);

  const char *coretype = std::getenv("OPENBLAS_CORETYPE");
  llvm::raw_ostream &os = llvm::outs();
  os << "attn-bench: " << threads << " threads, f32"
     << (tiny ? ", TINY sizes (a smoke test, not a benchmark)" : "") << "\n";
  os << "  OpenBLAS: " << openblas_get_config() << "; core "
     << openblas_get_corename() << "; OPENBLAS_CORETYPE "
     << (coretype ? coretype : "not set") << "; " << openblas_get_num_threads()
     << " threads\n";
  os << llvm::formatv("  timing: a warm-up of each implementation, then up to "
                      "{0} rounds of one run of each (interleaved), fewer "
                      "once past {1} s; the median\n",
                      unsigned(runs), double(maxSeconds));
  os << "  load average before the run: " << loadAverage()
     << " (other work on the machine skews the times; the ratios less)\n";
  os.flush();

  std::mt19937_64 rng(seed);
  std::vector<Measured> results;
  std::string kernelTarget;
  for (const Workload *w : selected) {
    auto start = std::chrono::steady_clock::now();
    FailureOr<Measured> m = runWorkload(*module, *w, rng, kernelTarget);
    if (failed(m))
      return 1;
    results.push_back(*m);
    os << llvm::formatv(
        "  {0} done in {1:F1} s ({3} timed runs of each; kernel {2:F2} ms)\n",
        w->name,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        m->kernel.median(), m->kernel.ms.size());
    os.flush();
  }
  std::vector<SparseMeasured> sparseResults;
  for (const SparseRow *row : sparseSelected) {
    auto start = std::chrono::steady_clock::now();
    FailureOr<SparseMeasured> m = runSparseRow(*module, *row, rng);
    if (failed(m))
      return 1;
    sparseResults.push_back(*m);
    os << llvm::formatv(
        "  {0} done in {1:F1} s ({2} timed runs of each; masked {3:F2} ms)\n",
        row->name,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        m->masked.ms.size(), m->masked.median());
    os.flush();
  }
  std::vector<LinearMeasured> linearResults;
  double linearError = 0, linearTolerance = 0;
  if (!linearLengths.empty()) {
    FailureOr<std::vector<LinearMeasured>> rows = runLinearRows(
        *module, linearLengths, rng, linearError, linearTolerance);
    if (failed(rows))
      return 1;
    linearResults = std::move(*rows);
  }
  os << "  kernel: cpu " << kernelTarget << "\n";
  os << "  load average after the run: " << loadAverage() << "\n\n";

  if (!results.empty()) {
    os << "GFLOP/s count 2 * (D + Dv) FLOPs per kept pair (kept pairs from "
          "the spec's masks); sgemm alone: its own FLOPs (the full "
          "products)\n";
    os << llvm::formatv("{0,-36} {1,12} {2,9} | {3,10} {4,8} | {5,10} {6,8} | "
                        "{7,10} {8,8} | {9,7} {10,7} {11,7}\n",
                        "workload", "kept pairs", "GFLOP", "kernel ms",
                        "GFLOP/s", "base ms", "GFLOP/s", "sgemm ms", "GFLOP/s",
                        "k/sgemm", "b/sgemm", "k/base");
  }
  for (const Measured &m : results) {
    double kernelRate = rate(m.keptFlops, m.kernel);
    double baseRate = rate(m.keptFlops, m.baseline);
    double sgemmRate = rate(m.fullFlops, m.sgemm);
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    os << llvm::formatv(
        "{0,-36} {1,12} {2,9:F2} | {3,10:F2} {4,8:F1} | {5,10:F2} {6,8:F1} | "
        "{7,10:F2} {8,8:F1} | {9,7:F2} {10,7:F2} {11,7:F2}{12}\n",
        m.title, m.keptPairs, m.keptFlops / 1e9, m.kernel.median(), kernelRate,
        m.baseline.median(), baseRate, m.sgemm.median(), sgemmRate,
        ratio(kernelRate, sgemmRate), ratio(baseRate, sgemmRate),
        ratio(kernelRate, baseRate),
        m.kernel.ms.size() < runs
            ? llvm::formatv(" ({0} runs)", m.kernel.ms.size()).str()
            : std::string());
  }
  for (const Measured &m : results) {
    if (!m.workload->decode)
      continue;
    auto gbs = [&](const Timing &t) {
      return t.median() > 0 ? m.bytes / (t.median() * 1e6) : 0.0;
    };
    os << llvm::formatv(
        "\n{0} bandwidth over K and V ({1:F1} MB): kernel {2:F2} GB/s, "
        "baseline {3:F2} GB/s, streaming read {4:F2} GB/s ({5:F2} ms); "
        "kernel/stream {6:F2}, baseline/stream {7:F2}\n",
        m.workload->name, m.bytes / 1e6, gbs(m.kernel), gbs(m.baseline),
        gbs(m.stream), m.stream.median(),
        gbs(m.stream) > 0 ? gbs(m.kernel) / gbs(m.stream) : 0.0,
        gbs(m.stream) > 0 ? gbs(m.baseline) / gbs(m.stream) : 0.0);
  }
  if (!results.empty())
    os << "\ntargets: kernel rate / sgemm rate (W4: kernel GB/s / streaming "
          "read GB/s)"
       << (tiny ? ", meaningless at tiny sizes" : "") << "\n";
  for (const Measured &m : results) {
    double achieved =
        m.workload->decode
            ? (m.stream.median() > 0 && m.kernel.median() > 0
                   ? m.stream.median() / m.kernel.median()
                   : 0.0)
            : (rate(m.fullFlops, m.sgemm) > 0
                   ? rate(m.keptFlops, m.kernel) / rate(m.fullFlops, m.sgemm)
                   : 0.0);
    os << llvm::formatv("  {0}: {1:F2} (target {2:F2}): {3}\n",
                        m.workload->name, achieved, m.workload->target,
                        achieved >= m.workload->target ? "met" : "not met");
  }
  if (!sparseResults.empty()) {
    os << "\nsparse rows: each masked kernel against the same kernel with the "
          "mask removed, interleaved in one run; ideal = dense tiles / "
          "visited tiles (128 query rows x 64 keys per tile)\n";
    os << llvm::formatv("{0,-4} {1,-30} {2,15} {3,7} | {4,10} {5,10} | {6,8} "
                        "{7,8} {8}\n",
                        "row", "mask", "visited/tiles", "ideal", "dense ms",
                        "masked ms", "speed-up", "of ideal", "(target 0.80)");
    for (const SparseMeasured &m : sparseResults) {
      double ideal = m.visited ? double(m.tiles) / m.visited : 0.0;
      double speedup =
          m.masked.median() > 0 ? m.dense.median() / m.masked.median() : 0.0;
      double ofIdeal = ideal > 0 ? speedup / ideal : 0.0;
      os << llvm::formatv("{0,-4} {1,-30} {2,15} {3,7:F2} | {4,10:F2} "
                          "{5,10:F2} | {6,8:F2} {7,8:F2} {8}\n",
                          m.row->name, m.row->title,
                          llvm::formatv("{0}/{1}", m.visited, m.tiles).str(),
                          ideal, m.dense.median(), m.masked.median(), speedup,
                          ofIdeal, ofIdeal >= 0.80 ? "met" : "not met");
    }
    for (const SparseMeasured &m : sparseResults) {
      if (m.row->data == SparseRow::Data::Documents)
        os << llvm::formatv(
            "  {0}: the per-launch summary of the segment ids takes {1:F3} ms, "
            "{2:F2}% of the masked kernel's {3:F2} ms (target at most 3%)\n",
            m.row->name, m.summary.median(),
            m.masked.median() > 0
                ? 100.0 * m.summary.median() / m.masked.median()
                : 0.0,
            m.masked.median());
      if (m.row->data == SparseRow::Data::Layout)
        os << llvm::formatv("  {0}: the layout is read directly by each "
                            "query tile; no summary step\n",
                            m.row->name);
    }
  }
  if (!linearResults.empty())
    printLinearRows(os, linearResults);
  bool allPassed = true;
  os << "\nchecks:\n";
  if (!results.empty())
    os << llvm::formatv("  workloads: max abs error of the kernel against the "
                        "baseline (every output) and against double "
                        "precision ({0} sampled rows, the baseline's "
                        "alongside)\n",
                        std::max(2u, unsigned(sampleRows)));
  for (const Measured &m : results) {
    os << llvm::formatv("  {0}: vs baseline {1:E2}; rows vs fp64: kernel "
                        "{2:E2}, baseline {3:E2} (tolerance {4:E2}): {5}\n",
                        m.workload->name, m.errorVsBaseline, m.kernelRowError,
                        m.baselineRowError, m.tolerance,
                        m.passed ? "ok" : "FAILED");
    allPassed &= m.passed;
  }
  for (const SparseMeasured &m : sparseResults) {
    os << llvm::formatv("  {0}: masked kernel rows vs fp64 {1:E2} (tolerance "
                        "{2:E2}, twice a straightforward f32 "
                        "implementation's + 1e-5): {3}\n",
                        m.row->name, m.error, m.tolerance,
                        m.passed ? "ok" : "FAILED");
    allPassed &= m.passed;
  }
  if (!linearResults.empty()) {
    bool passed = linearError <= linearTolerance;
    os << llvm::formatv("  L {0}: linear kernel vs fp64, every row {1:E2} "
                        "(tolerance {2:E2}, twice a straightforward f32 "
                        "implementation's + 1e-5): {3}\n",
                        linearResults.front().length, linearError,
                        linearTolerance, passed ? "ok" : "FAILED");
    allPassed &= passed;
  }
  os << llvm::formatv(
      "\ntotal {0:F1} s\n",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count());
  return allPassed ? 0 : 1;
}
