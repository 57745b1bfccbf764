//===- Inputs.cpp - Shapes and inputs for running a spec ------------------===//
//
// Roles come from the ODS operand groups of the attn op that reads an
// argument; shapes and data follow from the roles. The generated data is
// valid by construction (sorted segment ids, page permutations, lengths in
// range), so a run exercises the variant rather than its error paths.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/Inputs.h"

#include "attn/Dialect/Attn.h"
#include "attn/Support/Npy.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::ArgumentPlan;
using ::mlir::attn::ArgumentRole;
using ::mlir::attn::DimBindings;
using ::mlir::attn::reference::ElementKind;
using ::mlir::attn::reference::Tensor;

namespace {

/// Operand group names, in ODS order.
constexpr const char *kAttentionGroups[] = {"query",        "key",
                                            "value",        "q_len",
                                            "kv_len",       "page_table",
                                            "segment_ids",  "kv_segment_ids",
                                            "key_limit",    "block_layout",
                                            "selected",     "temperature",
                                            "alibi_slopes", "position_table",
                                            "bias",         "gate",
                                            "captures"};
constexpr const char *kLinearGroups[] = {"query", "key",    "value",
                                         "q_len", "kv_len", "weights"};
constexpr const char *kMergeGroups[] = {"partial_output", "partial_lse"};

template <typename OpT, size_t N>
std::string groupOf(OpT op, unsigned operand, const char *const (&names)[N]) {
  for (unsigned g = 0; g < N; ++g) {
    auto [start, length] = op.getODSOperandIndexAndLength(g);
    if (operand >= start && operand < start + length)
      return names[g];
  }
  return "unused";
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace

std::vector<ArgumentRole> mlir::attn::inferArgumentRoles(func::FuncOp func) {
  std::vector<ArgumentRole> roles(func.getNumArguments());
  for (BlockArgument arg : func.getArguments()) {
    for (OpOperand &use : arg.getUses()) {
      Operation *user = use.getOwner();
      unsigned n = use.getOperandNumber();
      std::string name =
          llvm::TypeSwitch<Operation *, std::string>(user)
              .Case<AttentionOp>([&](AttentionOp op) {
                return groupOf(op, n, kAttentionGroups);
              })
              .Case<LinearAttentionOp>([&](LinearAttentionOp op) {
                return groupOf(op, n, kLinearGroups);
              })
              .Case<MergeOp>(
                  [&](MergeOp op) { return groupOf(op, n, kMergeGroups); })
              .Default([](Operation *) { return std::string("other"); });
      ArgumentRole &role = roles[arg.getArgNumber()];
      // The first attn use decides; a captured tensor keeps looking for a
      // more specific role.
      if (role.user == nullptr || role.name == "captures" ||
          role.name == "other") {
        role.name = name;
        role.user = user;
      }
    }
  }
  return roles;
}

/// The size each dimension of an argument with `role` takes: -1 where the role
/// says nothing.
static std::vector<int64_t> roleDims(const ArgumentRole &role, Value value,
                                     RankedTensorType type,
                                     const DimBindings &dims) {
  int64_t rank = type.getRank();
  std::vector<int64_t> out(rank, -1);
  auto dim = [&](const char *name) {
    auto it = dims.find(name);
    return it == dims.end() ? int64_t(-1) : it->second;
  };
  int64_t b = dim("B"), sq = dim("SQ"), skv = dim("SKV");
  const std::string &r = role.name;
  auto set = [&](std::initializer_list<int64_t> values) {
    int64_t n = 0;
    for (int64_t v : values)
      if (n < rank)
        out[n++] = v;
  };
  auto attention = llvm::dyn_cast_if_present<AttentionOp>(role.user);
  bool paged = attention && attention.isPaged();
  int64_t pageSize = -1;
  if (paged && !attention.getKey().getType().isDynamicDim(1))
    pageSize = attention.getKey().getType().getDimSize(1);
  if (r == "query" || r == "partial_output") {
    set({b, -1, sq, -1});
  } else if (r == "key" || r == "value") {
    if (paged)
      set({pageSize > 0 ? b * ceilDiv(skv, pageSize) : -1, pageSize, -1, -1});
    else
      set({b, -1, skv, -1});
  } else if (r == "q_len" || r == "kv_len") {
    set({b});
  } else if (r == "page_table") {
    set({b, pageSize > 0 ? ceilDiv(skv, pageSize) : -1});
  } else if (r == "segment_ids") {
    set({b, sq});
  } else if (r == "kv_segment_ids") {
    set({b, skv});
  } else if (r == "key_limit" || r == "temperature" || r == "gate" ||
             r == "partial_lse") {
    if (rank == 2)
      set({b, sq});
    else if (rank >= 3)
      set({b, -1, sq, -1});
  } else if (r == "block_layout" && attention) {
    auto mask = attention.getMaskOfType<BlockSparseMaskAttr>();
    int64_t keyBlocks = ceilDiv(skv, mask.getKvBlock());
    bool bitmap = mask.getFormat() == BlockLayoutFormat::bitmap;
    set({b, -1, ceilDiv(sq, mask.getQBlock()),
         bitmap ? keyBlocks
                : (dim("K") > 0 ? dim("K")
                                : std::max<int64_t>(1, keyBlocks / 2))});
  } else if (r == "selected") {
    set({b, -1, dim("K") > 0 ? dim("K") : std::max<int64_t>(1, skv / 2)});
  } else if (r == "captures" && attention) {
    // A capture read as t[.., b, .., i, .., j] has the sizes of the region
    // arguments that index it.
    auto captures = attention.getCaptures();
    auto it = llvm::find(captures, value);
    unsigned c = std::distance(captures.begin(), it);
    for (auto [region, leading] :
         {std::pair(&attention.getScore(), AttentionOp::kScoreRegionIndexArgs),
          std::pair(&attention.getMask(), AttentionOp::kMaskRegionIndexArgs)}) {
      if (region->empty() || it == captures.end())
        continue;
      Block &block = region->front();
      // Region arguments b, h, i, j are the last four leading ones.
      unsigned first = leading - 4;
      for (Operation *user : block.getArgument(leading + c).getUsers()) {
        auto extract = llvm::dyn_cast<tensor::ExtractOp>(user);
        if (!extract)
          continue;
        for (auto [d, index] : llvm::enumerate(extract.getIndices())) {
          auto arg = llvm::dyn_cast<BlockArgument>(index);
          if (!arg || arg.getOwner() != &block || d >= out.size())
            continue;
          unsigned which = arg.getArgNumber() - first;
          if (which == 0)
            out[d] = b;
          else if (which == 2)
            out[d] = sq;
          else if (which == 3)
            out[d] = skv;
        }
      }
    }
  } else if (r == "bias") {
    int64_t full[4] = {b, -1, sq, skv};
    for (int64_t n = 0; n < rank && n < 4; ++n)
      out[n] = full[4 - rank + n];
  }
  return out;
}

FailureOr<std::vector<ArgumentPlan>> mlir::attn::planArguments(
    func::FuncOp func, const DimBindings &dims,
    const std::map<unsigned, std::vector<int64_t>> &overrides,
    bool allowUnresolved) {
  std::vector<ArgumentRole> roles = inferArgumentRoles(func);
  std::vector<ArgumentPlan> plans;
  for (BlockArgument arg : func.getArguments()) {
    unsigned index = arg.getArgNumber();
    ArgumentPlan plan{
        index, "arg" + std::to_string(index), roles[index], arg.getType(), {}};
    if (auto name = func.getArgAttrOfType<StringAttr>(index, "attn.name"))
      plan.name = name.getValue().str();
    auto type = llvm::dyn_cast<RankedTensorType>(arg.getType());
    if (!type) {
      if (!arg.getType().isIntOrIndexOrFloat())
        return func.emitError()
               << "argument " << index << " has type " << arg.getType()
               << ", which attn-run cannot generate";
      plans.push_back(plan); // A scalar: rank 0.
      continue;
    }
    if (auto it = overrides.find(index); it != overrides.end()) {
      if (static_cast<int64_t>(it->second.size()) != type.getRank())
        return func.emitError() << "--shape arg" << index << " gives "
                                << it->second.size() << " dimensions but "
                                << "argument " << index << " has type " << type;
      for (auto [d, size] : llvm::enumerate(it->second))
        if (!type.isDynamicDim(d) && type.getDimSize(d) != size)
          return func.emitError()
                 << "--shape arg" << index << " sets dimension " << d << " to "
                 << size << " but the type " << type << " fixes it to "
                 << type.getDimSize(d);
      plan.shape = it->second;
      plans.push_back(plan);
      continue;
    }
    std::vector<int64_t> fromRole = roleDims(plan.role, arg, type, dims);
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d)) {
        plan.shape.push_back(type.getDimSize(d));
        continue;
      }
      if (fromRole[d] < 0 && !allowUnresolved)
        return func.emitError()
               << "cannot infer dimension " << d << " of argument " << index
               << " (" << plan.role.name << ", " << type
               << "); give its shape with --shape arg" << index << "=AxBx...";
      plan.shape.push_back(fromRole[d]);
    }
    plans.push_back(plan);
  }
  return plans;
}

void mlir::attn::roundToElementType(Tensor &tensor, Type elementType) {
  if (tensor.kind != ElementKind::Float)
    return;
  double (*round)(double) = nullptr;
  if (elementType.isF16())
    round = roundToF16;
  else if (elementType.isBF16())
    round = roundToBF16;
  else if (elementType.isF32())
    round = roundToF32;
  if (round)
    for (double &x : tensor.data)
      x = round(x);
}

/// `count` sorted segment ids over `length` tokens in `segments` segments.
static void fillSegments(double *out, int64_t length, int64_t segments,
                         std::mt19937_64 &rng) {
  std::vector<int64_t> cuts;
  std::uniform_int_distribution<int64_t> pick(1,
                                              std::max<int64_t>(1, length - 1));
  for (int64_t s = 1; s < segments && length > 1; ++s)
    cuts.push_back(pick(rng));
  std::sort(cuts.begin(), cuts.end());
  int64_t id = 0;
  size_t next = 0;
  for (int64_t t = 0; t < length; ++t) {
    while (next < cuts.size() && cuts[next] == t) {
      ++id;
      ++next;
    }
    out[t] = static_cast<double>(id);
  }
}

Tensor mlir::attn::generateArgument(const ArgumentPlan &plan,
                                    const DimBindings &dims,
                                    std::mt19937_64 &rng) {
  Type element = plan.type;
  if (auto tensorType = llvm::dyn_cast<RankedTensorType>(plan.type))
    element = tensorType.getElementType();
  bool integer = element.isIntOrIndex();
  Tensor t(plan.shape, 0.0,
           integer ? ElementKind::Integer : ElementKind::Float);
  const std::string &role = plan.role.name;
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  auto uniformInt = [&](int64_t lo, int64_t hi) {
    return static_cast<double>(
        std::uniform_int_distribution<int64_t>(lo, std::max(lo, hi))(rng));
  };
  auto dim = [&](const char *name, int64_t fallback) {
    auto it = dims.find(name);
    return it == dims.end() ? fallback : it->second;
  };
  int64_t n = t.numElements();

  if (role == "q_len" || role == "kv_len") {
    // With a paged cache the padded length is pages * page_size.
    int64_t bound = role == "q_len" ? dim("SQ", 1) : dim("SKV", 1);
    for (double &x : t.data)
      x = uniformInt(std::max<int64_t>(1, bound / 2), bound);
  } else if (role == "page_table") {
    std::vector<int64_t> pages(n);
    std::iota(pages.begin(), pages.end(), 0);
    std::shuffle(pages.begin(), pages.end(), rng);
    for (int64_t k = 0; k < n; ++k)
      t.data[k] = static_cast<double>(pages[k]);
  } else if (role == "segment_ids" || role == "kv_segment_ids") {
    // Segment counts come from their own fixed sequence, so queries and keys
    // of one batch entry get the same number of documents.
    int64_t rows = t.rank() == 2 ? t.dim(0) : 1, length = t.shape.back();
    std::mt19937_64 segmentRng(rows);
    for (int64_t r = 0; r < rows; ++r)
      fillSegments(&t.data[r * length], length,
                   1 + static_cast<int64_t>(segmentRng() % 4), rng);
  } else if (role == "key_limit") {
    for (double &x : t.data)
      x = uniformInt(0, dim("SKV", 1));
  } else if (role == "block_layout" || role == "selected") {
    auto attention = llvm::cast<AttentionOp>(plan.role.user);
    auto mask = attention.getMaskOfType<BlockSparseMaskAttr>();
    bool bitmap =
        role == "block_layout" && mask.getFormat() == BlockLayoutFormat::bitmap;
    if (bitmap) {
      for (double &x : t.data)
        x = uniformInt(0, 1);
    } else {
      int64_t range = role == "selected"
                          ? dim("SKV", 1)
                          : ceilDiv(dim("SKV", 1), mask.getKvBlock());
      int64_t width = t.shape.back();
      std::vector<int64_t> pool(range);
      std::iota(pool.begin(), pool.end(), 0);
      for (int64_t r = 0; r < n / std::max<int64_t>(width, 1); ++r) {
        std::shuffle(pool.begin(), pool.end(), rng);
        double *row = &t.data[r * width];
        for (int64_t c = 0; c < width; ++c) {
          // Selected keys: one entry in six repeats an earlier one (anywhere
          // in the list; duplicates count once).
          if (role == "selected" && c > 0 && uniformInt(0, 5) == 0)
            row[c] = row[static_cast<int64_t>(uniformInt(0, c - 1))];
          else
            row[c] = c < range && uniformInt(0, 7) != 0 ? pool[c] : -1.0;
        }
      }
    }
  } else if (role == "temperature") {
    for (double &x : t.data)
      x = 0.5 + 0.75 * (unit(rng) + 1.0);
  } else if (role == "alibi_slopes") {
    // The ALiBi paper's geometric slopes 2^(-8 h / H).
    for (int64_t h = 0; h < n; ++h)
      t.data[h] = std::pow(2.0, -8.0 * (h + 1) / static_cast<double>(n));
  } else if (role == "partial_lse") {
    // One part in eight saw no key (-inf), so some rows merge none.
    for (double &x : t.data)
      x = uniformInt(0, 7) == 0 ? -std::numeric_limits<double>::infinity()
                                : 2.0 * unit(rng);
  } else if (role == "weights") {
    std::normal_distribution<double> normal(0.0, 1.0);
    for (double &x : t.data)
      x = normal(rng);
  } else if (integer) {
    for (double &x : t.data)
      x = uniformInt(0, 3);
  } else {
    assert(isBulkArgument(plan) && "a role without its own generator");
    generateArgumentInChunks(plan, rng,
                             [&](int64_t offset, ArrayRef<double> chunk) {
                               llvm::copy(chunk, t.data.begin() + offset);
                             });
  }
  roundToElementType(t, element);
  return t;
}

bool mlir::attn::isBulkArgument(const ArgumentPlan &plan) {
  // The roles generateArgument() gives their own data.
  static constexpr const char *kSpecial[] = {
      "q_len",          "kv_len",       "page_table",   "segment_ids",
      "kv_segment_ids", "key_limit",    "block_layout", "selected",
      "temperature",    "alibi_slopes", "partial_lse",  "weights"};
  Type element = plan.type;
  if (auto tensorType = llvm::dyn_cast<RankedTensorType>(plan.type))
    element = tensorType.getElementType();
  return !element.isIntOrIndex() &&
         !llvm::is_contained(kSpecial, StringRef(plan.role.name));
}

void mlir::attn::generateArgumentInChunks(
    const ArgumentPlan &plan, std::mt19937_64 &rng,
    llvm::function_ref<void(int64_t, ArrayRef<double>)> sink) {
  assert(isBulkArgument(plan) && "only bulk data streams");
  static constexpr int64_t kChunk = 1 << 16;
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  int64_t n = 1;
  for (int64_t d : plan.shape)
    n *= d;
  std::vector<double> chunk;
  for (int64_t offset = 0; offset < n; offset += kChunk) {
    chunk.resize(std::min(kChunk, n - offset));
    for (double &x : chunk)
      x = unit(rng);
    sink(offset, chunk);
  }
}

LogicalResult mlir::attn::setHeadDim(func::FuncOp func, int64_t headDim) {
  // The last dimension of query, key, value, output and an elementwise
  // gate ([B, H, Sq, Dv]), and of a merge's parts and output.
  llvm::SetVector<Value> data;
  bool linear = false;
  func.walk([&](Operation *op) {
    if (auto a = llvm::dyn_cast<AttentionOp>(op)) {
      for (Value v : {a.getQuery(), a.getKey(), a.getValue(), a.getOutput()})
        data.insert(v);
      if (Value gate = a.getGate())
        if (llvm::cast<RankedTensorType>(gate.getType()).getRank() == 4)
          data.insert(gate);
    } else if (auto m = llvm::dyn_cast<MergeOp>(op)) {
      data.insert(m.getOutputs().begin(), m.getOutputs().end());
      data.insert(m.getOutput());
    } else if (llvm::isa<LinearAttentionOp>(op)) {
      linear = true;
    }
  });
  if (linear || data.empty())
    return failure();
  for (Value v : data) {
    auto type = llvm::cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = headDim;
    v.setType(type.clone(shape));
  }
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().getArgumentTypes(),
                                 ret.getOperandTypes()));
  return success();
}

Type mlir::attn::dataElementType(func::FuncOp func) {
  Type element;
  func.walk([&](Operation *op) {
    if (element)
      return;
    if (auto a = llvm::dyn_cast<AttentionOp>(op))
      element = a.getQuery().getType().getElementType();
    else if (auto l = llvm::dyn_cast<LinearAttentionOp>(op))
      element = l.getQuery().getType().getElementType();
    else if (auto m = llvm::dyn_cast<MergeOp>(op))
      element = llvm::cast<RankedTensorType>(m.getOutput().getType())
                    .getElementType();
  });
  return element;
}

void mlir::attn::retypeFunction(func::FuncOp func, Type from, Type to) {
  // Only the attention data itself: query, key, value and outputs. Biases,
  // gates and captures keep the types the spec gives them.
  llvm::SetVector<Value> data;
  func.walk([&](Operation *op) {
    SmallVector<Value> values;
    if (auto a = llvm::dyn_cast<AttentionOp>(op))
      values = {a.getQuery(), a.getKey(), a.getValue(), a.getOutput()};
    else if (auto l = llvm::dyn_cast<LinearAttentionOp>(op))
      values = {l.getQuery(), l.getKey(), l.getValue(), l.getOutput()};
    else if (auto m = llvm::dyn_cast<MergeOp>(op)) {
      values.assign(m.getOutputs().begin(), m.getOutputs().end());
      values.push_back(m.getOutput());
    }
    data.insert(values.begin(), values.end());
  });
  for (Value v : data)
    if (auto type = llvm::dyn_cast<RankedTensorType>(v.getType()))
      if (type.getElementType() == from)
        v.setType(type.clone(to));
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().getArgumentTypes(),
                                 ret.getOperandTypes()));
}
