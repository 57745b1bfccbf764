//===- AttentionOracle.cpp - Reference semantics of attn.attention --------===//
//
// The direct, quadratic evaluation of VARIANTS.md sections 1 to 5 and 7 for
// one attn.attention op: for every row, decide the kept keys, compute and
// modify the scores, normalise, and sum the values. Nothing is tiled or
// fused; clarity is the point. Run-time shapes and data (lengths, page
// tables, index lists) are checked and reported, never trusted.
//
//===----------------------------------------------------------------------===//

#include "OracleInternal.h"
#include "RegionInterpreter.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::reference;

static constexpr double kNegInf = -std::numeric_limits<double>::infinity();

bool ::mlir::attn::reference::isInNeighborhood1D(int64_t i, int64_t j,
                                                 int64_t extent, int64_t kernel,
                                                 int64_t dilation,
                                                 int64_t stride, bool causal) {
  int64_t group = i % dilation;
  if (j % dilation != group)
    return false;
  int64_t groupLength = (extent - group + dilation - 1) / dilation;
  int64_t u = i / dilation, w = j / dilation;
  if (causal) {
    int64_t leader =
        std::min((u / stride) * stride + stride - 1, groupLength - 1);
    return w <= u && leader - w < kernel;
  }
  int64_t centre =
      std::min(groupLength - 1, (u / stride) * stride + stride / 2);
  int64_t start = std::clamp<int64_t>(
      centre - kernel / 2, 0, std::max<int64_t>(groupLength - kernel, 0));
  return start <= w && w < start + std::min(kernel, groupLength);
}

namespace {

/// A modifier with the operand it reads (temperature and bias take the next
/// tensor of their group in list order).
struct BoundModifier {
  Attribute attr;
  const Tensor *operand = nullptr;
};

class AttentionEvaluator {
public:
  AttentionEvaluator(AttentionOp op, ValueLookup lookup,
                     const EvaluationOptions &options = {})
      : op(op), lookup(lookup), round(options.roundIntermediate),
        includeRow(options.includeRow) {}

  FailureOr<std::vector<Tensor>> run();
  /// Kept pairs only: the masks of every row, nothing else evaluated.
  FailureOr<AttentionWork> countKeptPairs(KeptKeysVisitor visit);

private:
  const Tensor *get(Value v) { return v ? lookup(v) : nullptr; }
  InFlightDiagnostic error() { return op.emitError(); }
  LogicalResult checkDim(const Tensor &t, StringRef name, int64_t dim,
                         int64_t expected, StringRef meaning,
                         bool broadcast = false);
  LogicalResult checkRank(const Tensor &t, StringRef name, int64_t rank);
  LogicalResult bindShapes();
  LogicalResult bindDataMasks();
  LogicalResult bindModifiers();
  LogicalResult checkLengths();
  /// Binds and checks the operands and compiles the regions (run() and
  /// countKeptPairs() start with it).
  LogicalResult prepare();

  /// Keeps of row (b, h, i) with position p; fails on bad data.
  LogicalResult collectKeptKeys(int64_t b, int64_t h, int64_t i, int64_t p,
                                int64_t kvLen, SmallVectorImpl<int64_t> &kept);
  FailureOr<bool> keepNeighborhood(NeighborhoodMaskAttr mask, int64_t p,
                                   int64_t j, int64_t kvLen);
  /// The key (or value) vector of key j for kv head kvh in batch b.
  FailureOr<const double *> keyRow(const Tensor &t, int64_t b, int64_t kvh,
                                   int64_t j);
  LogicalResult modifyScores(int64_t b, int64_t h, int64_t i, int64_t p,
                             ArrayRef<int64_t> kept,
                             SmallVectorImpl<double> &s);

  AttentionOp op;
  ValueLookup lookup;
  /// Rounds what a straightforward narrow-type implementation stores (see
  /// EvaluationOptions); null for the exact semantics.
  double (*round)(double);
  /// Rows to evaluate (all when null).
  std::function<bool(int64_t, int64_t, int64_t)> includeRow;
  double rounded(double x) const { return round ? round(x) : x; }
  /// Such an implementation accumulates its dot products in f32.
  double accumulated(double x) const {
    return round ? static_cast<double>(static_cast<float>(x)) : x;
  }
  const Tensor *q = nullptr, *k = nullptr, *v = nullptr;
  const Tensor *qLen = nullptr, *kvLen = nullptr, *pageTable = nullptr;
  int64_t batch = 0, queryHeads = 0, queryLen = 0, headDim = 0;
  int64_t kvHeads = 0, keyLen = 0, valueDim = 0, pageSize = 0, numPages = 0;
  int64_t group = 1;

  // Data masks, resolved once.
  const Tensor *segments = nullptr, *kvSegments = nullptr, *limit = nullptr,
               *layout = nullptr;
  BlockSparseMaskAttr blockSparse;
  /// For index lists: per (layout row), a bitmap over key blocks.
  std::vector<std::vector<char>> listedBlocks;
  int64_t keyBlocks = 0;
  /// For selected tokens: per (b, selection head), a bitmap over keys.
  std::vector<std::vector<char>> selectedKeys;
  int64_t selectionHeads = 0;

  std::vector<BoundModifier> modifiers;
  std::vector<const Tensor *> captures;
  std::optional<RegionProgram> scoreProgram, maskProgram;
  RegionContext regionContext;
  std::vector<int64_t> positionOffsets;
};

LogicalResult AttentionEvaluator::checkRank(const Tensor &t, StringRef name,
                                            int64_t rank) {
  if (t.rank() != rank)
    return error() << name << " has shape " << t.shapeString()
                   << ", expected rank " << rank;
  return success();
}

LogicalResult AttentionEvaluator::checkDim(const Tensor &t, StringRef name,
                                           int64_t dim, int64_t expected,
                                           StringRef meaning, bool broadcast) {
  int64_t actual = t.shape[dim];
  if (actual == expected || (broadcast && actual == 1))
    return success();
  return error() << name << " dimension " << dim << " is " << actual
                 << ", expected " << (broadcast ? "1 or " : "") << expected
                 << " (" << meaning << "); " << name << " has shape "
                 << t.shapeString();
}

LogicalResult AttentionEvaluator::bindShapes() {
  q = get(op.getQuery());
  k = get(op.getKey());
  v = get(op.getValue());
  if (failed(checkRank(*q, "query", 4)) || failed(checkRank(*k, "key", 4)) ||
      failed(checkRank(*v, "value", 4)))
    return failure();
  batch = q->dim(0);
  queryHeads = q->dim(1);
  queryLen = q->dim(2);
  headDim = q->dim(3);
  valueDim = v->dim(3);
  pageTable = get(op.getPageTable());
  if (pageTable) {
    numPages = k->dim(0);
    pageSize = k->dim(1);
    kvHeads = k->dim(2);
    if (failed(checkRank(*pageTable, "page_table", 2)) ||
        failed(checkDim(*pageTable, "page_table", 0, batch, "B")))
      return failure();
    keyLen = pageTable->dim(1) * pageSize;
    if (failed(checkDim(*v, "value", 0, numPages, "num_pages")) ||
        failed(checkDim(*v, "value", 1, pageSize, "page_size")) ||
        failed(checkDim(*v, "value", 2, kvHeads, "Hkv")))
      return failure();
  } else {
    kvHeads = k->dim(1);
    keyLen = k->dim(2);
    if (failed(checkDim(*k, "key", 0, batch, "B")) ||
        failed(checkDim(*v, "value", 0, batch, "B")) ||
        failed(checkDim(*v, "value", 1, kvHeads, "Hkv")) ||
        failed(checkDim(*v, "value", 2, keyLen, "Skv")))
      return failure();
  }
  if (failed(checkDim(*k, "key", 3, headDim, "D")))
    return failure();
  if (kvHeads == 0 || queryHeads % kvHeads != 0)
    return error() << "query heads " << queryHeads
                   << " not a multiple of key/value heads " << kvHeads;
  group = queryHeads / kvHeads;
  return success();
}

LogicalResult AttentionEvaluator::checkLengths() {
  qLen = get(op.getQLen());
  kvLen = get(op.getKvLen());
  for (auto [name, t, bound, meaning] :
       {std::tuple<StringRef, const Tensor *, int64_t, StringRef>{
            "q_len", qLen, queryLen, "Sq"},
        {"kv_len", kvLen, keyLen, "Skv"}}) {
    if (!t)
      continue;
    if (failed(checkRank(*t, name, 1)) ||
        failed(checkDim(*t, name, 0, batch, "B")))
      return failure();
    for (int64_t b = 0; b < batch; ++b)
      if (t->data[b] < 0 || t->data[b] > bound)
        return error() << name << "[" << b
                       << "] = " << static_cast<int64_t>(t->data[b])
                       << " is outside [0, " << bound << "] (" << meaning
                       << ")";
  }
  positionOffsets.assign(batch, 0);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t ql = qLen ? static_cast<int64_t>(qLen->data[b]) : queryLen;
    int64_t kl = kvLen ? static_cast<int64_t>(kvLen->data[b]) : keyLen;
    if (op.getAlignment() == Alignment::bottom_right)
      positionOffsets[b] = kl - ql;
  }
  return success();
}

LogicalResult AttentionEvaluator::bindDataMasks() {
  if (op.getMaskOfType<DocumentMaskAttr>()) {
    segments = get(op.getSegmentIds());
    kvSegments = get(op.getKvSegmentIds());
    if (failed(checkRank(*segments, "segment_ids", 2)) ||
        failed(checkDim(*segments, "segment_ids", 0, batch, "B", true)) ||
        failed(checkDim(*segments, "segment_ids", 1, queryLen, "Sq", true)))
      return failure();
    if (kvSegments) {
      if (failed(checkRank(*kvSegments, "kv_segment_ids", 2)) ||
          failed(
              checkDim(*kvSegments, "kv_segment_ids", 0, batch, "B", true)) ||
          failed(
              checkDim(*kvSegments, "kv_segment_ids", 1, keyLen, "Skv", true)))
        return failure();
    } else if (queryLen != keyLen) {
      return error() << "document mask: kv_segment_ids is needed when Sq ("
                     << queryLen << ") differs from Skv (" << keyLen << ")";
    } else {
      kvSegments = segments;
    }
  }
  if (op.getMaskOfType<KeyLimitMaskAttr>()) {
    limit = get(op.getKeyLimit());
    bool perHead = limit->rank() == 3;
    if (failed(checkDim(*limit, "key_limit", 0, batch, "B", true)) ||
        (perHead &&
         failed(checkDim(*limit, "key_limit", 1, queryHeads, "Hq", true))) ||
        failed(checkDim(*limit, "key_limit", perHead ? 2 : 1, queryLen, "Sq",
                        true)))
      return failure();
  }
  if ((blockSparse = op.getMaskOfType<BlockSparseMaskAttr>())) {
    layout = get(op.getBlockLayout());
    int64_t qBlocks =
        (queryLen + blockSparse.getQBlock() - 1) / blockSparse.getQBlock();
    keyBlocks =
        (keyLen + blockSparse.getKvBlock() - 1) / blockSparse.getKvBlock();
    bool bitmap = blockSparse.getFormat() == BlockLayoutFormat::bitmap;
    if (failed(checkRank(*layout, "block_layout", 4)) ||
        failed(checkDim(*layout, "block_layout", 0, batch, "B", true)) ||
        failed(checkDim(*layout, "block_layout", 1, queryHeads, "Hq", true)) ||
        failed(checkDim(*layout, "block_layout", 2, qBlocks, "ceil(Sq/Bq)")) ||
        (bitmap && failed(checkDim(*layout, "block_layout", 3, keyBlocks,
                                   "ceil(Skv/Bk)"))))
      return failure();
    if (!bitmap) {
      int64_t rows = layout->dim(0) * layout->dim(1) * layout->dim(2);
      int64_t width = layout->dim(3);
      listedBlocks.assign(rows, std::vector<char>(keyBlocks, 0));
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < width; ++c) {
          double block = layout->data[r * width + c];
          if (block == -1)
            continue;
          if (block < 0 || block >= keyBlocks)
            return error() << "block_layout entry "
                           << static_cast<int64_t>(block) << " (row " << r
                           << ", slot " << c << ") is neither -1 nor a key "
                           << "block in [0, " << keyBlocks << ")";
          listedBlocks[r][static_cast<int64_t>(block)] = 1;
        }
    }
  }
  if (op.getMaskOfType<SelectedTokensMaskAttr>()) {
    const Tensor *idx = get(op.getSelected());
    selectionHeads = idx->dim(1);
    if (failed(checkRank(*idx, "selected", 3)) ||
        failed(checkDim(*idx, "selected", 0, batch, "B")))
      return failure();
    if (selectionHeads != queryHeads && selectionHeads != kvHeads)
      return error() << "selected dimension 1 is " << selectionHeads
                     << ", expected Hq (" << queryHeads << ") or Hkv ("
                     << kvHeads << ")";
    int64_t rows = batch * selectionHeads, width = idx->dim(2);
    selectedKeys.assign(rows, std::vector<char>(keyLen, 0));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < width; ++c) {
        double key = idx->data[r * width + c];
        if (key == -1)
          continue;
        if (key < 0 || key >= keyLen)
          return error() << "selected entry " << static_cast<int64_t>(key)
                         << " (row " << r << ", slot " << c
                         << ") is neither -1 nor a key in "
                         << "[0, " << keyLen << ")";
        selectedKeys[r][static_cast<int64_t>(key)] = 1;
      }
  }
  return success();
}

LogicalResult AttentionEvaluator::bindModifiers() {
  unsigned temperature = 0, bias = 0;
  for (Attribute mod : op.getModifiers()) {
    BoundModifier bound{mod};
    if (llvm::isa<TemperatureModAttr>(mod)) {
      bound.operand = get(op.getTemperature()[temperature++]);
      const Tensor &t = *bound.operand;
      if (t.rank() == 1
              ? failed(checkDim(t, "temperature", 0, queryHeads, "Hq", true))
              : (failed(checkDim(t, "temperature", 0, batch, "B", true)) ||
                 failed(
                     checkDim(t, "temperature", 1, queryHeads, "Hq", true)) ||
                 failed(checkDim(t, "temperature", 2, queryLen, "Sq", true))))
        return failure();
    } else if (llvm::isa<BiasModAttr>(mod)) {
      bound.operand = get(op.getBias()[bias++]);
      const Tensor &t = *bound.operand;
      int64_t full[4] = {batch, queryHeads, queryLen, keyLen};
      const char *meaning[4] = {"B", "Hq", "Sq", "Skv"};
      if (t.rank() > 4)
        return error() << "bias has shape " << t.shapeString()
                       << ", which does not broadcast to [B, Hq, Sq, Skv]";
      for (int64_t d = 0; d < t.rank(); ++d)
        if (failed(checkDim(t, "bias", d, full[4 - t.rank() + d],
                            meaning[4 - t.rank() + d], true)))
          return failure();
    } else if (llvm::isa<AlibiModAttr>(mod)) {
      bound.operand = get(op.getAlibiSlopes());
      if (failed(checkDim(*bound.operand, "alibi_slopes", 0, queryHeads, "Hq",
                          true)))
        return failure();
    } else if (auto rel = llvm::dyn_cast<RelativePositionModAttr>(mod)) {
      bound.operand = get(op.getPositionTable());
      if (failed(checkDim(*bound.operand, "position_table", 0, queryHeads, "Hq",
                          true)) ||
          failed(checkDim(*bound.operand, "position_table", 1,
                          2 * rel.getMaxDistance() + 1, "2R+1", true)))
        return failure();
    }
    modifiers.push_back(bound);
  }
  // Kinds apply in their fixed order; one kind keeps list order.
  std::vector<BoundModifier> ordered;
  for (unsigned position : op.getModifierApplicationOrder())
    ordered.push_back(modifiers[position]);
  modifiers = std::move(ordered);
  return success();
}

FailureOr<bool> AttentionEvaluator::keepNeighborhood(NeighborhoodMaskAttr mask,
                                                     int64_t p, int64_t j,
                                                     int64_t kvLength) {
  ArrayRef<int64_t> grid = mask.getGrid();
  int64_t tokens = 1;
  for (int64_t extent : grid)
    tokens *= extent;
  if (tokens != kvLength)
    return op.emitError() << "neighborhood grid holds " << tokens
                          << " tokens but the key length is " << kvLength;
  if (p < 0 || p >= tokens)
    return op.emitError() << "query position " << p
                          << " falls outside the neighborhood grid of "
                          << tokens << " tokens";
  if (j < mask.getSinks() && (!mask.isAnyCausal() || j <= p))
    return true;
  int64_t qRest = p, kRest = j;
  for (int64_t d = grid.size() - 1; d >= 0; --d) {
    int64_t qc = qRest % grid[d], kc = kRest % grid[d];
    qRest /= grid[d];
    kRest /= grid[d];
    if (!isInNeighborhood1D(qc, kc, grid[d], mask.getKernel()[d],
                            mask.getDilationAt(d), mask.getStrideAt(d),
                            mask.isCausalAt(d)))
      return false;
  }
  return true;
}

LogicalResult
AttentionEvaluator::collectKeptKeys(int64_t b, int64_t h, int64_t i, int64_t p,
                                    int64_t kvLength,
                                    SmallVectorImpl<int64_t> &kept) {
  int64_t kvh = h / group;
  for (int64_t j = 0; j < kvLength; ++j) {
    bool keep = true;
    for (Attribute mask : op.getMasks()) {
      if (!keep)
        break;
      if (llvm::isa<CausalMaskAttr>(mask)) {
        keep = j <= p;
      } else if (auto w = llvm::dyn_cast<SlidingWindowMaskAttr>(mask)) {
        bool inWindow = (!w.getLeft() || j >= p - *w.getLeft()) &&
                        (!w.getRight() || j <= p + *w.getRight());
        keep = inWindow || j < w.getSinks();
      } else if (auto prefix = llvm::dyn_cast<PrefixLMMaskAttr>(mask)) {
        keep = j < prefix.getPrefix() || j <= p;
      } else if (llvm::isa<DocumentMaskAttr>(mask)) {
        keep = segments->atBroadcast({b, i}) == kvSegments->atBroadcast({b, j});
      } else if (llvm::isa<KeyLimitMaskAttr>(mask)) {
        double bound = limit->rank() == 3 ? limit->atBroadcast({b, h, i})
                                          : limit->atBroadcast({b, i});
        keep = j < bound;
      } else if (auto na = llvm::dyn_cast<NeighborhoodMaskAttr>(mask)) {
        FailureOr<bool> inside = keepNeighborhood(na, p, j, kvLength);
        if (failed(inside))
          return failure();
        keep = *inside;
      } else if (llvm::isa<BlockSparseMaskAttr>(mask)) {
        int64_t lb = layout->dim(0) == 1 ? 0 : b;
        int64_t lh = layout->dim(1) == 1 ? 0 : h;
        int64_t qb = i / blockSparse.getQBlock();
        int64_t kb = j / blockSparse.getKvBlock();
        if (blockSparse.getFormat() == BlockLayoutFormat::bitmap)
          keep = layout->at({lb, lh, qb, kb}) != 0;
        else
          keep = listedBlocks[(lb * layout->dim(1) + lh) * layout->dim(2) + qb]
                             [kb];
      } else if (llvm::isa<SelectedTokensMaskAttr>(mask)) {
        int64_t sh = selectionHeads == queryHeads ? h : kvh;
        keep = selectedKeys[b * selectionHeads + sh][j];
      }
    }
    if (keep && maskProgram) {
      std::optional<double> result = maskProgram->run(
          {double(b), double(h), double(i), double(j)}, regionContext);
      if (!result) {
        auto [loc, message] = *maskProgram->getError();
        return emitError(loc) << "in the mask region at (b=" << b << ", h=" << h
                              << ", i=" << i << ", j=" << j << "): " << message;
      }
      keep = *result != 0.0;
    }
    if (keep)
      kept.push_back(j);
  }
  return success();
}

FailureOr<const double *> AttentionEvaluator::keyRow(const Tensor &t, int64_t b,
                                                     int64_t kvh, int64_t j) {
  if (!pageTable)
    return &t.data[t.offset({b, kvh, j, 0})];
  int64_t slot = static_cast<int64_t>(pageTable->at({b, j / pageSize}));
  if (slot < 0 || slot >= numPages)
    return op.emitError() << "page_table[" << b << ", " << j / pageSize
                          << "] = " << slot << " is not a page in [0, "
                          << numPages << ")";
  return &t.data[t.offset({slot, j % pageSize, kvh, 0})];
}

LogicalResult AttentionEvaluator::modifyScores(int64_t b, int64_t h, int64_t i,
                                               int64_t p,
                                               ArrayRef<int64_t> kept,
                                               SmallVectorImpl<double> &s) {
  double keptCount = static_cast<double>(kept.size());
  for (const BoundModifier &mod : modifiers) {
    Attribute attr = mod.attr;
    for (auto [n, j] : llvm::enumerate(kept)) {
      double &x = s[n];
      double distance = static_cast<double>(j - p);
      if (llvm::isa<TemperatureModAttr>(attr))
        x /= mod.operand->rank() == 1 ? mod.operand->atBroadcast({h})
                                      : mod.operand->atBroadcast({b, h, i});
      else if (auto ls = llvm::dyn_cast<LengthScalingModAttr>(attr))
        x *= std::log(keptCount) / std::log(ls.getBase().convertToDouble());
      else if (auto cap = llvm::dyn_cast<SoftcapModAttr>(attr))
        x = cap.getCap().convertToDouble() *
            std::tanh(x / cap.getCap().convertToDouble());
      else if (auto alibi = llvm::dyn_cast<AlibiModAttr>(attr))
        x += alibi.getSymmetric()
                 ? -mod.operand->atBroadcast({h}) * std::fabs(distance)
                 : mod.operand->atBroadcast({h}) * distance;
      else if (auto rel = llvm::dyn_cast<RelativePositionModAttr>(attr)) {
        int64_t r = rel.getMaxDistance();
        int64_t bucket = std::clamp<int64_t>(j - p, -r, r) + r;
        x += mod.operand->atBroadcast({h, bucket});
      } else if (llvm::isa<BiasModAttr>(attr))
        x += mod.operand->atBroadcast({b, h, i, j});
      else if (auto sink = llvm::dyn_cast<SinkCalibrationModAttr>(attr)) {
        for (auto [c, column] : llvm::enumerate(sink.getColumns()))
          if (column == j) {
            x += std::log(sink.getFactorAt(c));
            break;
          }
      }
    }
  }
  if (!scoreProgram)
    return success();
  for (auto [n, j] : llvm::enumerate(kept)) {
    std::optional<double> result = scoreProgram->run(
        {s[n], double(b), double(h), double(i), double(j)}, regionContext);
    if (!result) {
      auto [loc, message] = *scoreProgram->getError();
      return emitError(loc) << "in the score region at (b=" << b << ", h=" << h
                            << ", i=" << i << ", j=" << j << "): " << message;
    }
    s[n] = *result;
  }
  return success();
}

/// Weights of one row from its modified scores; `lse` gets the log of the
/// weight sum before normalisation. Returns false for a row that gives 0.
bool normalize(NormalizerAttrInterface normalizer, ArrayRef<double> s,
               SmallVectorImpl<double> &w, double &lse) {
  w.assign(s.size(), 0.0);
  lse = kNegInf;
  if (s.empty() || llvm::all_of(s, [](double x) { return x == kNegInf; }))
    return false;
  Attribute attr = normalizer;
  if (llvm::isa<SoftmaxAttr, ClippedSoftmaxAttr>(attr)) {
    double m = *std::max_element(s.begin(), s.end());
    double sum = 0.0;
    for (auto [n, x] : llvm::enumerate(s))
      sum += (w[n] = std::exp(x - m));
    for (double &x : w)
      x /= sum;
    lse = m + std::log(sum);
    if (auto clipped = llvm::dyn_cast<ClippedSoftmaxAttr>(attr)) {
      double zeta = clipped.getZeta().convertToDouble();
      double gamma = clipped.getGamma().convertToDouble();
      for (double &x : w)
        x = std::clamp((zeta - gamma) * x + gamma, 0.0, 1.0);
    }
    return true;
  }
  if (auto sigmoid = llvm::dyn_cast<SigmoidAttr>(attr)) {
    double bias = sigmoid.getLogLength()
                      ? -std::log(static_cast<double>(s.size()))
                      : sigmoid.getBias().convertToDouble();
    for (auto [n, x] : llvm::enumerate(s))
      w[n] = 1.0 / (1.0 + std::exp(-(x + bias)));
    return true;
  }
  if (llvm::isa<NoNormalizerAttr>(attr)) {
    for (auto [n, x] : llvm::enumerate(s))
      w[n] = x;
    return true;
  }
  bool l1 = true;
  if (auto softplus = llvm::dyn_cast<SoftplusAttr>(attr)) {
    double g = softplus.getPower().convertToDouble();
    for (auto [n, x] : llvm::enumerate(s)) {
      double sp =
          x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
      w[n] = std::pow(sp, g);
    }
  } else if (auto relu = llvm::dyn_cast<ReluAttr>(attr)) {
    double power = relu.getPower().convertToDouble();
    for (auto [n, x] : llvm::enumerate(s))
      w[n] = x > 0 ? std::pow(x, power) : 0.0;
    l1 = relu.getNormalized();
  }
  if (!l1)
    return true;
  double sum = 0.0;
  for (double x : w)
    sum += x;
  if (sum == 0.0) {
    w.assign(s.size(), 0.0);
    return false;
  }
  for (double &x : w)
    x /= sum;
  lse = std::log(sum);
  return true;
}

LogicalResult AttentionEvaluator::prepare() {
  if (failed(bindShapes()) || failed(checkLengths()) ||
      failed(bindDataMasks()) || failed(bindModifiers()))
    return failure();
  for (Value capture : op.getCaptures())
    captures.push_back(get(capture));
  regionContext.captures = captures;
  regionContext.position = [this](int64_t b, int64_t i) {
    return i + (b >= 0 && b < batch ? positionOffsets[b] : 0);
  };
  if (!op.getScore().empty()) {
    FailureOr<RegionProgram> program = RegionProgram::compile(
        op.getScore(), AttentionOp::kScoreRegionIndexArgs);
    if (failed(program))
      return failure();
    scoreProgram = std::move(*program);
  }
  if (!op.getMask().empty()) {
    FailureOr<RegionProgram> program =
        RegionProgram::compile(op.getMask(), AttentionOp::kMaskRegionIndexArgs);
    if (failed(program))
      return failure();
    maskProgram = std::move(*program);
  }
  return success();
}

FailureOr<AttentionWork>
AttentionEvaluator::countKeptPairs(KeptKeysVisitor visit) {
  if (failed(prepare()))
    return failure();
  AttentionWork work;
  work.headDim = headDim;
  work.valueDim = valueDim;
  SmallVector<int64_t> kept;
  for (int64_t b = 0; b < batch; ++b) {
    int64_t rowCount = qLen ? static_cast<int64_t>(qLen->data[b]) : queryLen;
    int64_t kvLength = kvLen ? static_cast<int64_t>(kvLen->data[b]) : keyLen;
    for (int64_t h = 0; h < queryHeads; ++h)
      for (int64_t i = 0; i < rowCount; ++i) {
        kept.clear();
        if (failed(collectKeptKeys(b, h, i, i + positionOffsets[b], kvLength,
                                   kept)))
          return failure();
        work.keptPairs += static_cast<int64_t>(kept.size());
        visit(b, h, i, kept);
      }
  }
  return work;
}

FailureOr<std::vector<Tensor>> AttentionEvaluator::run() {
  if (failed(prepare()))
    return failure();

  const Tensor *gate = get(op.getGate());
  if (gate) {
    int64_t full[4] = {batch, queryHeads, queryLen, valueDim};
    const char *meaning[4] = {"B", "Hq", "Sq", "Dv"};
    for (int64_t d = 0; d < gate->rank(); ++d)
      if (failed(checkDim(*gate, "gate", d, full[d], meaning[d], true)))
        return failure();
  }

  NormalizerAttrInterface normalizer = op.getNormalizerOrDefault();
  double scale = op.getScaleOrDefault();
  Tensor output({batch, queryHeads, queryLen, valueDim});
  Tensor lse({batch, queryHeads, queryLen}, kNegInf);
  std::optional<ArrayRef<int64_t>> blockSizes = op.getBlockStats();
  Tensor blockMax;
  if (blockSizes)
    blockMax = Tensor({batch, queryHeads,
                       (queryLen + (*blockSizes)[0] - 1) / (*blockSizes)[0],
                       (keyLen + (*blockSizes)[1] - 1) / (*blockSizes)[1]});

  SmallVector<int64_t> kept;
  SmallVector<double> scores, weights;
  for (int64_t b = 0; b < batch; ++b) {
    int64_t rowCount = qLen ? static_cast<int64_t>(qLen->data[b]) : queryLen;
    int64_t kvLength = kvLen ? static_cast<int64_t>(kvLen->data[b]) : keyLen;
    for (int64_t h = 0; h < queryHeads; ++h) {
      int64_t kvh = h / group;
      for (int64_t i = 0; i < rowCount; ++i) {
        if (includeRow && !includeRow(b, h, i)) {
          // Not sampled: NaN marks the row as not evaluated.
          for (int64_t d = 0; d < valueDim; ++d)
            output.at({b, h, i, d}) = NAN;
          lse.at({b, h, i}) = NAN;
          continue;
        }
        int64_t p = i + positionOffsets[b];
        kept.clear();
        if (failed(collectKeptKeys(b, h, i, p, kvLength, kept)))
          return failure();
        const double *qi = &q->data[q->offset({b, h, i, 0})];
        scores.clear();
        for (int64_t j : kept) {
          FailureOr<const double *> kj = keyRow(*k, b, kvh, j);
          if (failed(kj))
            return failure();
          double dot = 0.0;
          for (int64_t d = 0; d < headDim; ++d)
            dot = accumulated(dot + qi[d] * (*kj)[d]);
          scores.push_back(rounded(scale * dot));
        }
        if (failed(modifyScores(b, h, i, p, kept, scores)))
          return failure();
        // A straightforward implementation stores the modified scores too.
        for (double &x : scores)
          x = rounded(x);
        double rowLse;
        if (!normalize(normalizer, scores, weights, rowLse))
          continue; // o = 0, lse = -inf
        for (double &w : weights)
          w = rounded(w);
        lse.at({b, h, i}) = rowLse;
        double *oi = &output.data[output.offset({b, h, i, 0})];
        for (auto [n, j] : llvm::enumerate(kept)) {
          FailureOr<const double *> vj = keyRow(*v, b, kvh, j);
          if (failed(vj))
            return failure();
          for (int64_t d = 0; d < valueDim; ++d)
            oi[d] = accumulated(oi[d] + weights[n] * (*vj)[d]);
          if (blockSizes) {
            double &cell =
                blockMax.at({b, h, i / (*blockSizes)[0], j / (*blockSizes)[1]});
            cell = std::max(cell, weights[n]);
          }
        }
        if (gate)
          for (int64_t d = 0; d < valueDim; ++d) {
            double g = gate->rank() == 3 ? gate->atBroadcast({b, h, i})
                                         : gate->atBroadcast({b, h, i, d});
            oi[d] *= 1.0 / (1.0 + std::exp(-g));
          }
        for (int64_t d = 0; d < valueDim; ++d)
          oi[d] = rounded(oi[d]);
      }
    }
  }
  // A block maximum aggregates rows: with some of its rows not evaluated it
  // is not known either (NaN, like the rows themselves).
  if (blockSizes && includeRow)
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t h = 0; h < queryHeads; ++h)
        for (int64_t i = 0; i < queryLen; ++i)
          if (!includeRow(b, h, i))
            for (int64_t kb = 0; kb < blockMax.dim(3); ++kb)
              blockMax.at({b, h, i / (*blockSizes)[0], kb}) = NAN;
  std::vector<Tensor> results;
  results.push_back(std::move(output));
  if (op.getLse())
    results.push_back(std::move(lse));
  if (op.getBlockMax())
    results.push_back(std::move(blockMax));
  return results;
}

} // namespace

namespace mlir::attn::reference {
FailureOr<std::vector<Tensor>>
evaluateAttention(AttentionOp op, ValueLookup lookup,
                  const EvaluationOptions &options) {
  AttentionEvaluator evaluator(op, lookup, options);
  return evaluator.run();
}

FailureOr<AttentionWork> countAttentionKeptPairs(AttentionOp op,
                                                 ValueLookup lookup,
                                                 KeptKeysVisitor visit) {
  AttentionEvaluator evaluator(op, lookup);
  return evaluator.countKeptPairs(visit);
}
} // namespace mlir::attn::reference
