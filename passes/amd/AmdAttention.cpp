//===- AmdAttention.cpp - attn.attention on AMD matrix cores --------------===//
//
// The AMD side of the shared GPU mapping (gpu/GpuKernel.h): the chips'
// descriptions (wave64, 64 KiB of LDS) and their matrix unit. Tiles are
// staged in LDS by plain 16-byte loads and stores; Q K^T and P V run on
// MFMA (v_mfma_f32_16x16x16_f16 / _bf16: f16 or bf16 inputs, f32
// accumulation); row reductions cross lane groups with shuffles.
//
// MFMA 16x16x16 layouts (CDNA ISA): lane L = 16 q + c holds, of A (16x16,
// M x K), row c at depths 4q .. 4q + 3; of B (K x N), column c at depths
// 4q .. 4q + 3; of the accumulator, column c at rows 4q .. 4q + 3. Each
// product is computed transposed - S^T = K Q^T and O^T = V^T P^T - so that
// the accumulator's columns are query rows: lane L then holds query row c
// at key (or value) columns 4q .. 4q + 3 of each sixteen, which is the
// mapping's layout with sixteen columns per fragment, runs of four, one row
// per lane, and S^T's accumulator is P^T's B operand as it stands.
//
//===----------------------------------------------------------------------===//

#include "../gpu/GpuKernel.h"

#include "attn/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNAMDKERNELS
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

std::optional<GpuTarget> mlir::attn::lookupAmdTarget(llvm::StringRef chip) {
  if (chip != "gfx90a" && chip != "gfx942")
    return std::nullopt;
  GpuTarget target;
  target.vendor = "AMD";
  target.chip = chip == "gfx90a" ? "gfx90a" : "gfx942";
  target.warpSize = 64;
  // LDS per workgroup; the key tile halves past D = 64 to fit it.
  target.maxSharedBytes = 64 * 1024;
  target.smallKeyTile = 64;
  target.largeKeyTile = 32;
  // Architectural VGPRs a lane may use.
  target.maxRegisters = 512;
  return target;
}

namespace {

class MfmaUnit : public MatrixUnit {
public:
  MfmaUnit(const GpuTarget &target, const FragmentShape &shape,
           PlantedFault fault)
      : MatrixUnit(/*fragmentColumns=*/16, /*run=*/4), target(target),
        shape(shape), fault(fault) {}

  void emitLaneValues(ImplicitLocOpBuilder &b, Value lane) override {
    column = arith::RemUIOp::create(b, lane, cst(b, 16));
    group = arith::DivUIOp::create(b, lane, cst(b, 16));
    row = column;
    if (fault == PlantedFault::LaneMapping)
      row = arith::XOrIOp::create(b, row, cst(b, 1));
  }

  Value emitThreadRow(ImplicitLocOpBuilder &b, Value warpRow,
                      int64_t k) override {
    return arith::AddIOp::create(b, warpRow, row);
  }

  Value emitLaneColumn(ImplicitLocOpBuilder &b) override {
    return arith::MulIOp::create(b, group, cst(b, 4));
  }

  Value emitFirstOfRow(ImplicitLocOpBuilder &b) override {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, group, cst(b, 0));
  }

  /// Over the four lane groups of sixteen.
  Value emitRowReduce(ImplicitLocOpBuilder &b, Value v, bool max) override {
    return emitXorReduce(b, v, max, {16, 32}, target.warpSize);
  }

  void emitChunkCopy(ImplicitLocOpBuilder &b, Value tile,
                     ValueRange tileIndices, Value source,
                     ValueRange sourceIndices, Value exists) override {
    auto type = VectorType::get({8}, shape.element);
    Value chunk = vector::LoadOp::create(b, type, source, sourceIndices);
    Value zeros = arith::ConstantOp::create(
        b, DenseElementsAttr::get(type, b.getZeroAttr(shape.element)));
    chunk = arith::SelectOp::create(b, exists, chunk, zeros);
    vector::StoreOp::create(b, chunk, tile, tileIndices);
  }

  /// B of S^T = K Q^T: query row c at depths 4q .. 4q + 3.
  SmallVector<Value> emitQueryFragment(ImplicitLocOpBuilder &b, Value querySmem,
                                       Value warpRow, int64_t ks) override {
    return {vector::LoadOp::create(
        b, VectorType::get({4}, shape.element), querySmem,
        ValueRange{arith::AddIOp::create(b, warpRow, column), depth(b, ks)})};
  }

  void emitScores(ImplicitLocOpBuilder &b, ArrayRef<Value> query, Value keySmem,
                  Value buffer, int64_t ks,
                  MutableArrayRef<Value> scores) override {
    for (int64_t np = 0; np < shape.keyTile / 16; ++np) {
      // A: key row c of the sixteen at depths 4q .. 4q + 3.
      Value keys = vector::LoadOp::create(
          b, VectorType::get({4}, shape.element), keySmem,
          ValueRange{buffer, arith::AddIOp::create(b, column, cst(b, np * 16)),
                     depth(b, ks)});
      scores[np] = emitMfma(b, keys, query[0], scores[np]);
    }
  }

  /// O^T += V^T P^T: B is the weights as they stand; A is V^T, value
  /// column c at keys 4q .. 4q + 3.
  void emitWeightedValues(ImplicitLocOpBuilder &b, ArrayRef<Value> weights,
                          Value valueSmem, Value buffer,
                          MutableArrayRef<Value> acc) override {
    for (int64_t j = 0; j < shape.keyTile / 16; ++j) {
      Value p = vector::FromElementsOp::create(
          b, VectorType::get({4}, b.getF32Type()), weights.slice(4 * j, 4));
      p = arith::TruncFOp::create(b, VectorType::get({4}, shape.element), p);
      Value firstKey = arith::AddIOp::create(
          b, arith::MulIOp::create(b, group, cst(b, 4)), cst(b, j * 16));
      for (int64_t dp = 0; dp < shape.valueDim / 16; ++dp) {
        Value d = arith::AddIOp::create(b, column, cst(b, dp * 16));
        SmallVector<Value> values;
        for (int64_t e = 0; e < 4; ++e)
          values.push_back(memref::LoadOp::create(
              b, valueSmem,
              ValueRange{buffer, arith::AddIOp::create(b, firstKey, cst(b, e)),
                         d}));
        Value transposed = vector::FromElementsOp::create(
            b, VectorType::get({4}, shape.element), values);
        acc[dp] = emitMfma(b, transposed, p, acc[dp]);
      }
    }
  }

private:
  Value cst(ImplicitLocOpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }
  /// The lane's first depth in slice ks: 16 ks + 4q.
  Value depth(ImplicitLocOpBuilder &b, int64_t ks) {
    return arith::AddIOp::create(b, arith::MulIOp::create(b, group, cst(b, 4)),
                                 cst(b, ks * 16));
  }
  /// acc += a * b, 16x16x16, f32 accumulation.
  Value emitMfma(ImplicitLocOpBuilder &b, Value a, Value bOperand, Value acc) {
    return amdgpu::MFMAOp::create(b, acc.getType(), /*m=*/16, /*n=*/16,
                                  /*k=*/16, /*blocks=*/1, a, bOperand, acc);
  }

  const GpuTarget &target;
  FragmentShape shape;
  PlantedFault fault;
  Value column, group, row;
};

/// Rewrites each spec function into a kernel of the `attn_kernels` GPU
/// module.
struct AmdKernelsPass
    : public mlir::attn::impl::AttnAmdKernelsBase<AmdKernelsPass> {
  using AttnAmdKernelsBase::AttnAmdKernelsBase;

  void runOnOperation() override {
    auto makeUnit = [](const GpuTarget &target, const FragmentShape &shape,
                       PlantedFault fault) -> std::unique_ptr<MatrixUnit> {
      return std::make_unique<MfmaUnit>(target, shape, fault);
    };
    if (failed(runGpuKernelsPass(getOperation(), "attn-amd-kernels", chip,
                                 debugFault, lookupAmdTarget, "gfx90a, gfx942",
                                 makeUnit)))
      signalPassFailure();
  }
};

} // namespace
