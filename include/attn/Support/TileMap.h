//===- TileMap.h - Which tiles a kernel visits, and which it must -*- C++
//-*-===//
//
// A tile map classifies every (query tile, key tile) of every (batch, key/
// value head): skipped, partial (masks evaluated per element) or full. One
// comes from a kernel compiled to report its visits; the other is the truth,
// scanned from the reference oracle's kept pairs. Comparing them shows that
// a kernel visits exactly the non-empty tiles and that its full tiles are
// truly full; printing them (text or SVG) shows users their sparsity.
//
// Query tile rows are the kernel's: row t = i * G + g of key/value head kvh
// is query i of head kvh * G + g, so the G heads sharing a key/value head
// share its tiles.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_TILEMAP_H
#define ATTN_SUPPORT_TILEMAP_H

#include "attn/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <vector>

namespace mlir::attn {

enum class TileClass : uint8_t { Skipped = 0, Partial = 1, Full = 2 };

struct TileMap {
  int64_t batch = 0, kvHeads = 0, queryTiles = 0, keyTiles = 0;
  int64_t queryTile = 0, keyTile = 0;
  std::vector<TileClass> tiles;

  TileMap() = default;
  TileMap(int64_t batch, int64_t kvHeads, int64_t queryTiles, int64_t keyTiles,
          int64_t queryTile, int64_t keyTile);
  TileClass &at(int64_t b, int64_t kvh, int64_t qt, int64_t kt) {
    return tiles[((b * kvHeads + kvh) * queryTiles + qt) * keyTiles + kt];
  }
  TileClass at(int64_t b, int64_t kvh, int64_t qt, int64_t kt) const {
    return tiles[((b * kvHeads + kvh) * queryTiles + qt) * keyTiles + kt];
  }
  /// Tiles of each class, over the whole map.
  int64_t count(TileClass c) const;
};

/// The truth for the single attn.attention of `func` on `arguments`: a tile
/// is non-empty if some live pair in it is kept, full if all are (pairs of
/// rows past q_len or keys past kv_len are not live).
FailureOr<TileMap> scanTiles(func::FuncOp func,
                             llvm::ArrayRef<reference::Tensor> arguments,
                             int64_t queryTile, int64_t keyTile);

/// How a kernel's map agrees with the truth.
struct TileComparison {
  int64_t visited = 0, nonEmpty = 0, full = 0, trulyFull = 0;
  /// Non-empty tiles the kernel skipped (wrong results), empty tiles it
  /// visited (wasted work), full tiles that are not (wrong results), truly
  /// full tiles it treated as partial (wasted mask work).
  int64_t missed = 0, extra = 0, falseFull = 0, fullAsPartial = 0;
  /// Nothing skipped or called full that would change results.
  bool isCorrect() const { return missed == 0 && falseFull == 0; }
  /// Correct, and no empty tile visited.
  bool isExact() const { return isCorrect() && extra == 0; }
};
TileComparison compareTileMaps(const TileMap &kernel, const TileMap &truth);

/// The map of (batch b, key/value head kvh): one line per query tile, one
/// character per key tile ('.' skipped, '+' partial, '#' full).
void printTileMap(llvm::raw_ostream &os, const TileMap &map, int64_t b,
                  int64_t kvh);
/// The same as an SVG picture, one square per tile.
void writeTileMapSvg(llvm::raw_ostream &os, const TileMap &map, int64_t b,
                     int64_t kvh);

} // namespace mlir::attn

#endif // ATTN_SUPPORT_TILEMAP_H
