//===- OperandLayouts.cpp - How attn ops relate their operands' sizes ----===//
//
// The layouts VARIANTS.md gives each operand of attn.attention,
// attn.linear_attention and attn.merge (the ones the dialect verifier checks
// statically), stated as size classes: the query's dimension 0, the key's, the
// output's and a q_len's all hold B; a bias broadcasts to [B, Hq, Sq, Skv]; a
// paged cache's key length is max_pages * page_size; a length is at most its
// sequence length. An op whose layouts are not written here is refused, since
// the runtime would then let through sizes the kernel trusts.
//
//===----------------------------------------------------------------------===//

#include "SizeClasses.h"

#include "attn/Dialect/Attn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <array>

using namespace mlir;
using namespace mlir::attn;

/// A captured tensor that a region indexes with b, h, i or j (or one of them
/// divided by a constant) must cover that range: the kernel reads it there
/// without bounds checks. Other indices are the region's business.
static void addCaptureRanges(SizeClasses &sizes, AttentionOp op,
                             ArrayRef<Slot> indexRanges) {
  auto captures = op.getCaptures();
  for (auto [region, leading] :
       {std::pair(&op.getScore(), AttentionOp::kScoreRegionIndexArgs),
        std::pair(&op.getMask(), AttentionOp::kMaskRegionIndexArgs)}) {
    if (region->empty())
      continue;
    Block &block = region->front();
    unsigned first = leading - 4; // b, h, i, j are the last four leading.
    for (auto [c, capture] : llvm::enumerate(captures)) {
      if (!llvm::isa<RankedTensorType>(capture.getType()))
        continue;
      for (Operation *user : block.getArgument(leading + c).getUsers()) {
        auto extract = llvm::dyn_cast<tensor::ExtractOp>(user);
        if (!extract || extract.getTensor() != block.getArgument(leading + c))
          continue;
        for (auto [d, index] : llvm::enumerate(extract.getIndices())) {
          int64_t divisor = 1;
          Operation *def = index.getDefiningOp();
          // Indices are non-negative, so these divisions all round down.
          if (def &&
              llvm::isa<arith::DivUIOp, arith::DivSIOp, arith::FloorDivSIOp>(
                  def)) {
            llvm::APInt constant;
            if (!matchPattern(def->getOperand(1), m_ConstantInt(&constant)) ||
                constant.getSExtValue() < 1)
              continue;
            divisor = constant.getSExtValue();
            index = def->getOperand(0);
          }
          auto arg = llvm::dyn_cast<BlockArgument>(index);
          if (!arg || arg.getOwner() != &block || arg.getArgNumber() < first ||
              arg.getArgNumber() >= leading)
            continue;
          sizes.slot(capture, d);
          sizes.require({KernelConstraintKind::DimCovers, capture, unsigned(d),
                         indexRanges[arg.getArgNumber() - first], divisor});
        }
      }
    }
  }
}

/// The query [B, Hq, Sq, D]: its four sizes, named.
static std::array<Slot, 4> addQuery(SizeClasses &sizes, Value q) {
  static constexpr const char *kNames[] = {"B", "Hq", "Sq", "D"};
  std::array<Slot, 4> slots;
  for (unsigned n = 0; n < 4; ++n) {
    slots[n] = sizes.slot(q, n);
    sizes.name(slots[n], kNames[n]);
  }
  return slots;
}

/// q_len and kv_len (where given) are [B], each value at most its length.
static void addLengths(SizeClasses &sizes, Value qLen, Value kvLen, Slot b,
                       Slot sq, Slot skv) {
  for (auto [length, bound] : {std::pair(qLen, sq), std::pair(kvLen, skv)}) {
    if (!length)
      continue;
    sizes.expectEqual(length, {b});
    sizes.require({KernelConstraintKind::ValuesAtMost, length, 0, bound});
  }
}

static void addAttention(SizeClasses &sizes, AttentionOp op) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  auto [b, hq, sq, d] = addQuery(sizes, q);
  Slot dv = sizes.slot(v, 3);
  sizes.name(dv, "Dv");
  sizes.expectEqual(op.getOutput(), {b, hq, sq, dv});
  if (Value lse = op.getLse())
    sizes.expectEqual(lse, {b, hq, sq});
  Slot hkv, skv;
  if (Value table = op.getPageTable()) {
    // K/V are [pages, page_size, Hkv, D]; key j of entry b lives on page
    // table[b, j / page_size], and keys run to max_pages * page_size.
    Slot pages = sizes.slot(k, 0), pageSize = sizes.slot(k, 1),
         maxPages = sizes.slot(table, 1);
    hkv = sizes.slot(k, 2);
    sizes.name(pages, "Pages");
    sizes.name(pageSize, "PageSize");
    sizes.name(maxPages, "MaxPages");
    sizes.expectEqual(k, {pages, pageSize, hkv, d});
    sizes.expectEqual(v, {pages, pageSize, hkv, dv});
    sizes.expectEqual(table, {b, maxPages});
    sizes.require({KernelConstraintKind::ValuesBelow, table, 0, pages});
    skv = sizes.product(maxPages, pageSize);
  } else {
    hkv = sizes.slot(k, 1);
    skv = sizes.slot(k, 2);
    sizes.expectEqual(k, {b, hkv, skv, d});
    sizes.expectEqual(v, {b, hkv, skv, dv});
  }
  sizes.name(hkv, "Hkv");
  sizes.name(skv, "Skv");
  sizes.require({KernelConstraintKind::SymbolMultiple, Value(), 0, hq, 1, hkv});
  addLengths(sizes, op.getQLen(), op.getKvLen(), b, sq, skv);
  if (Value ids = op.getSegmentIds())
    sizes.expectBroadcast(ids, {b, sq});
  if (Value ids = op.getKvSegmentIds())
    sizes.expectBroadcast(ids, {b, skv});
  if (Value limit = op.getKeyLimit()) {
    if (llvm::cast<RankedTensorType>(limit.getType()).getRank() == 3)
      sizes.expectBroadcast(limit, {b, hq, sq});
    else
      sizes.expectBroadcast(limit, {b, sq});
  }
  for (Value tau : op.getTemperature()) {
    if (llvm::cast<RankedTensorType>(tau.getType()).getRank() == 1)
      sizes.expectBroadcast(tau, {hq});
    else
      sizes.expectBroadcast(tau, {b, hq, sq});
  }
  if (Value slopes = op.getAlibiSlopes())
    sizes.expectBroadcast(slopes, {hq});
  if (Value table = op.getPositionTable())
    sizes.expectBroadcast(table, {hq, kAnySize}); // Buckets: a static size.
  for (Value bias : op.getBias())
    sizes.expectBroadcast(bias, {b, hq, sq, skv});
  // Block layouts and block statistics: the kernel reads (writes) entry
  // [.., i / Bq, j / Bk], so those dimensions must cover ceil(Sq / Bq) and
  // ceil(Skv / Bk); an index list's width K is its own. Listed blocks and
  // selected keys outside the keys are ignored by the kernel, never read.
  auto covers = [&](Value value, unsigned dim, Slot symbol, int64_t block) {
    sizes.slot(value, dim);
    sizes.require({KernelConstraintKind::DimCovers, value, dim, symbol, block});
  };
  if (Value layout = op.getBlockLayout()) {
    auto mask = op.getMaskOfType<BlockSparseMaskAttr>();
    sizes.expectBroadcast(layout, {b, hq, kAnySize, kAnySize});
    covers(layout, 2, sq, mask.getQBlock());
    if (mask.getFormat() == BlockLayoutFormat::bitmap)
      covers(layout, 3, skv, mask.getKvBlock());
    else
      sizes.name(sizes.slot(layout, 3), "K");
  }
  if (Value selected = op.getSelected()) {
    // [B, Hq or Hkv, K]: the verifier has fixed which from the static
    // head counts.
    auto type = llvm::cast<RankedTensorType>(selected.getType());
    int64_t group = op.getGroupSize();
    bool perQueryHead =
        group == 1 ||
        type.getDimSize(1) != op.getQuery().getType().getDimSize(1) / group;
    sizes.expectEqual(selected, {b, perQueryHead ? hq : hkv, kAnySize});
    sizes.name(sizes.slot(selected, 2), "K");
  }
  if (Value stats = op.getBlockMax()) {
    ArrayRef<int64_t> blocks = *op.getBlockStats();
    sizes.expectEqual(stats, {b, hq, kAnySize, kAnySize});
    covers(stats, 2, sq, blocks[0]);
    covers(stats, 3, skv, blocks[1]);
  }
  if (Value gate = op.getGate()) {
    if (llvm::cast<RankedTensorType>(gate.getType()).getRank() == 4)
      sizes.expectBroadcast(gate, {b, hq, sq, dv});
    else
      sizes.expectBroadcast(gate, {b, hq, sq});
  }
  addCaptureRanges(sizes, op, {b, hq, sq, skv});
}

static void addLinearAttention(SizeClasses &sizes, LinearAttentionOp op) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  auto [b, hq, sq, d] = addQuery(sizes, q);
  Slot hkv = sizes.slot(k, 1), skv = sizes.slot(k, 2), dv = sizes.slot(v, 3);
  sizes.name(hkv, "Hkv");
  sizes.name(skv, "Skv");
  sizes.name(dv, "Dv");
  sizes.expectEqual(k, {b, hkv, skv, d});
  sizes.expectEqual(v, {b, hkv, skv, dv});
  sizes.expectEqual(op.getOutput(), {b, hq, sq, dv});
  sizes.require({KernelConstraintKind::SymbolMultiple, Value(), 0, hq, 1, hkv});
  addLengths(sizes, op.getQLen(), op.getKvLen(), b, sq, skv);
  // Random-feature weights [F, D] or [Hq, F, D] are static (the verifier
  // checks them against the query).
}

static void addMerge(SizeClasses &sizes, MergeOp op) {
  Value first = op.getOutputs().front();
  Slot b = sizes.slot(first, 0), h = sizes.slot(first, 1),
       s = sizes.slot(first, 2), d = sizes.slot(first, 3);
  sizes.name(b, "B");
  sizes.name(h, "Hq");
  sizes.name(s, "Sq");
  sizes.name(d, "Dv");
  for (Value part : op.getOutputs())
    sizes.expectEqual(part, {b, h, s, d});
  for (Value lse : op.getLses())
    sizes.expectEqual(lse, {b, h, s});
  sizes.expectEqual(op.getOutput(), {b, h, s, d});
  sizes.expectEqual(op.getLse(), {b, h, s});
}

/// Every op of the function must be one whose operand layouts are known
/// here; otherwise the runtime would let through sizes the kernel trusts.
static LogicalResult checkKnown(Operation *op) {
  auto unknown = [&](StringRef what) {
    return op->emitOpError()
           << what
           << ": attn-compile does not know how its sizes relate to the "
              "other arguments', so the runtime could not check them "
              "(tools/attn-compile/OperandLayouts.cpp)";
  };
  if (llvm::isa<AttentionOp, LinearAttentionOp, MergeOp, func::ReturnOp>(op))
    return success();
  return unknown("is not attn.attention, attn.linear_attention or attn.merge");
}

LogicalResult mlir::attn::addOperandLayouts(func::FuncOp func,
                                            SizeClasses &sizes) {
  for (Operation &op : func.getBody().front())
    if (failed(checkKnown(&op)))
      return failure();
  func.walk([&](AttentionOp op) { addAttention(sizes, op); });
  func.walk([&](LinearAttentionOp op) { addLinearAttention(sizes, op); });
  func.walk([&](MergeOp op) { addMerge(sizes, op); });
  return success();
}
