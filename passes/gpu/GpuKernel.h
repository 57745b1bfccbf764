//===- GpuKernel.h - One kernel mapping, one target description per GPU -*- C++
//-*-===//
//
// The mapping of the tiled online form onto a GPU is shared by the NVIDIA
// and the AMD backends: one thread block (workgroup) per (batch, key/value
// head, query tile), four warps (waves) of sixteen query rows, key and value
// tiles double buffered in shared memory (LDS), the online softmax in
// registers, masks and modifiers per accumulator element from its (row,
// column), the mask analysis's tile visit lists. What differs per vendor is
// behind two things:
//
// - GpuTarget (GpuTarget.h): the numbers of a chip (warp size, shared
//   memory, registers, tiles), so that the mapping has no per-chip `if`;
// - MatrixUnit: the target's matrix instructions and their fragment layouts
//   (mma.sync with ldmatrix and cp.async on NVIDIA, MFMA on AMD), the copies
//   into shared memory and the reductions across the lanes of a row.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_GPU_GPUKERNEL_H
#define ATTN_PASSES_GPU_GPUKERNEL_H

#include "GpuTarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mlir::attn {

/// Faults the debug-fault option plants, so that tests can show the SIMT
/// emulator catches each kind; never set outside such tests.
enum class PlantedFault {
  None,
  /// Each lane takes the accumulator rows of another lane.
  LaneMapping,
  /// No barrier between a key tile's copy and its reads.
  NoBarrier,
  /// Tile copies write row r + 1 instead of row r.
  SharedOffByOne,
};

/// The fault named `name` ("", lane-mapping, no-barrier, shared-off-by-one).
std::optional<PlantedFault> parsePlantedFault(llvm::StringRef name);

/// What the matrix unit of a kernel is built for.
struct FragmentShape {
  Type element;
  int64_t headDim, valueDim, keyTile;
};

/// A target's matrix instructions, as the mapping uses them for one warp.
///
/// Accumulators (the scores S of a key tile and the output O) are held as
/// vector<4xf32> fragments, each spanning `fragmentColumns` columns of the
/// warp's sixteen rows: element e of fragment n lies in thread row
/// e / `run` (threadRows() rows per lane) at column
/// laneColumn + n * fragmentColumns + e % run.
class MatrixUnit {
public:
  MatrixUnit(int64_t fragmentColumns, int64_t run)
      : fragmentColumns(fragmentColumns), run(run) {}
  virtual ~MatrixUnit();

  const int64_t fragmentColumns, run;
  int64_t threadRows() const { return 4 / run; }

  /// Computes what depends on the lane only, right after the lane id.
  virtual void emitLaneValues(ImplicitLocOpBuilder &b, Value lane) = 0;
  /// Computes what the fragment reads need, once the query tile is staged.
  virtual void emitFragmentAddresses(ImplicitLocOpBuilder &b) {}
  /// The tile row (within the block) of the lane's thread row k.
  virtual Value emitThreadRow(ImplicitLocOpBuilder &b, Value warpRow,
                              int64_t k) = 0;
  /// The lane's first column in each fragment.
  virtual Value emitLaneColumn(ImplicitLocOpBuilder &b) = 0;
  /// Whether the lane is the first of those that share its rows.
  virtual Value emitFirstOfRow(ImplicitLocOpBuilder &b) = 0;
  /// Max (or sum) of `v` over the lanes that share a row.
  virtual Value emitRowReduce(ImplicitLocOpBuilder &b, Value v, bool max) = 0;

  /// Copies eight elements (16 bytes) from `source[sourceIndices]` into
  /// `tile[tileIndices]`, zeros where `exists` is false (the source
  /// address is then clamped into its buffer).
  virtual void emitChunkCopy(ImplicitLocOpBuilder &b, Value tile,
                             ValueRange tileIndices, Value source,
                             ValueRange sourceIndices, Value exists) = 0;
  /// Ends a group of copies; waits until at most `pending` groups are in
  /// flight (the barrier after it is the mapping's).
  virtual void emitCommit(ImplicitLocOpBuilder &b) {}
  virtual void emitWait(ImplicitLocOpBuilder &b, int64_t pending) {}

  /// The warp's query operand for depth slice ks (16 of the head dimension).
  virtual SmallVector<Value> emitQueryFragment(ImplicitLocOpBuilder &b,
                                               Value querySmem, Value warpRow,
                                               int64_t ks) = 0;
  /// scores += Q K^T over depth slice ks, from the key tile in `buffer`.
  virtual void emitScores(ImplicitLocOpBuilder &b, ArrayRef<Value> query,
                          Value keySmem, Value buffer, int64_t ks,
                          MutableArrayRef<Value> scores) = 0;
  /// acc += P V, the weights P in the scores' layout (4 per fragment).
  virtual void emitWeightedValues(ImplicitLocOpBuilder &b,
                                  ArrayRef<Value> weights, Value valueSmem,
                                  Value buffer, MutableArrayRef<Value> acc) = 0;

  /// Target attributes of a kernel (register limits).
  virtual void annotateKernel(gpu::GPUFuncOp kernel, bool registerHungry) {}

protected:
  /// Max (or sum) of `v` over the lanes a butterfly of xor shuffles by
  /// `masks` reaches, in warps of `width` lanes.
  static Value emitXorReduce(ImplicitLocOpBuilder &b, Value v, bool max,
                             ArrayRef<int32_t> masks, int64_t width);
};

/// Makes the matrix unit of one kernel.
using MatrixUnitFactory = std::function<std::unique_ptr<MatrixUnit>(
    const GpuTarget &, const FragmentShape &, PlantedFault)>;

/// Rewrites every function of `module` into a kernel of its `attn_kernels`
/// GPU module for `target`, each carrying `attn.launch` (threads, query
/// tile, group, kv_heads, shared_bytes).
LogicalResult lowerToGpuKernels(ModuleOp module, const GpuTarget &target,
                                const MatrixUnitFactory &makeUnit,
                                PlantedFault fault);

/// What a vendor's kernels pass does: looks up `chip` with `lookup` and the
/// fault named `debugFault`, reports either unknown as `pass` ("known:
/// `knownChips`"), then lowerToGpuKernels() with the vendor's unit.
LogicalResult
runGpuKernelsPass(ModuleOp module, llvm::StringRef pass, llvm::StringRef chip,
                  llvm::StringRef debugFault,
                  std::optional<GpuTarget> (*lookup)(llvm::StringRef),
                  llvm::StringRef knownChips,
                  const MatrixUnitFactory &makeUnit);

/// Registers the interfaces and translations both GPU pipelines use to
/// reach LLVM (each adds its own dialects and target).
void registerGpuLoweringInterfaces(DialectRegistry &registry);

} // namespace mlir::attn

#endif // ATTN_PASSES_GPU_GPUKERNEL_H
