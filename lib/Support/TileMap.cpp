//===- TileMap.cpp - Which tiles a kernel visits, and which it must -------===//

#include "attn/Support/TileMap.h"

#include "attn/Dialect/Attn.h"
#include "attn/Reference/Oracle.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::attn;
using reference::Tensor;

TileMap::TileMap(int64_t batch, int64_t kvHeads, int64_t queryTiles,
                 int64_t keyTiles, int64_t queryTile, int64_t keyTile)
    : batch(batch), kvHeads(kvHeads), queryTiles(queryTiles),
      keyTiles(keyTiles), queryTile(queryTile), keyTile(keyTile),
      tiles(batch * kvHeads * queryTiles * keyTiles, TileClass::Skipped) {}

int64_t TileMap::count(TileClass c) const { return llvm::count(tiles, c); }

FailureOr<TileMap> mlir::attn::scanTiles(func::FuncOp func,
                                         ArrayRef<Tensor> arguments,
                                         int64_t queryTile, int64_t keyTile) {
  auto ops = func.getBody().getOps<AttentionOp>();
  if (std::distance(ops.begin(), ops.end()) != 1)
    return func.emitError("a tile map needs a function with one "
                          "attn.attention");
  AttentionOp op = *ops.begin();
  auto argumentOf = [&](Value v) -> const Tensor * {
    auto arg = llvm::dyn_cast_or_null<BlockArgument>(v);
    return arg ? &arguments[arg.getArgNumber()] : nullptr;
  };
  const Tensor *q = argumentOf(op.getQuery());
  if (!q)
    return op.emitError("a tile map needs the query to be an argument");
  int64_t group = op.getGroupSize();
  int64_t batch = q->dim(0), heads = q->dim(1), length = q->dim(2);
  // The padded key length: the key's, or pages * page size.
  int64_t keyLength;
  if (op.isPaged()) {
    const Tensor *table = argumentOf(op.getPageTable());
    const Tensor *k = argumentOf(op.getKey());
    if (!table || !k)
      return op.emitError("a tile map needs the page table as an argument");
    keyLength = table->dim(1) * k->dim(1);
  } else {
    const Tensor *k = argumentOf(op.getKey());
    if (!k)
      return op.emitError("a tile map needs the key to be an argument");
    keyLength = k->dim(2);
  }
  auto lengthOf = [&](Value v, int64_t b, int64_t full) {
    const Tensor *t = argumentOf(v);
    return t ? static_cast<int64_t>(t->data[b]) : full;
  };
  int64_t kvHeads = heads / group;
  int64_t queryTiles = (length * group + queryTile - 1) / queryTile;
  int64_t keyTiles = (keyLength + keyTile - 1) / keyTile;
  TileMap map(batch, kvHeads, queryTiles, keyTiles, queryTile, keyTile);
  std::vector<int64_t> kept(map.tiles.size(), 0);
  FailureOr<std::vector<reference::AttentionWork>> work =
      reference::countKeptPairs(
          func, arguments,
          [&](int64_t, int64_t b, int64_t h, int64_t i,
              ArrayRef<int64_t> keys) {
            int64_t qt = (i * group + h % group) / queryTile;
            for (int64_t j : keys)
              ++kept[((b * kvHeads + h / group) * queryTiles + qt) * keyTiles +
                     j / keyTile];
          });
  if (failed(work))
    return failure();
  for (int64_t b = 0; b < batch; ++b) {
    int64_t liveRows = lengthOf(op.getQLen(), b, length) * group;
    int64_t kvLength = lengthOf(op.getKvLen(), b, keyLength);
    for (int64_t kvh = 0; kvh < kvHeads; ++kvh)
      for (int64_t qt = 0; qt < queryTiles; ++qt)
        for (int64_t kt = 0; kt < keyTiles; ++kt) {
          int64_t rows =
              std::clamp<int64_t>(liveRows - qt * queryTile, 0, queryTile);
          int64_t cols =
              std::clamp<int64_t>(kvLength - kt * keyTile, 0, keyTile);
          int64_t n =
              kept[((b * kvHeads + kvh) * queryTiles + qt) * keyTiles + kt];
          map.at(b, kvh, qt, kt) = n == 0             ? TileClass::Skipped
                                   : n == rows * cols ? TileClass::Full
                                                      : TileClass::Partial;
        }
  }
  return map;
}

TileComparison mlir::attn::compareTileMaps(const TileMap &kernel,
                                           const TileMap &truth) {
  TileComparison c;
  for (auto [got, want] : llvm::zip(kernel.tiles, truth.tiles)) {
    c.visited += got != TileClass::Skipped;
    c.nonEmpty += want != TileClass::Skipped;
    c.full += got == TileClass::Full;
    c.trulyFull += want == TileClass::Full;
    c.missed += got == TileClass::Skipped && want != TileClass::Skipped;
    c.extra += got != TileClass::Skipped && want == TileClass::Skipped;
    c.falseFull += got == TileClass::Full && want != TileClass::Full;
    c.fullAsPartial += got == TileClass::Partial && want == TileClass::Full;
  }
  return c;
}

static char symbolOf(TileClass c) {
  return c == TileClass::Skipped ? '.' : c == TileClass::Full ? '#' : '+';
}

void mlir::attn::printTileMap(llvm::raw_ostream &os, const TileMap &map,
                              int64_t b, int64_t kvh) {
  for (int64_t qt = 0; qt < map.queryTiles; ++qt) {
    os << llvm::formatv("    {0,5} ", qt * map.queryTile);
    for (int64_t kt = 0; kt < map.keyTiles; ++kt)
      os << symbolOf(map.at(b, kvh, qt, kt));
    os << "\n";
  }
}

void mlir::attn::writeTileMapSvg(llvm::raw_ostream &os, const TileMap &map,
                                 int64_t b, int64_t kvh) {
  // Squares of at most 12 pixels, the picture at most about 1200 wide.
  int64_t side = std::clamp<int64_t>(
      1200 / std::max<int64_t>(1, std::max(map.keyTiles, map.queryTiles)), 1,
      12);
  int64_t width = map.keyTiles * side, height = map.queryTiles * side;
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">\n",
                      width, height + 24);
  os << llvm::formatv(
      "<title>tiles of batch {0}, key/value head {1}: {2} query rows x {3} "
      "keys each</title>\n",
      b, kvh, map.queryTile, map.keyTile);
  os << llvm::formatv("<rect width=\"{0}\" height=\"{1}\" fill=\"#f4f4f4\"/>\n",
                      width, height);
  for (int64_t qt = 0; qt < map.queryTiles; ++qt)
    for (int64_t kt = 0; kt < map.keyTiles; ++kt) {
      TileClass c = map.at(b, kvh, qt, kt);
      if (c == TileClass::Skipped)
        continue;
      os << llvm::formatv(
          "<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{2}\" "
          "fill=\"{3}\"><title>query tile {4}, key tile {5}: {6}</title>"
          "</rect>\n",
          kt * side, qt * side, side,
          c == TileClass::Full ? "#1f6fb4" : "#f0a030", qt, kt,
          c == TileClass::Full ? "full" : "partial");
    }
  os << llvm::formatv(
      "<text x=\"2\" y=\"{0}\" font-family=\"monospace\" font-size=\"12\">"
      "blue: full, orange: partial, grey: skipped</text>\n",
      height + 16);
  os << "</svg>\n";
}
