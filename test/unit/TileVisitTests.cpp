//===- TileVisitTests.cpp - The kernel visits exactly the non-empty tiles -===//
//
// For every static mask of VARIANTS.md section 2 (causal, sliding windows
// with and without sinks, prefix LM, 1-D to 3-D neighborhoods with every
// parameter) and random AND combinations, on random parameters, tile sizes
// and shapes: a CPU kernel compiled to report the tiles it visits is run,
// and its tiles are compared with a brute-force scan of the oracle's kept
// pairs. Every non-empty tile must be visited, no empty one, and every tile
// the kernel treats as full (no mask work) must be truly full. One compiled
// kernel serves all the shapes of a case.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"
#include "attn/Passes.h"
#include "attn/Support/TileMap.h"
#include "attn/Targets/CpuJit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"

#include "gtest/gtest.h"

#include <random>
#include <string>

using namespace mlir;
using namespace mlir::attn;
using reference::Tensor;

namespace {

/// One random case: a spec with one attention, its tile sizes, and how to
/// pick its shapes.
struct Case {
  std::string masks;
  int64_t groups = 1, queryTile = 32, keyTile = 16;
  /// Neighborhoods fix the key length to the grid's tokens.
  int64_t gridTokens = 0;
  /// Whether the masks are intervals without sinks, whose full tiles the
  /// analysis finds exactly (the others may call a full tile partial).
  bool exactFull = false;
  std::string alignment = "bottom_right";
  /// Data masks: which operand the spec takes, and whether the data may be
  /// such that the analysis visits empty tiles (segment ids with gaps).
  enum class Data {
    None,
    Document,
    CrossDocument,
    Limit,
    HeadLimit,
    Bitmap,
    Indices,
    Selected
  };
  /// Block layouts: block sizes; selected tokens: per query head or per
  /// key/value head.
  int64_t qBlock = 0, kvBlock = 0;
  bool selectionPerQueryHead = false;
  /// A mask region's body (yielding %keep), or empty.
  std::string region;
  Data data = Data::None;
  bool exactVisits = true;
};

std::string joinInts(ArrayRef<int64_t> values) {
  std::string text;
  for (int64_t v : values)
    text += (text.empty() ? "" : ", ") + std::to_string(v);
  return text;
}

std::string randomWindow(std::mt19937_64 &rng, bool sinks) {
  std::string params;
  auto bound = [&]() {
    return std::uniform_int_distribution<int64_t>(0, 70)(rng);
  };
  if (rng() % 4 != 0)
    params += "left = " + std::to_string(bound());
  if (rng() % 3 != 0)
    params += std::string(params.empty() ? "" : ", ") +
              "right = " + std::to_string(bound());
  if (sinks)
    params += std::string(params.empty() ? "" : ", ") +
              "sinks = " + std::to_string(1 + rng() % 40);
  return "#attn.sliding_window<" + params + ">";
}

/// An N-D neighborhood with random grid, kernel, dilation, stride, causal
/// flags and sinks; every parameter valid for its extent.
std::string randomNeighborhood(std::mt19937_64 &rng, int64_t dims,
                               int64_t &tokens) {
  SmallVector<int64_t> grid, kernel, dilation, stride;
  SmallVector<std::string> causal;
  tokens = 1;
  for (int64_t d = 0; d < dims; ++d) {
    int64_t extent = dims == 1   ? 8 + rng() % 90
                     : dims == 2 ? 3 + rng() % 14
                                 : 2 + rng() % 6;
    // Kernels up to past the extent (the window is then the whole group),
    // dilations past the smallest key tile, strides past the kernel.
    int64_t dil = 1 + rng() % std::min<int64_t>(6, extent);
    int64_t k = 1 + rng() % (extent + 1);
    int64_t t = 1 + rng() % (k + 1);
    grid.push_back(extent);
    kernel.push_back(k);
    dilation.push_back(dil);
    stride.push_back(t);
    causal.push_back(rng() % 4 == 0 ? "true" : "false");
    tokens *= extent;
  }
  std::string text = "#attn.neighborhood<grid = [" + joinInts(grid) +
                     "], kernel = [" + joinInts(kernel) + "], dilation = [" +
                     joinInts(dilation) + "], stride = [" + joinInts(stride) +
                     "], causal = [" + llvm::join(causal, ", ") + "]";
  if (rng() % 3 == 0)
    text += ", sinks = " + std::to_string(1 + rng() % 20);
  return text + ">";
}

Case randomCase(std::mt19937_64 &rng, int64_t kind) {
  Case c;
  c.groups = 1 + rng() % 3;
  static constexpr int64_t kQueryTiles[] = {8, 16, 32, 128};
  static constexpr int64_t kKeyTiles[] = {4, 8, 16, 64};
  c.queryTile = kQueryTiles[rng() % 4];
  c.keyTile = kKeyTiles[rng() % 4];
  if (rng() % 4 == 0)
    c.alignment = "top_left";
  switch (kind) {
  case 0:
    c.masks = "#attn.causal";
    c.exactFull = true;
    break;
  case 1:
    c.masks = randomWindow(rng, /*sinks=*/false);
    c.exactFull = true;
    break;
  case 2:
    c.masks = randomWindow(rng, /*sinks=*/true);
    break;
  case 3:
    c.masks = "#attn.prefix_lm<" + std::to_string(1 + rng() % 60) + ">";
    c.exactFull = true;
    break;
  case 4: {
    // An AND of two or three interval masks, some with sinks.
    SmallVector<std::string> parts;
    int64_t n = 2 + rng() % 2;
    bool anySinks = false;
    bool causalLike = false; // prefix LM replaces causal: one of them
    for (int64_t m = 0; m < n; ++m) {
      int64_t which = rng() % 3;
      if (which != 1 && causalLike)
        which = 1;
      causalLike |= which != 1;
      bool sinks = which == 1 && rng() % 2;
      anySinks |= sinks;
      parts.push_back(which == 0   ? std::string("#attn.causal")
                      : which == 1 ? randomWindow(rng, sinks)
                                   : "#attn.prefix_lm<" +
                                         std::to_string(1 + rng() % 60) + ">");
    }
    c.masks = llvm::join(parts, ", ");
    c.exactFull = !anySinks;
    break;
  }
  case 8:
    // Packed documents, numbered 0, 1, 2, ... (sorted): exact.
    c.data = Case::Data::Document;
    c.masks = rng() % 2 ? "#attn.document" : "#attn.causal, #attn.document";
    c.exactFull = c.masks == "#attn.document";
    break;
  case 9:
    // Queries and keys with their own ids; unsorted ids with gaps: the
    // analysis may visit empty tiles, never skip a kept pair.
    c.data = Case::Data::CrossDocument;
    c.masks = "#attn.document";
    c.exactVisits = false;
    break;
  case 10:
    c.data = rng() % 2 ? Case::Data::Limit : Case::Data::HeadLimit;
    c.masks = rng() % 2 ? "#attn.key_limit"
                        : "#attn.key_limit, " + randomWindow(rng, false);
    // With a window too, the rows whose limits reach a tile may not be
    // those whose windows do: an AND of per-row sets the analysis bounds
    // separately, visiting some empty tiles.
    c.exactFull = c.exactVisits = c.masks == "#attn.key_limit";
    break;
  case 11:
  case 12: {
    c.data = kind == 11 ? Case::Data::Bitmap : Case::Data::Indices;
    static constexpr int64_t kBlocks[] = {4, 8, 16, 32, 64, 128};
    c.qBlock = kBlocks[rng() % 6];
    c.kvBlock = kBlocks[rng() % 6];
    c.masks =
        llvm::formatv("#attn.block_sparse<q_block = {0}, kv_block = {1}, "
                      "format = {2}>",
                      c.qBlock, c.kvBlock, kind == 11 ? "bitmap" : "indices")
            .str();
    if (rng() % 3 == 0)
      c.masks = "#attn.causal, " + c.masks;
    c.exactVisits = c.exactFull = c.masks.rfind("#attn.block", 0) == 0;
    break;
  }
  case 14: {
    // A mask region of integer ops (chunked causal, or a local window with
    // global tokens), bounded on intervals: never a kept pair skipped, never
    // a tile called full that is not.
    int64_t chunk = 1 + rng() % 100, window = rng() % 80, global = rng() % 5;
    c.region = rng() % 2 ? llvm::formatv(R"(
      %c = arith.constant {0} : index
      %p = attn.position %b, %i
      %causal = arith.cmpi sle, %j, %p : index
      %cq = arith.divui %p, %c : index
      %ck = arith.divui %j, %c : index
      %same = arith.cmpi eq, %cq, %ck : index
      %keep = arith.andi %causal, %same : i1)",
                                         chunk)
                               .str()
                         : llvm::formatv(R"(
      %w = arith.constant {0} : index
      %n = arith.constant {1} : index
      %p = attn.position %b, %i
      %lo = arith.subi %p, %w : index
      %hi = arith.addi %p, %w : index
      %above = arith.cmpi sge, %j, %lo : index
      %below = arith.cmpi sle, %j, %hi : index
      %local = arith.andi %above, %below : i1
      %gk = arith.cmpi slt, %j, %n : index
      %gq = arith.cmpi slt, %i, %n : index
      %global = arith.ori %gk, %gq : i1
      %keep = arith.ori %local, %global : i1)",
                                         window, global)
                               .str();
    c.masks = rng() % 3 ? "" : "#attn.causal";
    c.exactVisits = false;
    break;
  }
  case 13:
    c.data = Case::Data::Selected;
    c.selectionPerQueryHead = rng() % 2;
    c.masks = "#attn.selected_tokens";
    c.exactFull = true;
    break;
  default: {
    int64_t dims = kind - 4; // 5, 6, 7: 1-D, 2-D, 3-D
    c.masks = randomNeighborhood(rng, dims, c.gridTokens);
    break;
  }
  }
  return c;
}

std::string specOf(const Case &c) {
  int64_t heads = 2 * c.groups;
  std::string arguments, operands;
  switch (c.data) {
  case Case::Data::None:
    break;
  case Case::Data::Document:
    arguments = ", %ids: tensor<?x?xi32>";
    operands = "segment_ids(%ids : tensor<?x?xi32>)";
    break;
  case Case::Data::CrossDocument:
    arguments = ", %ids: tensor<?x?xi32>, %kv_ids: tensor<?x?xi32>";
    operands = "segment_ids(%ids : tensor<?x?xi32>) "
               "kv_segment_ids(%kv_ids : tensor<?x?xi32>)";
    break;
  case Case::Data::Limit:
    arguments = ", %limit: tensor<?x?xi32>";
    operands = "key_limit(%limit : tensor<?x?xi32>)";
    break;
  case Case::Data::HeadLimit:
    arguments = ", %limit: tensor<?x" + std::to_string(heads) + "x?xi32>";
    operands =
        "key_limit(%limit : tensor<?x" + std::to_string(heads) + "x?xi32>)";
    break;
  case Case::Data::Bitmap:
  case Case::Data::Indices: {
    std::string type = "tensor<?x" + std::to_string(heads) + "x?x?xi32>";
    arguments = ", %layout: " + type;
    operands = "block_layout(%layout : " + type + ")";
    break;
  }
  case Case::Data::Selected: {
    std::string type = "tensor<?x" +
                       std::to_string(c.selectionPerQueryHead ? heads : 2) +
                       "x?xi32>";
    arguments = ", %idx: " + type;
    operands = "selected(%idx : " + type + ")";
    break;
  }
  }
  return llvm::formatv(R"(
func.func @f(%q: tensor<?x{0}x?x8xf32>, %k: tensor<?x2x?x8xf32>,
             %v: tensor<?x2x?x8xf32>{3}) -> tensor<?x{0}x?x8xf32> {{
  %o = attn.attention %q, %k, %v {4} alignment({2}) masks [{1}] {5}
      : tensor<?x{0}x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>
      -> tensor<?x{0}x?x8xf32>
  return %o : tensor<?x{0}x?x8xf32>
}
)",
                       heads, c.masks, c.alignment, arguments, operands,
                       c.region.empty()
                           ? std::string()
                           : "mask {\n    ^bb0(%b: index, %h: index, %i: "
                             "index, %j: index):" +
                                 c.region +
                                 "\n      attn.yield %keep : i1\n    }")
      .str();
}

/// Segment ids for `length` tokens: sorted and numbered 0, 1, 2, ... (each
/// run at least one token), or any ids in [0, 4) with gaps.
Tensor segmentIds(int64_t batch, int64_t length, bool sorted,
                  std::mt19937_64 &rng) {
  Tensor t({batch, length}, 0.0, reference::ElementKind::Integer);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t id = 0;
    for (int64_t j = 0; j < length; ++j) {
      if (!sorted) {
        t.data[b * length + j] = static_cast<double>(rng() % 4 * 2);
        continue;
      }
      if (j > 0 && rng() % 40 == 0)
        ++id;
      t.data[b * length + j] = static_cast<double>(id);
    }
  }
  return t;
}

Tensor randomTensor(std::vector<int64_t> shape, std::mt19937_64 &rng) {
  Tensor t(std::move(shape));
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (double &x : t.data)
    x = static_cast<float>(unit(rng));
  return t;
}

/// Runs `c` on `shapes` ((Sq, Skv) pairs) and checks each tile map; returns
/// the failures as text.
void checkCase(const Case &c, int64_t caseIndex, std::mt19937_64 &rng,
               int64_t &tilesChecked) {
  MLIRContext context;
  context.loadDialect<AttnDialect, func::FuncDialect, arith::ArithDialect,
                      math::MathDialect, tensor::TensorDialect>();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    diagnostics += diag.str() + "\n";
    return success();
  });
  std::string spec = specOf(c);
  SCOPED_TRACE("case " + std::to_string(caseIndex) + ": masks [" + c.masks +
               "], alignment " + c.alignment + ", query tile " +
               std::to_string(c.queryTile) + ", key tile " +
               std::to_string(c.keyTile) + ", G " + std::to_string(c.groups));
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(spec, &context);
  ASSERT_TRUE(module) << diagnostics;
  auto func = *module->getOps<func::FuncOp>().begin();
  CpuPipelineOptions options;
  options.queryTile = c.queryTile;
  options.keyTile = c.keyTile;
  options.recordTiles = true;
  FailureOr<std::unique_ptr<CpuJitKernel>> kernel =
      CpuJitKernel::compile(func, options);
  ASSERT_TRUE(succeeded(kernel)) << diagnostics;

  for (int64_t run = 0; run < 3; ++run) {
    int64_t skv = c.gridTokens ? c.gridTokens : 1 + rng() % 300;
    int64_t sq = 1 + rng() % 300;
    // A neighborhood's query positions must lie in the grid.
    if (c.gridTokens)
      sq = 1 + rng() % skv;
    if (c.alignment == "top_left" && c.gridTokens)
      sq = std::min(sq, skv);
    int64_t batch = 1 + rng() % 2;
    SCOPED_TRACE("B " + std::to_string(batch) + ", Sq " + std::to_string(sq) +
                 ", Skv " + std::to_string(skv));
    std::vector<Tensor> arguments = {
        randomTensor({batch, 2 * c.groups, sq, 8}, rng),
        randomTensor({batch, 2, skv, 8}, rng),
        randomTensor({batch, 2, skv, 8}, rng)};
    if (c.data == Case::Data::Document) {
      skv = sq; // One id tensor for both: Sq = Skv.
      arguments[1] = randomTensor({batch, 2, skv, 8}, rng);
      arguments[2] = randomTensor({batch, 2, skv, 8}, rng);
      arguments.push_back(segmentIds(batch, sq, /*sorted=*/true, rng));
    } else if (c.data == Case::Data::CrossDocument) {
      bool sorted = rng() % 2;
      arguments.push_back(segmentIds(batch, sq, sorted, rng));
      arguments.push_back(segmentIds(batch, skv, sorted, rng));
    } else if (c.data == Case::Data::Limit || c.data == Case::Data::HeadLimit) {
      std::vector<int64_t> shape = {batch, sq};
      if (c.data == Case::Data::HeadLimit)
        shape = {batch, 2 * c.groups, sq};
      Tensor limit(shape, 0.0, reference::ElementKind::Integer);
      // Limits around a common level, some past the keys, some 0.
      int64_t level = rng() % (skv + 1);
      for (double &x : limit.data)
        x = static_cast<double>(std::clamp<int64_t>(
            level + static_cast<int64_t>(rng() % 41) - 20, 0, skv + 5));
      arguments.push_back(std::move(limit));
    } else if (c.data == Case::Data::Bitmap) {
      int64_t qBlocks = (sq + c.qBlock - 1) / c.qBlock;
      int64_t kBlocks = (skv + c.kvBlock - 1) / c.kvBlock;
      Tensor layout({batch, 2 * c.groups, qBlocks, kBlocks}, 0.0,
                    reference::ElementKind::Integer);
      uint64_t density = 1 + rng() % 4; // a quarter to all
      for (double &x : layout.data)
        x = static_cast<double>(rng() % 4 < density);
      arguments.push_back(std::move(layout));
    } else if (c.data == Case::Data::Indices) {
      int64_t qBlocks = (sq + c.qBlock - 1) / c.qBlock;
      int64_t kBlocks = (skv + c.kvBlock - 1) / c.kvBlock;
      int64_t width = 1 + rng() % 6;
      Tensor layout({batch, 2 * c.groups, qBlocks, width}, 0.0,
                    reference::ElementKind::Integer);
      // Random blocks, duplicates allowed, -1 padding.
      for (double &x : layout.data)
        x = rng() % 5 == 0 ? -1.0 : static_cast<double>(rng() % kBlocks);
      arguments.push_back(std::move(layout));
    } else if (c.data == Case::Data::Selected) {
      int64_t width = 1 + rng() % 40;
      Tensor idx({batch, c.selectionPerQueryHead ? 2 * c.groups : 2, width},
                 0.0, reference::ElementKind::Integer);
      for (double &x : idx.data)
        x = rng() % 6 == 0 ? -1.0 : static_cast<double>(rng() % skv);
      arguments.push_back(std::move(idx));
    }
    std::string error;
    CpuJitKernel::takeTileRecords();
    ASSERT_TRUE(succeeded((*kernel)->run(arguments, error))) << error;
    FailureOr<TileMap> truth =
        scanTiles(func, arguments, c.queryTile, c.keyTile);
    ASSERT_TRUE(succeeded(truth)) << diagnostics;
    TileMap visited = *truth;
    std::fill(visited.tiles.begin(), visited.tiles.end(), TileClass::Skipped);
    for (const CpuJitKernel::TileRecord &r : CpuJitKernel::takeTileRecords()) {
      ASSERT_TRUE(r.batch < visited.batch && r.kvHead < visited.kvHeads &&
                  r.queryTile < visited.queryTiles &&
                  r.keyTile < visited.keyTiles)
          << "a record outside the map: tile (" << r.queryTile << ", "
          << r.keyTile << ")";
      ASSERT_TRUE(r.status == 1 || r.status == 2) << r.status;
      visited.at(r.batch, r.kvHead, r.queryTile, r.keyTile) =
          static_cast<TileClass>(r.status);
    }
    TileComparison cmp = compareTileMaps(visited, *truth);
    EXPECT_EQ(cmp.missed, 0) << "non-empty tiles skipped";
    if (c.exactVisits)
      EXPECT_EQ(cmp.extra, 0) << "empty tiles visited";
    EXPECT_EQ(cmp.falseFull, 0) << "tiles called full that are not";
    if (c.exactFull)
      EXPECT_EQ(cmp.fullAsPartial, 0) << "full tiles treated as partial";
    tilesChecked += static_cast<int64_t>(visited.tiles.size());
    if (cmp.missed || cmp.falseFull || (c.exactVisits && cmp.extra)) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "kernel:\n";
      printTileMap(os, visited, 0, 0);
      os << "oracle:\n";
      printTileMap(os, *truth, 0, 0);
      ADD_FAILURE() << text;
      return;
    }
  }
}

/// Cases per mask kind: kinds 0-4 are the interval masks and their AND
/// combinations, 5-7 the 1-D, 2-D and 3-D neighborhoods, 8-10 documents
/// (self and cross) and key limits, 11-13 block layouts (bitmap, index
/// lists) and selected tokens, 14 mask regions.
constexpr int64_t kKinds = 15;
constexpr int64_t kCasesPerKind = 12;

class TileVisitTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(TileVisitTest, VisitsExactlyTheNonEmptyTiles) {
  int64_t kind = GetParam();
  std::mt19937_64 rng(1000 + kind);
  int64_t tiles = 0;
  for (int64_t n = 0; n < kCasesPerKind; ++n) {
    Case c = randomCase(rng, kind);
    checkCase(c, n, rng, tiles);
    if (HasFailure())
      return;
  }
  EXPECT_GT(tiles, 0);
}

std::string kindName(const ::testing::TestParamInfo<int64_t> &info) {
  static const char *names[kKinds] = {
      "Causal",         "SlidingWindow",  "WindowWithSinks", "PrefixLM",
      "IntervalCombos", "Neighborhood1D", "Neighborhood2D",  "Neighborhood3D",
      "Document",       "CrossDocument",  "KeyLimit",        "BlockBitmap",
      "BlockIndices",   "SelectedTokens", "MaskRegion"};
  return names[info.param];
}

INSTANTIATE_TEST_SUITE_P(Masks, TileVisitTest,
                         ::testing::Range<int64_t>(0, kKinds), kindName);

} // namespace
