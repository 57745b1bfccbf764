//===- GpuKernel.cpp - attn.attention on a GPU's matrix units -------------===//
//
// Maps the tiled online form of an attn.attention onto a GPU: one thread
// block per (batch, key/value head, query tile) - the tile's rows
// interleave the G query heads of the key/value head, as on the CPU, so
// that every key and value tile loaded serves all of them - with four warps
// of sixteen query rows each. Key and value tiles are staged in shared
// memory, double buffered; Q K^T and P V run on the target's matrix unit
// (MatrixUnit: mma.sync on NVIDIA, MFMA on AMD); the online softmax stays in
// registers, its row reductions across the lanes that share a row. Masks and
// modifiers are evaluated per accumulator element from its (row, column) by
// the ScoreEmitter, only in the key tiles the mask analysis does not call
// full.
//
//===----------------------------------------------------------------------===//

#include "GpuKernel.h"
#include "GpuLinearAttention.h"

#include "../MaskAnalysis.h"
#include "../ScoreEmitter.h"

#include "attn/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/ADT/StringSwitch.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

MatrixUnit::~MatrixUnit() = default;

Value MatrixUnit::emitXorReduce(ImplicitLocOpBuilder &b, Value v, bool max,
                                ArrayRef<int32_t> masks, int64_t width) {
  for (int32_t mask : masks) {
    Value other =
        gpu::ShuffleOp::create(
            b, v, arith::ConstantOp::create(b, b.getI32IntegerAttr(mask)),
            arith::ConstantOp::create(b, b.getI32IntegerAttr(width)),
            gpu::ShuffleMode::XOR)
            .getShuffleResult();
    v = max ? Value(arith::MaximumFOp::create(b, v, other))
            : Value(arith::AddFOp::create(b, v, other));
  }
  return v;
}

std::optional<PlantedFault>
mlir::attn::parsePlantedFault(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<PlantedFault>>(name)
      .Case("", PlantedFault::None)
      .Case("lane-mapping", PlantedFault::LaneMapping)
      .Case("no-barrier", PlantedFault::NoBarrier)
      .Case("shared-off-by-one", PlantedFault::SharedOffByOne)
      .Default(std::nullopt);
}

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr double kLog2e = 1.4426950408889634;

/// Shared-memory rows are padded by 8 elements (16 bytes), so that the
/// rows one fragment read touches fall into different banks.
constexpr int64_t kRowPad = 8;

/// Why `op` cannot be mapped to the GPU yet, or an empty string.
std::string unsupportedFeature(AttentionOp op) {
  Type element = op.getQuery().getType().getElementType();
  if (!element.isF16() && !element.isBF16())
    return "a query of element type other than f16 or bf16 (the matrix "
           "units take f16 or bf16 inputs)";
  if (op.getKey().getType().getElementType() != element ||
      op.getValue().getType().getElementType() != element)
    return "keys or values of another element type than the query";
  int64_t headDim = op.getQuery().getType().getDimSize(3);
  int64_t valueDim = op.getValue().getType().getDimSize(3);
  for (int64_t d : {headDim, valueDim})
    if (ShapedType::isDynamic(d) || d % 16 != 0 || d > 128)
      return "a head dimension that is not a multiple of 16 up to 128";
  if (op.getBlockMax() &&
      !llvm::isa<SoftmaxAttr, ClippedSoftmaxAttr>(op.getNormalizerOrDefault()))
    return "block statistics with a normalizer other than softmax or clipped "
           "softmax";
  if (op.getSelected() && op.getBlockMax())
    return "selected tokens with block statistics";
  return "";
}

/// Whether the mask analysis's closed forms decide the key tiles of `op`
/// (interval masks or none, no mask region): then tiles are skipped and
/// full tiles need no per-element mask work. Other masks are evaluated per
/// element on every tile.
bool usesTilePlan(AttentionOp op) {
  if (!op.getMask().empty())
    return false;
  return llvm::all_of(op.getMasks(), [](Attribute mask) {
    return llvm::isa<CausalMaskAttr, SlidingWindowMaskAttr, PrefixLMMaskAttr>(
        mask);
  });
}

/// Emits the kernel of one attn.attention into `kernel` (whose arguments
/// are the function's memrefs, results last).
class KernelBuilder {
public:
  KernelBuilder(AttentionOp op, const AttentionBuffers &buffers, Value output,
                Value lse, Value blockMax, const GpuTarget &target,
                const MatrixUnitFactory &makeUnit, PlantedFault fault)
      : op(op), buffers(buffers), output(output), lse(lse), blockMax(blockMax),
        target(target), fault(fault),
        headDim(op.getQuery().getType().getDimSize(3)),
        valueDim(op.getValue().getType().getDimSize(3)),
        queryTile(target.queryTile()), keyTile(target.keyTile(headDim)),
        group(op.getGroupSize()),
        element(op.getQuery().getType().getElementType()),
        emitter(op, buffers,
                [this](ImplicitLocOpBuilder &b, Value batch) {
                  return emitOffset(b, batch);
                }),
        unit(makeUnit(target, {element, headDim, valueDim, keyTile}, fault)) {
    if (!op.getSelected())
      return;
    // Selected tokens: the key tiles are gathered from the lists, a chunk
    // of them at a time in shared memory, as large as fits up to
    // kMaxListChunk entries.
    gather = true;
    emitter.setSelectedGathered();
    if (group > 1 && !isSelectionPerKeyValueHead(op))
      fold = 1;
    int64_t width = op.getSelected().getType().getDimSize(2);
    int64_t wanted = ShapedType::isDynamic(width)
                         ? kMaxListChunk
                         : std::min<int64_t>(width, kMaxListChunk);
    listChunk = std::max<int64_t>(keyTile, int64_t(llvm::PowerOf2Ceil(wanted)));
    auto fits = [&] { return sharedBytes() <= target.maxSharedBytes; };
    for (;;) {
      crossChunks = ShapedType::isDynamic(width) || width > listChunk;
      if (fits() || listChunk <= keyTile)
        break;
      listChunk /= 2;
    }
  }

  /// Bytes of dynamic shared memory the kernel uses.
  int64_t sharedBytes() const {
    int64_t bytes = element.getIntOrFloatBitWidth() / 8;
    int64_t lists = gather ? (crossChunks ? 2 : 1) * listChunk * 4 : 0;
    return (queryTile * (headDim + kRowPad) +
            2 * keyTile * (headDim + kRowPad) +
            2 * keyTile * (valueDim + kRowPad)) *
               bytes +
           lists;
  }
  int64_t getQueryTile() const { return queryTile; }
  /// Query heads a block's rows interleave: the group, or 1 where each
  /// query head selects its own keys (the grid then spans the query heads).
  int64_t getRowGroup() const { return fold; }
  MatrixUnit &matrixUnit() { return *unit; }

  void emit(ImplicitLocOpBuilder &b);

private:
  Value cst(ImplicitLocOpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }
  Value f32(ImplicitLocOpBuilder &b, double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value i32(ImplicitLocOpBuilder &b, int32_t v) {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(v));
  }
  Value emitLength(ImplicitLocOpBuilder &b, Value lengths, Value batch,
                   Value full) {
    if (!lengths)
      return full;
    return ScoreEmitter::toIndex(b, memref::LoadOp::create(b, lengths, batch));
  }
  Value emitOffset(ImplicitLocOpBuilder &b, Value batch);
  /// Where row r of a tile comes from: the source buffer, the indices of
  /// the row's first element, and whether the row exists (rows that do not
  /// are zero-filled, their address clamped into the buffer).
  struct RowSource {
    Value buffer;
    SmallVector<Value> indices;
    Value exists;
  };
  /// Copies `rows` rows of `width` elements into `tile` (row r of the tile
  /// at [prefix..., r, 0]), 16 bytes per copy, the copies spread over the
  /// block's threads.
  void
  emitTileCopy(ImplicitLocOpBuilder &b, Value tile, ValueRange prefix,
               int64_t rows, int64_t width,
               function_ref<RowSource(ImplicitLocOpBuilder &, Value)> source);
  /// Issues the copies of key tile `kt` into buffer `buffer`.
  void emitKeyValueCopy(ImplicitLocOpBuilder &b, Value kt, Value buffer,
                        bool withValues = true);
  /// The key that slot `slot` of the key tiles holds: the slot itself, or
  /// the gathered list's entry there (kNoKey for none, which fails every
  /// j < kv_len).
  Value emitKeyOf(ImplicitLocOpBuilder &b, Value slot);

  /// Selected tokens. Chunk `chunk` of the block's list into shared memory
  /// (`list`): the entries in [0, kv_len), the others kNoKey.
  void emitListLoad(ImplicitLocOpBuilder &b, Value list, Value chunk);
  /// Sorts the listChunk entries of `list`, ascending (a bitonic network,
  /// a barrier after each pass).
  void emitListSort(ImplicitLocOpBuilder &b, Value list);
  /// The entries of sorted `list` below `x` (i32).
  Value emitLowerBound(ImplicitLocOpBuilder &b, Value list, Value x);
  /// Calls `body` with each of the thread's slots of a chunk (slot tid +
  /// n * threads) and an i32 n.
  void
  forEachSlot(ImplicitLocOpBuilder &b,
              function_ref<void(ImplicitLocOpBuilder &, Value, Value)> body);
  /// Prepares chunk `chunk` of the list for the key loop: loaded, sorted,
  /// every key listed twice or in an earlier chunk replaced by kNoKey.
  /// Returns the key tiles to visit: those holding the sorted keys below
  /// `bound` (kv_len, or past the causal mask's last key).
  Value emitListChunk(ImplicitLocOpBuilder &b, Value chunk, Value bound);

  /// Entries of a list chunk at most; the chunk as a whole is sorted.
  static constexpr int64_t kMaxListChunk = 2048;
  static constexpr int32_t kNoKey = std::numeric_limits<int32_t>::max();

  AttentionOp op;
  const AttentionBuffers &buffers;
  Value output, lse, blockMax;
  const GpuTarget &target;
  PlantedFault fault;
  int64_t headDim, valueDim, queryTile, keyTile, group;
  Type element;
  ScoreEmitter emitter;
  std::unique_ptr<MatrixUnit> unit;
  /// Selected tokens: gathered key tiles, a chunk of listChunk entries at a
  /// time, with a second buffer to find keys an earlier chunk listed
  /// (crossChunks: the lists may be longer than a chunk).
  bool gather = false, crossChunks = false;
  int64_t fold = group, listChunk = 0;
  Value listSmem, earlierSmem, selectionHead, listLength, kvLength;

  Value batchSize, queryLen, keyLen;
  Value tid, lane;
  Value batch, kvHead;
  Value querySmem, keySmem, valueSmem;
};

Value KernelBuilder::emitOffset(ImplicitLocOpBuilder &b, Value batchIndex) {
  if (op.getAlignment() == Alignment::top_left)
    return cst(b, 0);
  Value last = arith::SubIOp::create(b, batchSize, cst(b, 1));
  batchIndex = arith::MinSIOp::create(
      b, arith::MaxSIOp::create(b, batchIndex, cst(b, 0)), last);
  Value kv = emitLength(b, buffers.kvLen, batchIndex, keyLen);
  Value q = emitLength(b, buffers.qLen, batchIndex, queryLen);
  return arith::SubIOp::create(b, kv, q);
}

void KernelBuilder::emitTileCopy(
    ImplicitLocOpBuilder &b, Value tile, ValueRange prefix, int64_t rows,
    int64_t width,
    function_ref<RowSource(ImplicitLocOpBuilder &, Value)> source) {
  int64_t chunksPerRow = width / 8;
  int64_t chunks = rows * chunksPerRow;
  int64_t copies = llvm::divideCeil(chunks, target.threads());
  for (int64_t n = 0; n < copies; ++n) {
    Value chunk = arith::AddIOp::create(b, tid, cst(b, n * target.threads()));
    auto copy = [&](ImplicitLocOpBuilder &cb) {
      Value r = arith::DivUIOp::create(cb, chunk, cst(cb, chunksPerRow));
      Value c = arith::MulIOp::create(
          cb, arith::RemUIOp::create(cb, chunk, cst(cb, chunksPerRow)),
          cst(cb, 8));
      RowSource src = source(cb, r);
      src.indices.push_back(c);
      SmallVector<Value> dst(prefix.begin(), prefix.end());
      dst.push_back(fault == PlantedFault::SharedOffByOne
                        ? arith::AddIOp::create(cb, r, cst(cb, 1))
                        : r);
      dst.push_back(c);
      unit->emitChunkCopy(cb, tile, dst, src.buffer, src.indices, src.exists);
    };
    if ((n + 1) * target.threads() <= chunks) {
      copy(b);
      continue;
    }
    // The last round where the chunks do not fill every thread.
    Value some = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, chunk,
                                       cst(b, chunks));
    scf::IfOp::create(b, some, [&](OpBuilder &ob, Location loc) {
      ImplicitLocOpBuilder cb(loc, ob);
      copy(cb);
      scf::YieldOp::create(cb);
    });
  }
}

void KernelBuilder::emitKeyValueCopy(ImplicitLocOpBuilder &b, Value kt,
                                     Value buffer, bool withValues) {
  Value firstKey = arith::MulIOp::create(b, kt, cst(b, keyTile));
  for (auto [tile, source, width] :
       {std::tuple{keySmem, buffers.key, headDim},
        std::tuple{valueSmem, buffers.value, valueDim}}) {
    if (tile == valueSmem && !withValues)
      continue;
    Value from = source;
    emitTileCopy(
        b, tile, buffer, keyTile, width,
        [&](ImplicitLocOpBuilder &ib, Value r) {
          Value j = emitKeyOf(ib, arith::AddIOp::create(ib, firstKey, r));
          Value exists =
              arith::CmpIOp::create(ib, arith::CmpIPredicate::slt, j, keyLen);
          Value clamped = arith::SelectOp::create(ib, exists, j, cst(ib, 0));
          // Through the page table for a paged cache; the tile copy
          // adds the column.
          SmallVector<Value> indices = emitKeyIndices(
              ib, buffers, from, batch, kvHead, clamped, cst(ib, 0));
          indices.pop_back();
          return RowSource{from, indices, exists};
        });
  }
}

Value KernelBuilder::emitKeyOf(ImplicitLocOpBuilder &b, Value slot) {
  if (!gather)
    return slot;
  return arith::IndexCastOp::create(b, b.getIndexType(),
                                    memref::LoadOp::create(b, listSmem, slot));
}

void KernelBuilder::forEachSlot(
    ImplicitLocOpBuilder &b,
    function_ref<void(ImplicitLocOpBuilder &, Value, Value)> body) {
  int64_t threads = target.threads();
  scf::ForOp::create(
      b, cst(b, 0), cst(b, llvm::divideCeil(listChunk, threads)), cst(b, 1),
      ValueRange{}, [&](OpBuilder &fb, Location l, Value n, ValueRange) {
        ImplicitLocOpBuilder sb(l, fb);
        Value slot = arith::AddIOp::create(
            sb, tid, arith::MulIOp::create(sb, n, cst(sb, threads)));
        Value n32 = arith::IndexCastOp::create(sb, sb.getI32Type(), n);
        if (listChunk % threads == 0) {
          body(sb, slot, n32);
        } else {
          Value in = arith::CmpIOp::create(sb, arith::CmpIPredicate::ult, slot,
                                           cst(sb, listChunk));
          scf::IfOp::create(sb, in, [&](OpBuilder &ob, Location where) {
            ImplicitLocOpBuilder ib(where, ob);
            body(ib, slot, n32);
            scf::YieldOp::create(ib);
          });
        }
        scf::YieldOp::create(sb);
      });
}

void KernelBuilder::emitListLoad(ImplicitLocOpBuilder &b, Value list,
                                 Value chunk) {
  Value first = arith::MulIOp::create(b, chunk, cst(b, listChunk));
  forEachSlot(b, [&](ImplicitLocOpBuilder &sb, Value slot, Value) {
    Value k = arith::AddIOp::create(sb, first, slot);
    Value listed =
        arith::CmpIOp::create(sb, arith::CmpIPredicate::slt, k, listLength);
    // Slots past the list read its last entry and are dropped.
    Value at = arith::MinSIOp::create(
        sb, k, arith::SubIOp::create(sb, listLength, cst(sb, 1)));
    Value entry = memref::LoadOp::create(sb, buffers.selected,
                                         ValueRange{batch, selectionHead, at});
    Value j = arith::IndexCastOp::create(sb, sb.getIndexType(), entry);
    // -1 pads; keys at or past kv_len are ignored (the runtime rejects
    // other values).
    Value kept = arith::AndIOp::create(
        sb, listed,
        arith::AndIOp::create(
            sb,
            arith::CmpIOp::create(sb, arith::CmpIPredicate::sge, j, cst(sb, 0)),
            arith::CmpIOp::create(sb, arith::CmpIPredicate::slt, j, kvLength)));
    memref::StoreOp::create(
        sb, arith::SelectOp::create(sb, kept, entry, i32(sb, kNoKey)), list,
        slot);
  });
}

void KernelBuilder::emitListSort(ImplicitLocOpBuilder &b, Value list) {
  int64_t threads = target.threads(), pairs = listChunk / 2;
  int64_t stages = llvm::Log2_64(listChunk);
  Value one = cst(b, 1);
  // Stage s merges runs of 2^s, in passes whose partners lie 2^(s-1), ...,
  // 1 apart; run r of a stage sorts ascending where r is even.
  scf::ForOp::create(
      b, one, cst(b, stages + 1), one, ValueRange{},
      [&](OpBuilder &sbld, Location l, Value stage, ValueRange) {
        ImplicitLocOpBuilder sb(l, sbld);
        Value run = arith::ShLIOp::create(sb, one, stage);
        scf::ForOp::create(
            sb, cst(sb, 0), stage, one, ValueRange{},
            [&](OpBuilder &pbld, Location pl, Value pass, ValueRange) {
              ImplicitLocOpBuilder pb(pl, pbld);
              Value distance = arith::ShLIOp::create(
                  pb, one,
                  arith::SubIOp::create(
                      pb, arith::SubIOp::create(pb, stage, one), pass));
              Value low = arith::SubIOp::create(pb, distance, one);
              for (int64_t n = 0; n < int64_t(llvm::divideCeil(pairs, threads));
                   ++n) {
                Value q = arith::AddIOp::create(pb, tid, cst(pb, n * threads));
                auto compare = [&](ImplicitLocOpBuilder &cb) {
                  // The pair's first slot: q with a 0 inserted at the
                  // distance's bit.
                  Value i = arith::AddIOp::create(
                      cb, q,
                      arith::AndIOp::create(
                          cb, q, arith::XOrIOp::create(cb, low, cst(cb, -1))));
                  Value partner = arith::AddIOp::create(cb, i, distance);
                  Value ascending = arith::CmpIOp::create(
                      cb, arith::CmpIPredicate::eq,
                      arith::AndIOp::create(cb, i, run), cst(cb, 0));
                  Value x = memref::LoadOp::create(cb, list, i);
                  Value y = memref::LoadOp::create(cb, list, partner);
                  Value lo = arith::MinSIOp::create(cb, x, y);
                  Value hi = arith::MaxSIOp::create(cb, x, y);
                  memref::StoreOp::create(
                      cb, arith::SelectOp::create(cb, ascending, lo, hi), list,
                      i);
                  memref::StoreOp::create(
                      cb, arith::SelectOp::create(cb, ascending, hi, lo), list,
                      partner);
                };
                if ((n + 1) * threads <= pairs) {
                  compare(pb);
                  continue;
                }
                Value some = arith::CmpIOp::create(
                    pb, arith::CmpIPredicate::ult, q, cst(pb, pairs));
                scf::IfOp::create(pb, some, [&](OpBuilder &ob, Location where) {
                  ImplicitLocOpBuilder cb(where, ob);
                  compare(cb);
                  scf::YieldOp::create(cb);
                });
              }
              gpu::BarrierOp::create(pb);
              scf::YieldOp::create(pb);
            });
        scf::YieldOp::create(sb);
      });
}

Value KernelBuilder::emitLowerBound(ImplicitLocOpBuilder &b, Value list,
                                    Value x) {
  // Halving steps over a power-of-two length: the answer lies in
  // [base, base + half] after each.
  Value base = cst(b, 0);
  for (int64_t half = listChunk / 2; half >= 1; half /= 2) {
    Value below = arith::CmpIOp::create(
        b, arith::CmpIPredicate::slt,
        memref::LoadOp::create(
            b, list,
            ValueRange{arith::AddIOp::create(b, base, cst(b, half - 1))}),
        x);
    base = arith::SelectOp::create(
        b, below, arith::AddIOp::create(b, base, cst(b, half)), base);
  }
  Value below = arith::CmpIOp::create(b, arith::CmpIPredicate::slt,
                                      memref::LoadOp::create(b, list, base), x);
  return arith::AddIOp::create(
      b, base, arith::SelectOp::create(b, below, cst(b, 1), cst(b, 0)));
}

Value KernelBuilder::emitListChunk(ImplicitLocOpBuilder &b, Value chunk,
                                   Value bound) {
  // The previous chunk's readers are done.
  gpu::BarrierOp::create(b);
  emitListLoad(b, listSmem, chunk);
  gpu::BarrierOp::create(b);
  emitListSort(b, listSmem);
  Value visible = emitLowerBound(b, listSmem, bound);
  // A key listed twice: the later copies drop out. Every thread reads the
  // sorted chunk before any writes.
  Type i32Type = b.getI32Type();
  Value noKey = i32(b, kNoKey);
  int64_t threads = target.threads();
  auto flags = scf::ForOp::create(
      b, cst(b, 0), cst(b, llvm::divideCeil(listChunk, threads)), cst(b, 1),
      ValueRange{i32(b, 0)},
      [&](OpBuilder &fb, Location l, Value n, ValueRange bits) {
        ImplicitLocOpBuilder sb(l, fb);
        Value slot = arith::AddIOp::create(
            sb, tid, arith::MulIOp::create(sb, n, cst(sb, threads)));
        Value at = arith::MinUIOp::create(sb, slot, cst(sb, listChunk - 1));
        Value previous = arith::MaxSIOp::create(
            sb, arith::SubIOp::create(sb, at, cst(sb, 1)), cst(sb, 0));
        Value twice = arith::AndIOp::create(
            sb,
            arith::AndIOp::create(
                sb,
                arith::CmpIOp::create(sb, arith::CmpIPredicate::ugt, slot,
                                      cst(sb, 0)),
                arith::CmpIOp::create(sb, arith::CmpIPredicate::ult, slot,
                                      cst(sb, listChunk))),
            arith::CmpIOp::create(
                sb, arith::CmpIPredicate::eq,
                memref::LoadOp::create(sb, listSmem, at),
                memref::LoadOp::create(sb, listSmem, previous)));
        Value bit = arith::ShLIOp::create(
            sb, arith::ExtUIOp::create(sb, i32Type, twice),
            arith::IndexCastOp::create(sb, i32Type, n));
        scf::YieldOp::create(
            sb, ValueRange{arith::OrIOp::create(sb, bits[0], bit)});
      });
  gpu::BarrierOp::create(b);
  Value twiceBits = flags.getResult(0);
  forEachSlot(b, [&](ImplicitLocOpBuilder &sb, Value slot, Value n) {
    Value twice = arith::TruncIOp::create(
        sb, sb.getI1Type(), arith::ShRUIOp::create(sb, twiceBits, n));
    scf::IfOp::create(sb, twice, [&](OpBuilder &ob, Location where) {
      ImplicitLocOpBuilder ib(where, ob);
      memref::StoreOp::create(ib, noKey, listSmem, slot);
      scf::YieldOp::create(ib);
    });
  });
  if (crossChunks) {
    // Keys an earlier chunk listed drop out: each earlier chunk in turn,
    // sorted, searched for the thread's keys.
    scf::ForOp::create(
        b, cst(b, 0), chunk, cst(b, 1), ValueRange{},
        [&](OpBuilder &fb, Location l, Value earlier, ValueRange) {
          ImplicitLocOpBuilder eb(l, fb);
          gpu::BarrierOp::create(eb);
          emitListLoad(eb, earlierSmem, earlier);
          gpu::BarrierOp::create(eb);
          emitListSort(eb, earlierSmem);
          forEachSlot(eb, [&](ImplicitLocOpBuilder &sb, Value slot, Value) {
            Value key = memref::LoadOp::create(sb, listSmem, slot);
            Value at =
                arith::MinSIOp::create(sb, emitLowerBound(sb, earlierSmem, key),
                                       cst(sb, listChunk - 1));
            Value seen = arith::AndIOp::create(
                sb,
                arith::CmpIOp::create(sb, arith::CmpIPredicate::ne, key, noKey),
                arith::CmpIOp::create(
                    sb, arith::CmpIPredicate::eq,
                    memref::LoadOp::create(sb, earlierSmem, at), key));
            scf::IfOp::create(sb, seen, [&](OpBuilder &ob, Location where) {
              ImplicitLocOpBuilder ib(where, ob);
              memref::StoreOp::create(ib, noKey, listSmem, slot);
              scf::YieldOp::create(ib);
            });
          });
          scf::YieldOp::create(eb);
        });
  }
  gpu::BarrierOp::create(b);
  return arith::CeilDivUIOp::create(b, visible, cst(b, keyTile));
}

void KernelBuilder::emit(ImplicitLocOpBuilder &b) {
  MLIRContext *context = b.getContext();
  Type f32Type = b.getF32Type();
  auto acc4 = VectorType::get({4}, f32Type);
  batchSize = memref::DimOp::create(b, buffers.query, 0);
  queryLen = memref::DimOp::create(b, buffers.query, 2);
  keyLen = emitKeyLength(b, buffers);
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value warp = arith::DivUIOp::create(b, tid, cst(b, target.warpSize));
  lane = arith::RemUIOp::create(b, tid, cst(b, target.warpSize));
  unit->emitLaneValues(b, lane);
  int64_t threadRows = unit->threadRows(), run = unit->run;
  Value queryTileIndex = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  // Blocks along y: the key/value heads, whose G query heads a tile's
  // rows interleave; or the query heads (fold 1).
  Value headBlock = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  Value groupSize = cst(b, group), foldSize = cst(b, fold);
  Value firstHead;
  if (fold == group) {
    kvHead = headBlock;
    firstHead = arith::MulIOp::create(b, kvHead, groupSize);
  } else {
    kvHead = arith::DivUIOp::create(b, headBlock, groupSize);
    firstHead = headBlock;
  }
  batch = gpu::BlockIdOp::create(b, gpu::Dimension::z);

  // Shared memory: the query tile, then two key and two value tiles.
  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  Value base = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface{}, workgroup));
  int64_t bytes = element.getIntOrFloatBitWidth() / 8;
  int64_t offset = 0;
  auto view = [&](ArrayRef<int64_t> shape) {
    Value v = memref::ViewOp::create(
        b,
        MemRefType::get(shape, element, MemRefLayoutAttrInterface{}, workgroup),
        base, cst(b, offset), ValueRange{});
    offset += ShapedType::getNumElements(shape) * bytes;
    return v;
  };
  querySmem = view({queryTile, headDim + kRowPad});
  keySmem = view({2, keyTile, headDim + kRowPad});
  valueSmem = view({2, keyTile, valueDim + kRowPad});
  if (gather) {
    auto listView = [&] {
      Value v = memref::ViewOp::create(
          b,
          MemRefType::get({listChunk}, b.getI32Type(),
                          MemRefLayoutAttrInterface{}, workgroup),
          base, cst(b, offset), ValueRange{});
      offset += listChunk * 4;
      return v;
    };
    listSmem = listView();
    if (crossChunks)
      earlierSmem = listView();
    selectionHead = emitSelectionHead(b, op, firstHead);
    listLength = memref::DimOp::create(b, buffers.selected, 2);
  }

  // The tile's rows t = i * G + g, as in the CPU's tiled form (G the fold).
  Value zero = cst(b, 0), one = cst(b, 1);
  Value rowCount = emitLength(b, buffers.qLen, batch, queryLen);
  kvLength = emitLength(b, buffers.kvLen, batch, keyLen);
  QueryTileRows tile = emitQueryTileRows(b, op, queryTileIndex, queryTile,
                                         queryLen, rowCount, kvLength, fold);
  Value firstRow = tile.firstRow, tileRows = tile.tileRows,
        liveRows = tile.liveRows, rowOffset = tile.offset, pMin = tile.pMin,
        pMax = tile.pMax;

  // Query rows of the tile (of G heads) into shared memory.
  auto rowIndices = [&](ImplicitLocOpBuilder &ib, Value t) {
    Value i = arith::DivUIOp::create(ib, t, foldSize);
    Value h = arith::AddIOp::create(ib, firstHead,
                                    arith::RemUIOp::create(ib, t, foldSize));
    return std::pair<Value, Value>{i, h};
  };
  emitTileCopy(
      b, querySmem, ValueRange{}, queryTile, headDim,
      [&](ImplicitLocOpBuilder &ib, Value r) {
        Value exists =
            arith::CmpIOp::create(ib, arith::CmpIPredicate::slt, r, tileRows);
        Value t = arith::SelectOp::create(
            ib, exists, arith::AddIOp::create(ib, firstRow, r), cst(ib, 0));
        auto [i, h] = rowIndices(ib, t);
        return RowSource{buffers.query, SmallVector<Value>{batch, h, i},
                         exists};
      });
  unit->emitCommit(b);

  // The key tiles to visit.
  MaskAnalysis analysis(op, buffers);
  bool plan = usesTilePlan(op);
  MaskAnalysis::QueryTilePlan tilePlan;
  Value first = zero;
  Value last = arith::CeilDivSIOp::create(b, kvLength, cst(b, keyTile));
  if (plan) {
    tilePlan = analysis.emitQueryTilePlan(
        b, {batch, kvHead, firstRow, liveRows, pMin, pMax, kvLength}, {},
        keyTile);
    first = tilePlan.first;
    last = tilePlan.last;
  }
  Value anyRows =
      arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, liveRows, zero);
  last = arith::SelectOp::create(b, anyRows, last, first);
  // Selected tokens: every sweep goes over the block's list a chunk at a
  // time, over the key tiles gathered from the chunk; the sorted chunk's
  // keys past the causal mask's last one need no tile.
  Value listChunks, keyBound;
  if (gather) {
    listChunks = arith::SelectOp::create(
        b, anyRows,
        arith::CeilDivUIOp::create(b, listLength, cst(b, listChunk)), zero);
    Value bound = kvLength;
    if (op.getMaskOfType<CausalMaskAttr>())
      bound = arith::MinSIOp::create(
          b, bound,
          arith::MaxSIOp::create(b, arith::AddIOp::create(b, pMax, one), zero));
    keyBound = arith::IndexCastOp::create(b, b.getI32Type(), bound);
  }
  // Runs `tiles` over the key tiles [from, to) of the sweep, carrying
  // `sweepInits`.
  using TileLoop = function_ref<SmallVector<Value>(ImplicitLocOpBuilder &,
                                                   Value, Value, ValueRange)>;
  auto overKeyTiles = [&](ValueRange sweepInits,
                          TileLoop tiles) -> SmallVector<Value> {
    if (!gather)
      return tiles(b, first, last, sweepInits);
    auto chunks = scf::ForOp::create(
        b, zero, listChunks, one, sweepInits,
        [&](OpBuilder &fb, Location l, Value chunk, ValueRange args) {
          ImplicitLocOpBuilder cb(l, fb);
          Value count = emitListChunk(cb, chunk, keyBound);
          scf::YieldOp::create(cb, tiles(cb, zero, count, args));
        });
    return chunks.getResults();
  };
  auto statusOf = [&](ImplicitLocOpBuilder &ib, Value kt) -> Value {
    if (plan)
      return analysis.emitTileStatus(ib, tilePlan, kt, keyTile);
    return cst(ib, int64_t(TileStatus::Partial));
  };

  // The warp's query fragments stay in registers for the whole loop.
  unit->emitWait(b, 0);
  gpu::BarrierOp::create(b);
  unit->emitFragmentAddresses(b);
  Value warpRow = arith::MulIOp::create(b, warp, cst(b, GpuTarget::kWarpRows));
  // The warp's query fragments: held in registers for the whole loop where
  // the kernel has no per-element mask or modifier work; otherwise read
  // from shared memory again for each key tile, which leaves the registers
  // (D / 4 of them) to that work and keeps masked kernels from spilling.
  bool masked = !op.getMasks().empty() || !op.getMask().empty();
  bool modified = !op.getModifiers().empty() || !op.getScore().empty();
  bool residentQuery = !masked && !modified;
  Attribute normalizer = op.getNormalizerOrDefault();
  bool softmax = llvm::isa<SoftmaxAttr>(normalizer);
  auto clipped = llvm::dyn_cast<ClippedSoftmaxAttr>(normalizer);
  bool normalized =
      llvm::cast<NormalizerAttrInterface>(normalizer).isNormalized();
  auto loadQuery = [&](ImplicitLocOpBuilder &ib, int64_t ks) {
    return unit->emitQueryFragment(ib, querySmem, warpRow, ks);
  };
  SmallVector<SmallVector<Value>> queryFragments;
  if (residentQuery)
    for (int64_t ks = 0; ks < headDim / 16; ++ks)
      queryFragments.push_back(loadQuery(b, ks));

  // The thread's rows of its warp's sixteen.
  struct ThreadRow {
    Value r, t, i, h;
    ScoreRow score;
  };
  SmallVector<ThreadRow> rows;
  for (int64_t k = 0; k < threadRows; ++k) {
    Value r = unit->emitThreadRow(b, warpRow, k);
    Value t = arith::AddIOp::create(b, firstRow, r);
    auto [i, h] = rowIndices(b, t);
    rows.push_back(ThreadRow{r, t, i, h,
                             ScoreRow{batch, h, i, rowOffset,
                                      arith::AddIOp::create(b, i, rowOffset)}});
  }

  int64_t scoreTiles = keyTile / unit->fragmentColumns,
          accTiles = valueDim / unit->fragmentColumns;
  Value negInf = f32(b, kNegInf), zeroF = f32(b, 0.0);
  SmallVector<Value> inits;
  Value zeroAcc = arith::ConstantOp::create(
      b, DenseElementsAttr::get(acc4, b.getF32FloatAttr(0.0)));
  for (int64_t n = 0; n < accTiles; ++n)
    inits.push_back(zeroAcc);
  // Per thread row: the running maxima (softmax) or, for the other
  // normalisers, the sums of the weights as rounded for P V; then the sums;
  // then the key tile buffer and whether it is fetched already.
  Value firstMax = softmax || clipped ? negInf : zeroF;
  inits.append(threadRows, firstMax);
  inits.append(threadRows, zeroF);
  inits.append({zero, arith::ConstantOp::create(b, b.getBoolAttr(false))});
  const int64_t maxSlot = accTiles, sumSlot = accTiles + threadRows,
                bufferSlot = accTiles + 2 * threadRows;
  Value scale = f32(b, op.getScaleOrDefault());
  Value log2e = f32(b, kLog2e);

  // The masks' verdicts for the thread's elements of the key tile whose
  // first column it holds is keyBase, as bits of one i32, computed in a loop
  // (element e: score tile e / 4, row (e % 4) / run, column
  // fragmentColumns (e / 4) + e % run):
  // one element's mask work is live at a time, not the unrolled work of all of
  // them, which would crowd the registers out.
  auto keepBits = [&](ImplicitLocOpBuilder &eb, Value keyBase) -> Value {
    Type i32Type = eb.getI32Type();
    auto loop = scf::ForOp::create(
        eb, cst(eb, 0), cst(eb, scoreTiles * 4), cst(eb, 1),
        ValueRange{i32(eb, 0)},
        [&](OpBuilder &fb, Location l, Value e, ValueRange bits) {
          ImplicitLocOpBuilder kb(l, fb);
          Value sub = arith::RemUIOp::create(kb, e, cst(kb, 4));
          Value column = arith::AddIOp::create(
              kb,
              arith::MulIOp::create(kb,
                                    arith::DivUIOp::create(kb, e, cst(kb, 4)),
                                    cst(kb, unit->fragmentColumns)),
              run == 4 ? sub : arith::RemUIOp::create(kb, sub, cst(kb, run)));
          Value j = emitKeyOf(kb, arith::AddIOp::create(kb, keyBase, column));
          // The element's row: thread row k from sub = k run on.
          SmallVector<Value> later;
          for (int64_t k = 1; k < threadRows; ++k)
            later.push_back(arith::CmpIOp::create(kb, arith::CmpIPredicate::uge,
                                                  sub, cst(kb, k * run)));
          auto pick = [&](auto field) -> Value {
            Value v = field(rows[0].score);
            for (int64_t k = 1; k < threadRows; ++k)
              v = arith::SelectOp::create(kb, later[k - 1],
                                          field(rows[k].score), v);
            return v;
          };
          const ScoreRow &r0 = rows[0].score;
          ScoreRow row{r0.b, pick([](const ScoreRow &r) { return r.h; }),
                       pick([](const ScoreRow &r) { return r.i; }), r0.offset,
                       pick([](const ScoreRow &r) { return r.position; })};
          Value keep = arith::AndIOp::create(
              kb,
              arith::CmpIOp::create(kb, arith::CmpIPredicate::slt, j, kvLength),
              emitter.emitKeep(kb, row, j));
          Value bit = arith::ShLIOp::create(
              kb, arith::ExtUIOp::create(kb, i32Type, keep),
              arith::IndexCastOp::create(kb, i32Type, e));
          scf::YieldOp::create(
              kb, ValueRange{arith::OrIOp::create(kb, bits[0], bit)});
        });
    return loop.getResult(0);
  };

  // n_i, the kept keys of the thread's rows, where a modifier or the
  // normaliser needs it (length scaling, sigmoid with log_length): a first
  // sweep over the visited key tiles counts the bits of the masks'
  // verdicts, then the four lanes of each row add theirs.
  bool needsCount = llvm::any_of(op.getModifiers(),
                                 [](Attribute m) {
                                   return llvm::isa<LengthScalingModAttr>(m);
                                 }) ||
                    (llvm::isa<SigmoidAttr>(normalizer) &&
                     llvm::cast<SigmoidAttr>(normalizer).getLogLength());
  if (needsCount) {
    SmallVector<Value> sweep = overKeyTiles(
        SmallVector<Value>(threadRows, i32(b, 0)),
        [&](ImplicitLocOpBuilder &tb, Value from, Value to,
            ValueRange sweepInits) -> SmallVector<Value> {
          return llvm::to_vector_of<Value>(
              scf::ForOp::create(
                  tb, from, to, one, sweepInits,
                  [&](OpBuilder &nested, Location loc, Value kt,
                      ValueRange counts) {
                    ImplicitLocOpBuilder cb(loc, nested);
                    Value visited = arith::CmpIOp::create(
                        cb, arith::CmpIPredicate::ne, statusOf(cb, kt),
                        cst(cb, int64_t(TileStatus::Skipped)));
                    Value keyBase = arith::AddIOp::create(
                        cb, arith::MulIOp::create(cb, kt, cst(cb, keyTile)),
                        unit->emitLaneColumn(cb));
                    auto tile = scf::IfOp::create(
                        cb, visited,
                        [&](OpBuilder &tb, Location l) {
                          ImplicitLocOpBuilder eb(l, tb);
                          scf::YieldOp::create(eb, keepBits(eb, keyBase));
                        },
                        [&](OpBuilder &tb, Location l) {
                          scf::YieldOp::create(tb, l, ValueRange{i32(cb, 0)});
                        });
                    Value bits = tile.getResult(0);
                    // Elements k run .. k run + run - 1 of each group of four
                    // are thread row k's.
                    SmallVector<Value> next;
                    for (int64_t k = 0; k < threadRows; ++k) {
                      uint32_t mask = 0;
                      for (int64_t e = 0; e < 32; ++e)
                        if ((e % 4) / run == k)
                          mask |= 1u << e;
                      next.push_back(arith::AddIOp::create(
                          cb, counts[k],
                          LLVM::CtPopOp::create(
                              cb,
                              arith::AndIOp::create(cb, bits, i32(cb, mask)))));
                    }
                    scf::YieldOp::create(cb, next);
                  })
                  .getResults());
        });
    for (int64_t k = 0; k < threadRows; ++k)
      rows[k].score.keptCount = unit->emitRowReduce(
          b, arith::UIToFPOp::create(b, b.getF32Type(), sweep[k]),
          /*max=*/false);
  }

  // The key loop. Clipped softmax takes two sweeps: the rows' statistics
  // (max and sum, online, no P V and no value tiles), then the clipped
  // weights from them; the others one.
  enum class Sweep { Weights, Statistics, ClippedWeights, BlockStatistics };
  // Block statistics, after the rows' statistics are final: log2(e) times
  // each row's max (0 for an empty row; softmax and clipped softmax), 1 /
  // the row's sum (0 for an empty row), and whether the row exists.
  SmallVector<Value> blockBase(threadRows), blockInverseSum(threadRows),
      blockRowLive(threadRows);
  // From clipped softmax's statistics: log2(e) times each row's max (0 for
  // an empty row), and 1 / the row's sum.
  SmallVector<Value> clippedBase(threadRows), clippedInverseSum(threadRows);
  auto keysOnly = [](Sweep sweep) {
    return sweep == Sweep::Statistics || sweep == Sweep::BlockStatistics;
  };
  // Block statistics of one key tile: each element's normalised weight (the
  // rows' statistics are final), the maximum over the thread's elements of
  // each thread row in each key block the tile touches, over the lanes of
  // the row, raised into block_max[b, h, i / Bq, j / Bk] by the row's first
  // lane with an atomic maximum (the runtime clears block_max first).
  // The final weight of score x from its row's softmax statistics (log2(e)
  // times the max, 1 / the sum): softmax's p = exp(x - max) / sum, or
  // clipped softmax's clamp((zeta - gamma) p + gamma, 0, 1); a masked key
  // weighs 0.
  auto finalWeight = [&](ImplicitLocOpBuilder &ib, Value x, Value base,
                         Value inverseSum) -> Value {
    Value w = arith::MulFOp::create(
        ib,
        math::Exp2Op::create(
            ib, arith::SubFOp::create(ib, arith::MulFOp::create(ib, x, log2e),
                                      base)),
        inverseSum);
    if (clipped) {
      double zeta = clipped.getZeta().convertToDouble();
      double gamma = clipped.getGamma().convertToDouble();
      w = arith::MinimumFOp::create(
          ib,
          arith::MaximumFOp::create(
              ib,
              arith::AddFOp::create(
                  ib, arith::MulFOp::create(ib, w, f32(ib, zeta - gamma)),
                  f32(ib, gamma)),
              zeroF),
          f32(ib, 1.0));
    }
    Value masked =
        arith::CmpFOp::create(ib, arith::CmpFPredicate::OEQ, x, negInf);
    return arith::SelectOp::create(ib, masked, zeroF, w);
  };
  auto emitBlockStatistics = [&](ImplicitLocOpBuilder &ib,
                                 ArrayRef<Value> scores, Value firstKey,
                                 Value keyBase) {
    ArrayRef<int64_t> blocks = *op.getBlockStats();
    Value queryBlock = cst(ib, blocks[0]), keyBlock = cst(ib, blocks[1]);
    SmallVector<Value> weightOf;
    for (Value tile : scores)
      for (int64_t e = 0; e < 4; ++e) {
        Value x = vector::ExtractOp::create(ib, tile, e);
        weightOf.push_back(
            finalWeight(ib, x, blockBase[e / run], blockInverseSum[e / run]));
      }
    // The key blocks the tile's keys within kv_len fall in.
    Value lastKey = arith::SubIOp::create(
        ib,
        arith::MinSIOp::create(
            ib, arith::AddIOp::create(ib, firstKey, cst(ib, keyTile)),
            kvLength),
        one);
    Value firstBlock = arith::DivUIOp::create(ib, firstKey, keyBlock);
    Value endBlock = arith::AddIOp::create(
        ib, arith::DivUIOp::create(ib, lastKey, keyBlock), one);
    scf::ForOp::create(
        ib, firstBlock, endBlock, one, ValueRange{},
        [&](OpBuilder &fb, Location l, Value kb, ValueRange) {
          ImplicitLocOpBuilder bb(l, fb);
          for (int64_t k = 0; k < threadRows; ++k) {
            Value best = zeroF;
            for (int64_t n = 0; n < int64_t(scores.size()); ++n)
              for (int64_t e = k * run; e < (k + 1) * run; ++e) {
                Value j = arith::AddIOp::create(
                    bb, keyBase, cst(bb, n * unit->fragmentColumns + e % run));
                Value inBlock = arith::CmpIOp::create(
                    bb, arith::CmpIPredicate::eq,
                    arith::DivUIOp::create(bb, j, keyBlock), kb);
                best = arith::MaximumFOp::create(
                    bb, best,
                    arith::SelectOp::create(bb, inBlock, weightOf[4 * n + e],
                                            zeroF));
              }
            best = unit->emitRowReduce(bb, best, /*max=*/true);
            Value raise = arith::AndIOp::create(
                bb,
                arith::AndIOp::create(bb, unit->emitFirstOfRow(bb),
                                      blockRowLive[k]),
                arith::CmpFOp::create(bb, arith::CmpFPredicate::OGT, best,
                                      zeroF));
            scf::IfOp::create(bb, raise, [&](OpBuilder &rb, Location where) {
              ImplicitLocOpBuilder ab(where, rb);
              memref::AtomicRMWOp::create(
                  ab, arith::AtomicRMWKind::maximumf, best, blockMax,
                  ValueRange{batch, rows[k].h,
                             arith::DivUIOp::create(ab, rows[k].i, queryBlock),
                             kb});
              scf::YieldOp::create(ab);
            });
          }
          scf::YieldOp::create(bb);
        });
  };
  auto emitSweep = [&](Sweep sweep, ValueRange sweepInits) {
    return overKeyTiles(
        sweepInits,
        [&](ImplicitLocOpBuilder &tb, Value from, Value to,
            ValueRange tileInits) -> SmallVector<Value> {
          return llvm::to_vector_of<Value>(
              scf::ForOp::create(
                  tb, from, to, one, tileInits,
                  [&](OpBuilder &nested, Location loc, Value kt,
                      ValueRange args) {
                    ImplicitLocOpBuilder lb(loc, nested);
                    Value status = statusOf(lb, kt);
                    Value visited = arith::CmpIOp::create(
                        lb, arith::CmpIPredicate::ne, status,
                        cst(lb, int64_t(TileStatus::Skipped)));
                    auto visit = scf::IfOp::create(
                        lb, visited,
                        [&](OpBuilder &thenBuilder, Location loc) {
                          ImplicitLocOpBuilder ib(loc, thenBuilder);
                          Value buffer = args[bufferSlot];
                          Value ready = args[bufferSlot + 1];
                          // This tile, unless the previous iteration fetched
                          // it; then the next visited one into the other buffer
                          // (a group is committed either way, so one wait count
                          // serves).
                          Value notReady = arith::XOrIOp::create(
                              ib, ready,
                              arith::ConstantOp::create(ib,
                                                        ib.getBoolAttr(true)));
                          scf::IfOp::create(
                              ib, notReady, [&](OpBuilder &ob, Location l) {
                                ImplicitLocOpBuilder cb(l, ob);
                                emitKeyValueCopy(cb, kt, buffer,
                                                 !keysOnly(sweep));
                                unit->emitCommit(cb);
                                scf::YieldOp::create(cb);
                              });
                          Value next =
                              arith::AddIOp::create(ib, kt, cst(ib, 1));
                          Value nextVisited = arith::AndIOp::create(
                              ib,
                              arith::CmpIOp::create(
                                  ib, arith::CmpIPredicate::slt, next, to),
                              arith::CmpIOp::create(
                                  ib, arith::CmpIPredicate::ne,
                                  statusOf(ib, next),
                                  cst(ib, int64_t(TileStatus::Skipped))));
                          Value other =
                              arith::SubIOp::create(ib, cst(ib, 1), buffer);
                          scf::IfOp::create(
                              ib, nextVisited, [&](OpBuilder &ob, Location l) {
                                ImplicitLocOpBuilder cb(l, ob);
                                emitKeyValueCopy(cb, next, other,
                                                 !keysOnly(sweep));
                                scf::YieldOp::create(cb);
                              });
                          unit->emitCommit(ib);
                          unit->emitWait(ib, 1);
                          if (fault != PlantedFault::NoBarrier)
                            gpu::BarrierOp::create(ib);

                          // S = Q K^T for the warp's 16 rows and the tile's
                          // keys.
                          SmallVector<Value> scores(scoreTiles, zeroAcc);
                          for (int64_t ks = 0; ks < headDim / 16; ++ks) {
                            SmallVector<Value> query = residentQuery
                                                           ? queryFragments[ks]
                                                           : loadQuery(ib, ks);
                            unit->emitScores(ib, query, keySmem, buffer, ks,
                                             scores);
                          }
                          Value scaleVector =
                              vector::BroadcastOp::create(ib, acc4, scale);
                          for (Value &s : scores)
                            s = arith::MulFOp::create(ib, s, scaleVector);

                          // Masks (in tiles not known full, and past kv_len)
                          // and modifiers, per element from its (row, column).
                          Value firstKey =
                              arith::MulIOp::create(ib, kt, cst(ib, keyTile));
                          Value edge = arith::CmpIOp::create(
                              ib, arith::CmpIPredicate::sgt,
                              arith::AddIOp::create(ib, firstKey,
                                                    cst(ib, keyTile)),
                              kvLength);
                          Value partial = arith::OrIOp::create(
                              ib,
                              arith::CmpIOp::create(
                                  ib, arith::CmpIPredicate::eq, status,
                                  cst(ib, int64_t(TileStatus::Partial))),
                              edge);
                          Value keyBase = arith::AddIOp::create(
                              ib, firstKey, unit->emitLaneColumn(ib));
                          auto elementwise = [&](ImplicitLocOpBuilder &eb,
                                                 bool masks) {
                            Value bits = masks && masked ? keepBits(eb, keyBase)
                                                         : Value();
                            SmallVector<Value> out;
                            for (int64_t n = 0; n < scoreTiles; ++n) {
                              SmallVector<Value> elements;
                              for (int64_t e = 0; e < 4; ++e) {
                                const ThreadRow &row = rows[e / run];
                                Value j = emitKeyOf(
                                    eb, arith::AddIOp::create(
                                            eb, keyBase,
                                            cst(eb, n * unit->fragmentColumns +
                                                        e % run)));
                                Value s =
                                    vector::ExtractOp::create(eb, scores[n], e);
                                if (modified)
                                  s = emitter.emitModifiers(eb, row.score, j,
                                                            s);
                                if (masks) {
                                  Value keep;
                                  if (bits)
                                    keep = arith::TruncIOp::create(
                                        eb, eb.getI1Type(),
                                        arith::ShRUIOp::create(
                                            eb, bits,
                                            i32(eb, int32_t(4 * n + e))));
                                  else
                                    keep = arith::CmpIOp::create(
                                        eb, arith::CmpIPredicate::slt, j,
                                        kvLength);
                                  s = arith::SelectOp::create(eb, keep, s,
                                                              f32(eb, kNegInf));
                                }
                                elements.push_back(s);
                              }
                              out.push_back(vector::FromElementsOp::create(
                                  eb, acc4, elements));
                            }
                            return out;
                          };
                          SmallVector<Type> scoreTypes(scoreTiles, acc4);
                          auto select = scf::IfOp::create(
                              ib, partial,
                              [&](OpBuilder &ob, Location l) {
                                ImplicitLocOpBuilder eb(l, ob);
                                scf::YieldOp::create(eb, elementwise(eb, true));
                              },
                              [&](OpBuilder &ob, Location l) {
                                ImplicitLocOpBuilder eb(l, ob);
                                scf::YieldOp::create(
                                    eb,
                                    modified ? elementwise(eb, false) : scores);
                              });
                          scores.assign(select.getResults().begin(),
                                        select.getResults().end());

                          SmallVector<Value> weights, newMax, newSum;
                          SmallVector<Value> acc(args.take_front(accTiles));
                          if (sweep == Sweep::BlockStatistics) {
                            emitBlockStatistics(ib, scores, firstKey, keyBase);
                            newMax.assign(args.begin() + maxSlot,
                                          args.begin() + sumSlot);
                            newSum.assign(args.begin() + sumSlot,
                                          args.begin() + bufferSlot);
                          } else if (sweep == Sweep::ClippedWeights) {
                            // w = clamp((zeta - gamma) p + gamma, 0, 1) from
                            // the rows' final softmax p; a masked key weighs 0.
                            for (Value s : scores)
                              for (int64_t e = 0; e < 4; ++e)
                                weights.push_back(finalWeight(
                                    ib, vector::ExtractOp::create(ib, s, e),
                                    clippedBase[e / run],
                                    clippedInverseSum[e / run]));
                            newMax.assign(args.begin() + maxSlot,
                                          args.begin() + sumSlot);
                            newSum.assign(args.begin() + sumSlot,
                                          args.begin() + bufferSlot);
                          } else if (softmax || sweep == Sweep::Statistics) {
                            // Online softmax: new row maxima, rescale, weights.
                            SmallVector<Value> alpha, baseL;
                            for (int64_t k = 0; k < threadRows; ++k) {
                              Value m = args[maxSlot + k];
                              Value rowMax = negInf;
                              for (Value s : scores)
                                for (int64_t e = k * run; e < (k + 1) * run;
                                     ++e)
                                  rowMax = arith::MaximumFOp::create(
                                      ib, rowMax,
                                      vector::ExtractOp::create(ib, s, e));
                              rowMax =
                                  unit->emitRowReduce(ib, rowMax, /*max=*/true);
                              Value mNew =
                                  arith::MaximumFOp::create(ib, m, rowMax);
                              // A row with nothing kept yet keeps m = -inf; its
                              // weights and rescale factor are then exp(-inf) =
                              // 0.
                              Value empty = arith::CmpFOp::create(
                                  ib, arith::CmpFPredicate::OEQ, mNew, negInf);
                              Value base = arith::SelectOp::create(ib, empty,
                                                                   zeroF, mNew);
                              baseL.push_back(
                                  arith::MulFOp::create(ib, base, log2e));
                              alpha.push_back(math::Exp2Op::create(
                                  ib,
                                  arith::SubFOp::create(
                                      ib, arith::MulFOp::create(ib, m, log2e),
                                      baseL[k])));
                              newMax.push_back(mNew);
                            }
                            SmallVector<Value> rowSum(threadRows, zeroF);
                            for (Value s : scores)
                              for (int64_t e = 0; e < 4; ++e) {
                                Value x = arith::SubFOp::create(
                                    ib,
                                    arith::MulFOp::create(
                                        ib, vector::ExtractOp::create(ib, s, e),
                                        log2e),
                                    baseL[e / run]);
                                weights.push_back(math::Exp2Op::create(ib, x));
                                rowSum[e / run] = arith::AddFOp::create(
                                    ib, rowSum[e / run], weights.back());
                              }
                            for (int64_t k = 0; k < threadRows; ++k)
                              newSum.push_back(arith::AddFOp::create(
                                  ib,
                                  arith::MulFOp::create(ib, args[sumSlot + k],
                                                        alpha[k]),
                                  rowSum[k]));
                            SmallVector<Value> factors;
                            for (int64_t e = 0; e < 4; ++e)
                              factors.push_back(alpha[e / run]);
                            Value rescale = vector::FromElementsOp::create(
                                ib, acc4, factors);
                            if (sweep != Sweep::Statistics)
                              for (Value &a : acc)
                                a = arith::MulFOp::create(ib, a, rescale);
                          } else {
                            // A normaliser without a running max: each weight
                            // is final (the CPU's formula,
                            // ScoreEmitter::emitDirectWeights). The lse takes
                            // the sum of the weights; the output divides by the
                            // sum of the weights as P V sees them, rounded to
                            // the input type, so that they sum to one (a row
                            // with one key gives its value exactly). The latter
                            // takes the max slots.
                            SmallVector<Value> rowSum(args.begin() + sumSlot,
                                                      args.begin() +
                                                          bufferSlot);
                            SmallVector<Value> roundedSum(
                                args.begin() + maxSlot, args.begin() + sumSlot);
                            for (Value s : scores)
                              for (int64_t e = 0; e < 4; ++e) {
                                Value weight = ScoreEmitter::emitDirectWeights(
                                    ib, normalizer,
                                    vector::ExtractOp::create(ib, s, e),
                                    rows[e / run].score.keptCount);
                                rowSum[e / run] = arith::AddFOp::create(
                                    ib, rowSum[e / run], weight);
                                Value rounded = arith::TruncFOp::create(
                                    ib, element, weight);
                                weights.push_back(arith::ExtFOp::create(
                                    ib, f32Type, rounded));
                                roundedSum[e / run] = arith::AddFOp::create(
                                    ib, roundedSum[e / run], weights.back());
                              }
                            newMax = roundedSum;
                            newSum = rowSum;
                          }

                          // O += P V.
                          if (!keysOnly(sweep))
                            unit->emitWeightedValues(ib, weights, valueSmem,
                                                     buffer, acc);
                          // Every warp is done with this buffer before it is
                          // refilled.
                          gpu::BarrierOp::create(ib);
                          SmallVector<Value> results(acc);
                          llvm::append_range(results, newMax);
                          llvm::append_range(results, newSum);
                          results.append({other, nextVisited});
                          scf::YieldOp::create(ib, results);
                        },
                        [&](OpBuilder &elseBuilder, Location loc) {
                          scf::YieldOp::create(elseBuilder, loc, args);
                        });
                    scf::YieldOp::create(lb, visit.getResults());
                  })
                  .getResults());
        });
  };
  SmallVector<Value> state;
  if (clipped) {
    SmallVector<Value> statistics = emitSweep(Sweep::Statistics, inits);
    SmallVector<Value> weighted(inits);
    for (int64_t k = 0; k < threadRows; ++k) {
      Value max = statistics[maxSlot + k];
      Value empty =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, max, negInf);
      clippedBase[k] = arith::MulFOp::create(
          b, arith::SelectOp::create(b, empty, zeroF, max), log2e);
      clippedInverseSum[k] = arith::DivFOp::create(
          b, f32(b, 1.0),
          unit->emitRowReduce(b, statistics[sumSlot + k], /*max=*/false));
      // The epilogue's lse and empty rows come from these statistics.
      weighted[maxSlot + k] = statistics[maxSlot + k];
      weighted[sumSlot + k] = statistics[sumSlot + k];
    }
    llvm::append_range(state, emitSweep(Sweep::ClippedWeights, weighted));
  } else {
    llvm::append_range(state, emitSweep(Sweep::Weights, inits));
  }
  if (blockMax) {
    // The rows' final softmax statistics, max and sum.
    for (int64_t k = 0; k < threadRows; ++k) {
      Value max = state[maxSlot + k];
      Value sum = unit->emitRowReduce(b, state[sumSlot + k], /*max=*/false);
      Value empty =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, max, negInf);
      blockBase[k] = arith::MulFOp::create(
          b, arith::SelectOp::create(b, empty, zeroF, max), log2e);
      Value some =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, sum, zeroF);
      blockInverseSum[k] = arith::SelectOp::create(
          b, some, arith::DivFOp::create(b, f32(b, 1.0), sum), zeroF);
      blockRowLive[k] = arith::CmpIOp::create(b, arith::CmpIPredicate::slt,
                                              rows[k].r, liveRows);
    }
    emitSweep(Sweep::BlockStatistics, state);
  }

  // Epilogue: normalise, gate, store the rows that exist.
  Type outputElement =
      llvm::cast<MemRefType>(output.getType()).getElementType();
  auto runType = VectorType::get({run}, f32Type);
  for (int64_t k = 0; k < threadRows; ++k) {
    const ThreadRow &row = rows[k];
    Value m = state[maxSlot + k];
    Value l = unit->emitRowReduce(b, state[sumSlot + k], /*max=*/false);
    // An empty row's output is 0.
    std::pair<Value, Value> validity = ScoreEmitter::emitRowValidity(
        b, normalizer,
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, row.r, liveRows), m,
        l);
    Value valid = validity.first, rowLse = validity.second;
    // Softmax divides by l; the other normalised weights by their sum as
    // rounded for P V (kept in the max slot).
    Value divisor = l, weighted = valid;
    if (normalized && !softmax && !clipped) {
      // Weights too small for the input type round to 0: P V sees an empty
      // row (output 0), the lse still the row's sum.
      divisor = unit->emitRowReduce(b, m, /*max=*/false);
      weighted = arith::AndIOp::create(
          b, valid,
          arith::CmpFOp::create(b, arith::CmpFPredicate::ONE, divisor, zeroF));
    }
    // Clipped softmax's weights are final already.
    Value inverse = arith::SelectOp::create(
        b, weighted,
        normalized && !clipped
            ? Value(arith::DivFOp::create(b, f32(b, 1.0), divisor))
            : f32(b, 1.0),
        zeroF);
    Value stored =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, row.r, tileRows);
    scf::IfOp::create(b, stored, [&](OpBuilder &ob, Location loc) {
      ImplicitLocOpBuilder sb(loc, ob);
      Value rowGate;
      if (buffers.gate &&
          llvm::cast<MemRefType>(buffers.gate.getType()).getRank() == 3)
        rowGate = ScoreEmitter::loadBroadcast(sb, buffers.gate,
                                              ValueRange{batch, row.h, row.i});
      auto sigmoid = [&](Value x) -> Value {
        Value oneF = f32(sb, 1.0);
        return arith::DivFOp::create(
            sb, oneF,
            arith::AddFOp::create(
                sb, oneF,
                math::ExpOp::create(sb, arith::NegFOp::create(
                                            sb, ScoreEmitter::toF32(sb, x)))));
      };
      Value rowFactor = rowGate ? sigmoid(rowGate) : Value();
      for (int64_t n = 0; n < accTiles; ++n) {
        Value column = arith::AddIOp::create(
            sb, unit->emitLaneColumn(sb), cst(sb, n * unit->fragmentColumns));
        SmallVector<Value> pair;
        for (int64_t e = 0; e < run; ++e) {
          Value o = arith::MulFOp::create(
              sb, vector::ExtractOp::create(sb, state[n], k * run + e),
              inverse);
          Value factor = rowFactor;
          if (buffers.gate && !factor)
            factor = sigmoid(ScoreEmitter::loadBroadcast(
                sb, buffers.gate,
                ValueRange{batch, row.h, row.i,
                           arith::AddIOp::create(sb, column, cst(sb, e))}));
          if (factor)
            o = arith::MulFOp::create(sb, o, factor);
          pair.push_back(o);
        }
        Value values = vector::FromElementsOp::create(sb, runType, pair);
        if (outputElement != f32Type)
          values = arith::TruncFOp::create(
              sb, VectorType::get({run}, outputElement), values);
        vector::StoreOp::create(sb, values, output,
                                ValueRange{batch, row.h, row.i, column});
      }
      if (lse) {
        scf::IfOp::create(
            sb, unit->emitFirstOfRow(sb), [&](OpBuilder &lb, Location where) {
              ImplicitLocOpBuilder eb(where, lb);
              Value written =
                  arith::SelectOp::create(eb, valid, rowLse, f32(eb, kNegInf));
              memref::StoreOp::create(eb, written, lse,
                                      ValueRange{batch, row.h, row.i});
              scf::YieldOp::create(eb);
            });
      }
      scf::YieldOp::create(sb);
    });
  }
}

Type bufferType(Type type) {
  if (auto tensor = llvm::dyn_cast<RankedTensorType>(type))
    return MemRefType::get(tensor.getShape(), tensor.getElementType());
  return type;
}

/// An empty kernel in `kernels` named `name` with one buffer argument per
/// type of `types` (tensors become memrefs).
gpu::GPUFuncOp createKernel(Location loc, StringRef name, TypeRange types,
                            gpu::GPUModuleOp kernels, const GpuTarget &target) {
  SmallVector<Type> buffers;
  for (Type type : types)
    buffers.push_back(bufferType(type));
  OpBuilder builder = OpBuilder::atBlockEnd(kernels.getBody());
  auto kernel = gpu::GPUFuncOp::create(builder, loc, name,
                                       builder.getFunctionType(buffers, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                  builder.getUnitAttr());
  kernel.setKnownBlockSizeAttr(
      builder.getDenseI32ArrayAttr({int32_t(target.threads()), 1, 1}));
  return kernel;
}

/// What a launcher needs (`attn.launch`): the grid is (ceil(Sq * group /
/// rowsPerBlock), gridY, B), with B and Sq dimensions 0 and 2 of the
/// kernel's argument `queryArgument`; the block's threads and its dynamic
/// shared memory.
void setLaunch(gpu::GPUFuncOp kernel, const GpuTarget &target,
               int64_t rowsPerBlock, int64_t group, int64_t gridY,
               int64_t sharedBytes, Value queryArgument) {
  Builder builder(kernel.getContext());
  auto named = [&](StringRef name, int64_t value) {
    return builder.getNamedAttr(name, builder.getI64IntegerAttr(value));
  };
  kernel->setAttr(
      "attn.launch",
      builder.getDictionaryAttr({
          named("threads", target.threads()),
          named("query_tile", rowsPerBlock),
          named("group", group),
          named("kv_heads", gridY),
          named("shared_bytes", sharedBytes),
          named("query_argument",
                llvm::cast<BlockArgument>(queryArgument).getArgNumber()),
      }));
}

/// Lanes that share one row of a merge.
constexpr int64_t kMergeLanes = 16;

/// Emits `merge` into `kernel`, whose buffers `mapping` gives for the
/// merge's operands and results: each row (b, h, i) takes kMergeLanes
/// lanes, each of which merges the row's lse values and then the columns
/// lane, lane + kMergeLanes, ... of the parts; a block takes threads /
/// kMergeLanes rows of one (b, h).
LogicalResult emitMergeKernel(MergeOp merge, gpu::GPUFuncOp kernel,
                              const IRMapping &mapping,
                              const GpuTarget &target) {
  auto outputType = llvm::cast<RankedTensorType>(merge.getOutput().getType());
  int64_t heads = outputType.getDimSize(1), valueDim = outputType.getDimSize(3);
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(valueDim))
    return merge.emitOpError()
           << "has a dynamic head count or head dimension, which the "
           << target.vendor
           << " backend does not lower (the grid and the columns are static)";
  Value output = mapping.lookup(merge.getOutput());
  Value lse = mapping.lookup(merge.getLse());
  OpBuilder builder = OpBuilder::atBlockBegin(&kernel.getBody().front());
  ImplicitLocOpBuilder b(merge.getLoc(), builder);
  auto cst = [](ImplicitLocOpBuilder &ib, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ib, v);
  };
  auto store = [](ImplicitLocOpBuilder &ib, Value value, Value buffer,
                  ValueRange at) {
    Type element = llvm::cast<MemRefType>(buffer.getType()).getElementType();
    if (element != value.getType())
      value = arith::TruncFOp::create(ib, element, value);
    memref::StoreOp::create(ib, value, buffer, at);
  };
  int64_t rowsPerBlock = target.threads() / kMergeLanes;
  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, cst(b, kMergeLanes));
  Value i = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            cst(b, rowsPerBlock)),
      arith::DivUIOp::create(b, tid, cst(b, kMergeLanes)));
  Value head = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  Value batch = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  Value exists = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i,
                                       memref::DimOp::create(b, output, 2));
  scf::IfOp::create(b, exists, [&](OpBuilder &ob, Location loc) {
    ImplicitLocOpBuilder ib(loc, ob);
    SmallVector<Value> row = {batch, head, i};
    SmallVector<Value> parts;
    for (Value part : merge.getLses())
      parts.push_back(ScoreEmitter::toF32(
          ib, memref::LoadOp::create(ib, mapping.lookup(part), row)));
    MergeRow merged = emitMergeRow(ib, parts);
    Value first =
        arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, lane, cst(ib, 0));
    scf::IfOp::create(ib, first, [&](OpBuilder &fb, Location l) {
      ImplicitLocOpBuilder lb(l, fb);
      store(lb, merged.lse, lse, row);
      scf::YieldOp::create(lb);
    });
    scf::ForOp::create(
        ib, lane, cst(ib, valueDim), cst(ib, kMergeLanes), ValueRange{},
        [&](OpBuilder &cb, Location l, Value d, ValueRange) {
          ImplicitLocOpBuilder db(l, cb);
          SmallVector<Value> at = {batch, head, i, d};
          Value sum = arith::ConstantOp::create(db, db.getF32FloatAttr(0.0));
          for (auto [part, weight] :
               llvm::zip(merge.getOutputs(), merged.weights))
            sum = math::FmaOp::create(
                db, weight,
                ScoreEmitter::toF32(
                    db, memref::LoadOp::create(db, mapping.lookup(part), at)),
                sum);
          store(db, sum, output, at);
          scf::YieldOp::create(db);
        });
    scf::YieldOp::create(ib);
  });
  gpu::ReturnOp::create(b);
  setLaunch(kernel, target, rowsPerBlock, /*group=*/1, heads,
            /*sharedBytes=*/0, mapping.lookup(merge.getOutputs()[0]));
  return success();
}

/// Emits `attention` into `kernel`, whose buffers `mapping` gives for the
/// attention's operands and results.
LogicalResult emitAttentionKernel(AttentionOp attention, gpu::GPUFuncOp kernel,
                                  const IRMapping &mapping,
                                  const GpuTarget &target,
                                  const MatrixUnitFactory &makeUnit,
                                  PlantedFault fault) {
  std::string feature = unsupportedFeature(attention);
  if (!feature.empty())
    return attention.emitOpError()
           << "uses " << feature << ", which the " << target.vendor
           << " backend does not lower yet (the CPU backend and the reference "
              "oracle evaluate it)";
  if (failed(ScoreEmitter::checkSupported(attention)))
    return failure();
  auto buffer = [&](Value v) { return v ? mapping.lookup(v) : Value(); };
  AttentionBuffers buffers = collectAttentionBuffers(attention, buffer);
  OpBuilder builder = OpBuilder::atBlockBegin(&kernel.getBody().front());
  ImplicitLocOpBuilder b(attention.getLoc(), builder);
  KernelBuilder lowering(attention, buffers, buffer(attention.getOutput()),
                         buffer(attention.getLse()),
                         buffer(attention.getBlockMax()), target, makeUnit,
                         fault);
  if (lowering.sharedBytes() > target.maxSharedBytes)
    return attention.emitOpError()
           << "needs " << lowering.sharedBytes()
           << " bytes of shared memory per block for its query, key and value "
              "tiles, more than the "
           << target.chip << "'s " << target.maxSharedBytes;
  // Past D = 64 the shared memory lets at most two blocks share a
  // multiprocessor, so each thread may use every register there is.
  // Normalisers other than softmax that normalise carry two sums per row
  // (the lse's and the output's, see the loop) and take every register too.
  auto normalizer =
      llvm::cast<NormalizerAttrInterface>(attention.getNormalizerOrDefault());
  bool twoSums = normalizer.isNormalized() &&
                 !llvm::isa<SoftmaxAttr>(attention.getNormalizerOrDefault());
  // So do gathered key tiles (selected tokens): the key of each element
  // comes from the list, and the list's shared memory leaves fewer blocks
  // per multiprocessor anyway.
  lowering.matrixUnit().annotateKernel(
      kernel, attention.getQuery().getType().getDimSize(3) > 64 ||
                  attention.getValue().getType().getDimSize(3) > 64 ||
                  twoSums || attention.getSelected());
  lowering.emit(b);
  gpu::ReturnOp::create(b);
  // The grid: (ceil(Sq * G / query_tile), key/value heads, batch), or with
  // G = 1 and the query heads along y where each query head selects its own
  // keys.
  int64_t kvHeads =
      attention.getKey().getType().getDimSize(attention.isPaged() ? 2 : 1);
  setLaunch(kernel, target, lowering.getQueryTile(), lowering.getRowGroup(),
            kvHeads * attention.getGroupSize() / lowering.getRowGroup(),
            lowering.sharedBytes(), buffer(attention.getQuery()));
  return success();
}

/// Emits `op` (an attention, a linear attention or a merge) into `kernel`.
LogicalResult emitOpKernel(Operation *op, gpu::GPUFuncOp kernel,
                           const IRMapping &mapping, const GpuTarget &target,
                           const MatrixUnitFactory &makeUnit,
                           PlantedFault fault) {
  if (auto merge = llvm::dyn_cast<MergeOp>(op))
    return emitMergeKernel(merge, kernel, mapping, target);
  if (auto linear = llvm::dyn_cast<LinearAttentionOp>(op)) {
    FailureOr<LinearKernelLaunch> launch = emitLinearAttentionKernel(
        linear, kernel, mapping, target, makeUnit, fault);
    if (failed(launch))
      return failure();
    // One block per (b, h): occupancy matters less than keeping the loops'
    // values in registers, so each thread may use every register.
    Type element = linear.getQuery().getType().getElementType();
    makeUnit(target,
             {element.isF32() ? Float16Type::get(linear.getContext()) : element,
              linear.getQuery().getType().getDimSize(3),
              linear.getValue().getType().getDimSize(3),
              target.keyTile(linear.getQuery().getType().getDimSize(3))},
             fault)
        ->annotateKernel(kernel, /*registerHungry=*/true);
    setLaunch(kernel, target, launch->rowsPerBlock, /*group=*/1, launch->gridY,
              launch->sharedBytes, mapping.lookup(linear.getQuery()));
    return success();
  }
  return emitAttentionKernel(llvm::cast<AttentionOp>(op), kernel, mapping,
                             target, makeUnit, fault);
}

/// Emits `op` into a new kernel `name` of `kernels` that takes one buffer
/// per value of `values` (what the kernel reads and writes, in order).
LogicalResult emitKernelOn(Operation *op, StringRef name,
                           ArrayRef<Value> values, gpu::GPUModuleOp kernels,
                           const GpuTarget &target,
                           const MatrixUnitFactory &makeUnit,
                           PlantedFault fault) {
  SmallVector<Type> types;
  for (Value v : values)
    types.push_back(v.getType());
  gpu::GPUFuncOp kernel =
      createKernel(op->getLoc(), name, types, kernels, target);
  IRMapping mapping;
  for (auto [from, to] :
       llvm::zip(values, kernel.getBody().front().getArguments()))
    mapping.map(from, to);
  if (failed(emitOpKernel(op, kernel, mapping, target, makeUnit, fault))) {
    kernel.erase();
    return failure();
  }
  return success();
}

/// Rewrites `func`, one attn.attention or attn.merge of its arguments, into
/// a kernel of `kernels` named after it, taking the function's arguments'
/// and results' buffers.
LogicalResult lowerSingleOp(func::FuncOp func, Operation *op,
                            gpu::GPUModuleOp kernels, const GpuTarget &target,
                            const MatrixUnitFactory &makeUnit,
                            PlantedFault fault) {
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  if (auto merge = llvm::dyn_cast<MergeOp>(op)) {
    if (ret.getOperands() != ValueRange{merge.getOutput(), merge.getLse()})
      return ret.emitOpError()
             << "must return the merge's output and lse in that order for the "
             << target.vendor << " backend";
  } else if (auto linear = llvm::dyn_cast<LinearAttentionOp>(op)) {
    if (ret.getOperands() != ValueRange{linear.getOutput()})
      return ret.emitOpError()
             << "must return the linear attention's output for the "
             << target.vendor << " backend";
  } else {
    auto attention = llvm::cast<AttentionOp>(op);
    SmallVector<Value> expected = {attention.getOutput()};
    if (attention.getLse())
      expected.push_back(attention.getLse());
    if (attention.getBlockMax())
      expected.push_back(attention.getBlockMax());
    if (ret.getOperands() != ValueRange(expected))
      return ret.emitOpError()
             << "must return the attention's output (and lse, and block "
                "statistics) in that order for the "
             << target.vendor << " backend";
  }
  SmallVector<Value> values(func.getArguments());
  llvm::append_range(values, ret.getOperands());
  if (failed(emitKernelOn(op, func.getSymName(), values, kernels, target,
                          makeUnit, fault)))
    return failure();
  func.erase();
  return success();
}

/// Rewrites `func`, several attention and merge ops, into one kernel per op
/// (gpuStepKernelName), run one after another on the buffers
/// gpuStepBuffers() lists.
LogicalResult lowerSteps(func::FuncOp func, gpu::GPUModuleOp kernels,
                         const GpuTarget &target,
                         const MatrixUnitFactory &makeUnit,
                         PlantedFault fault) {
  Block &body = func.getBody().front();
  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  llvm::SmallPtrSet<Value, 8> returned;
  for (Value v : ret.getOperands()) {
    if (llvm::isa<BlockArgument>(v))
      return ret.emitOpError()
             << "returns an argument of the function, which no "
             << target.vendor << " kernel writes";
    if (!returned.insert(v).second)
      return ret.emitOpError()
             << "returns one value twice, which the " << target.vendor
             << " backend does not lower (one buffer per value)";
  }
  SmallVector<Value> buffers = gpuStepBuffers(func);
  unsigned step = 0;
  for (Operation &op : body.without_terminator()) {
    std::string name = gpuStepKernelName(func.getSymName(), step++);
    if (SymbolTable::lookupSymbolIn(func->getParentOp(), name) ||
        SymbolTable::lookupSymbolIn(kernels, name))
      return func.emitOpError() << "needs the kernel name '" << name
                                << "' for its step, which another symbol has";
    if (failed(
            emitKernelOn(&op, name, buffers, kernels, target, makeUnit, fault)))
      return failure();
  }
  func.erase();
  return success();
}

/// Rewrites `func` into the kernels of `kernels`.
LogicalResult lowerFunction(func::FuncOp func, gpu::GPUModuleOp kernels,
                            const GpuTarget &target,
                            const MatrixUnitFactory &makeUnit,
                            PlantedFault fault) {
  Block &body = func.getBody().front();
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator()) {
    if (!llvm::isa<AttentionOp, LinearAttentionOp, MergeOp>(op))
      return op.emitOpError()
             << "is not lowered by the " << target.vendor
             << " backend yet (the CPU backend and the reference oracle "
                "evaluate it)";
    ops.push_back(&op);
  }
  if (ops.empty())
    return func.emitOpError("has no attn.attention to lower for the GPU");
  if (ops.size() == 1)
    return lowerSingleOp(func, ops.front(), kernels, target, makeUnit, fault);
  return lowerSteps(func, kernels, target, makeUnit, fault);
}

} // namespace

SmallVector<Value> mlir::attn::gpuStepBuffers(func::FuncOp func) {
  Block &body = func.getBody().front();
  SmallVector<Value> buffers(body.getArguments());
  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  llvm::append_range(buffers, ret.getOperands());
  llvm::SmallPtrSet<Value, 8> returned(ret.getOperands().begin(),
                                       ret.getOperands().end());
  for (Operation &op : body.without_terminator())
    for (Value result : op.getResults())
      if (!returned.contains(result))
        buffers.push_back(result);
  return buffers;
}

unsigned mlir::attn::gpuStepCount(func::FuncOp func) {
  return func.getBody().front().getOperations().size() - 1;
}

std::string mlir::attn::gpuStepKernelName(StringRef function, unsigned step) {
  return (function + "__step" + Twine(step)).str();
}

LogicalResult mlir::attn::lowerToGpuKernels(ModuleOp module,
                                            const GpuTarget &target,
                                            const MatrixUnitFactory &makeUnit,
                                            PlantedFault fault) {
  SmallVector<func::FuncOp> functions;
  for (func::FuncOp func : module.getOps<func::FuncOp>())
    if (!func.isExternal())
      functions.push_back(func);
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(module.getContext()));
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto kernels =
      gpu::GPUModuleOp::create(builder, module.getLoc(), "attn_kernels");
  for (func::FuncOp func : functions)
    if (failed(lowerFunction(func, kernels, target, makeUnit, fault)))
      return failure();
  return success();
}

LogicalResult mlir::attn::runGpuKernelsPass(
    ModuleOp module, llvm::StringRef pass, llvm::StringRef chip,
    llvm::StringRef debugFault,
    std::optional<GpuTarget> (*lookup)(llvm::StringRef),
    llvm::StringRef knownChips, const MatrixUnitFactory &makeUnit) {
  std::optional<GpuTarget> target = lookup(chip);
  if (!target)
    return module.emitError() << pass << ": unknown chip '" << chip
                              << "' (known: " << knownChips << ")";
  std::optional<PlantedFault> fault = parsePlantedFault(debugFault);
  if (!fault)
    return module.emitError() << pass << ": unknown debug-fault '" << debugFault
                              << "' (known: lane-mapping, no-barrier, "
                                 "shared-off-by-one)";
  return lowerToGpuKernels(module, *target, makeUnit, *fault);
}
