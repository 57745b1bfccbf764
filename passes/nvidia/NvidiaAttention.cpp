//===- NvidiaAttention.cpp - attn.attention on NVIDIA tensor cores --------===//
//
// The NVIDIA side of the shared GPU mapping (gpu/GpuKernel.h): the chips'
// descriptions and their matrix unit. Key, value and query tiles are
// staged in shared memory by cp.async, in groups waited for before the
// barrier; Q K^T and P V run on tensor cores (mma.sync m16n8k16, f16 or
// bf16 inputs, f32 accumulation) with fragments read by ldmatrix.
//
// Fragment layouts (PTX ISA, mma.m16n8k16): lane L = 4 g + c holds, of the
// 16x8 accumulator, rows g and g + 8 at columns 2c and 2c + 1; of A (16x16)
// the same rows at columns 2c, 2c + 1, 2c + 8, 2c + 9; of B (16x8) column g
// at rows 2c, 2c + 1, 2c + 8, 2c + 9. In the mapping's terms: eight columns
// per fragment, runs of two, two rows per lane.
//
//===----------------------------------------------------------------------===//

#include "../gpu/GpuKernel.h"

#include "attn/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNNVIDIAKERNELS
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

std::optional<GpuTarget> mlir::attn::lookupNvidiaTarget(llvm::StringRef chip) {
  GpuTarget target;
  target.vendor = "NVIDIA";
  target.features = "+ptx80";
  target.warpSize = 32;
  target.maxRegisters = 255;
  if (chip == "sm_80") {
    target.chip = "sm_80";
    target.maxSharedBytes = 163 * 1024;
    return target;
  }
  if (chip == "sm_90") {
    target.chip = "sm_90";
    target.maxSharedBytes = 227 * 1024;
    return target;
  }
  return std::nullopt;
}

namespace {

class MmaSyncUnit : public MatrixUnit {
public:
  MmaSyncUnit(const GpuTarget &target, const FragmentShape &shape,
              PlantedFault fault)
      : MatrixUnit(/*fragmentColumns=*/8, /*run=*/2), target(target),
        shape(shape), fault(fault) {}

  void emitLaneValues(ImplicitLocOpBuilder &b, Value laneId) override {
    lane = laneId;
    g = arith::DivUIOp::create(b, lane, cst(b, 4));
    if (fault == PlantedFault::LaneMapping)
      g = arith::XOrIOp::create(b, g, cst(b, 1));
    quad = arith::RemUIOp::create(b, lane, cst(b, 4));
  }

  void emitFragmentAddresses(ImplicitLocOpBuilder &b) override {
    auto bitsOf = [&](Value v, int64_t shift, int64_t mask) {
      return arith::AndIOp::create(
          b, arith::ShRUIOp::create(b, v, cst(b, shift)), cst(b, mask));
    };
    // ldmatrix row addresses: lanes 8m..8m+7 give the rows of matrix m.
    laneRow = arith::AddIOp::create(
        b, bitsOf(lane, 0, 7),
        arith::MulIOp::create(b, bitsOf(lane, 3, 1), cst(b, 8)));
    laneCol = arith::MulIOp::create(b, bitsOf(lane, 4, 1), cst(b, 8));
    keyRow = arith::AddIOp::create(b, bitsOf(lane, 0, 7), laneCol);
    keyCol = arith::MulIOp::create(b, bitsOf(lane, 3, 1), cst(b, 8));
  }

  Value emitThreadRow(ImplicitLocOpBuilder &b, Value warpRow,
                      int64_t k) override {
    return arith::AddIOp::create(b, arith::AddIOp::create(b, warpRow, g),
                                 cst(b, 8 * k));
  }

  Value emitLaneColumn(ImplicitLocOpBuilder &b) override {
    return arith::MulIOp::create(b, quad, cst(b, 2));
  }

  Value emitFirstOfRow(ImplicitLocOpBuilder &b) override {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, quad, cst(b, 0));
  }

  /// Over the four lanes that share a row.
  Value emitRowReduce(ImplicitLocOpBuilder &b, Value v, bool max) override {
    return emitXorReduce(b, v, max, {1, 2}, target.warpSize);
  }

  void emitChunkCopy(ImplicitLocOpBuilder &b, Value tile,
                     ValueRange tileIndices, Value source,
                     ValueRange sourceIndices, Value exists) override {
    Value srcElements =
        arith::SelectOp::create(b, exists, cst(b, 8), cst(b, 0));
    nvgpu::DeviceAsyncCopyOp::create(
        b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), tile, tileIndices,
        source, sourceIndices, b.getIndexAttr(8), srcElements, b.getUnitAttr());
  }

  void emitCommit(ImplicitLocOpBuilder &b) override {
    NVVM::CpAsyncCommitGroupOp::create(b);
  }

  void emitWait(ImplicitLocOpBuilder &b, int64_t pending) override {
    NVVM::CpAsyncWaitGroupOp::create(b, pending);
  }

  SmallVector<Value> emitQueryFragment(ImplicitLocOpBuilder &b, Value querySmem,
                                       Value warpRow, int64_t ks) override {
    return emitLdMatrix(
        b, querySmem,
        ValueRange{arith::AddIOp::create(b, warpRow, laneRow),
                   arith::AddIOp::create(b, laneCol, cst(b, ks * 16))},
        false);
  }

  void emitScores(ImplicitLocOpBuilder &b, ArrayRef<Value> query, Value keySmem,
                  Value buffer, int64_t ks,
                  MutableArrayRef<Value> scores) override {
    for (int64_t np = 0; np < shape.keyTile / 16; ++np) {
      SmallVector<Value> k = emitLdMatrix(
          b, keySmem,
          ValueRange{buffer, arith::AddIOp::create(b, keyRow, cst(b, np * 16)),
                     arith::AddIOp::create(b, keyCol, cst(b, ks * 16))},
          false);
      scores[2 * np] = emitMma(b, query, k[0], k[1], scores[2 * np]);
      scores[2 * np + 1] = emitMma(b, query, k[2], k[3], scores[2 * np + 1]);
    }
  }

  /// The weights become A fragments in registers; V's B fragments come from
  /// ldmatrix.trans.
  void emitWeightedValues(ImplicitLocOpBuilder &b, ArrayRef<Value> weights,
                          Value valueSmem, Value buffer,
                          MutableArrayRef<Value> acc) override {
    for (int64_t j = 0; j < shape.keyTile / 16; ++j) {
      auto w = [&](int64_t tile, int64_t e) { return weights[4 * tile + e]; };
      SmallVector<Value> a = {emitPack(b, w(2 * j, 0), w(2 * j, 1)),
                              emitPack(b, w(2 * j, 2), w(2 * j, 3)),
                              emitPack(b, w(2 * j + 1, 0), w(2 * j + 1, 1)),
                              emitPack(b, w(2 * j + 1, 2), w(2 * j + 1, 3))};
      for (int64_t dp = 0; dp < shape.valueDim / 16; ++dp) {
        SmallVector<Value> v = emitLdMatrix(
            b, valueSmem,
            ValueRange{buffer,
                       arith::AddIOp::create(b, laneRow, cst(b, j * 16)),
                       arith::AddIOp::create(b, laneCol, cst(b, dp * 16))},
            true);
        acc[2 * dp] = emitMma(b, a, v[0], v[1], acc[2 * dp]);
        acc[2 * dp + 1] = emitMma(b, a, v[2], v[3], acc[2 * dp + 1]);
      }
    }
  }

  /// ptxas would otherwise cap the registers for a third block per
  /// multiprocessor, and spill.
  void annotateKernel(gpu::GPUFuncOp kernel, bool registerHungry) override {
    if (registerHungry)
      kernel->setAttr(
          "nvvm.maxnreg",
          IntegerAttr::get(IntegerType::get(kernel.getContext(), 32),
                           target.maxRegisters));
  }

private:
  Value cst(ImplicitLocOpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }

  /// One ldmatrix of four 8x8 matrices as four packed registers (i32).
  SmallVector<Value> emitLdMatrix(ImplicitLocOpBuilder &b, Value tile,
                                  ValueRange indices, bool transpose) {
    auto type = VectorType::get({4, 2}, shape.element);
    Value matrices = nvgpu::LdMatrixOp::create(b, type, tile, indices,
                                               transpose, /*numTiles=*/4);
    SmallVector<Value> registers;
    for (int64_t k = 0; k < 4; ++k)
      registers.push_back(vector::ExtractOp::create(b, matrices, k));
    return registers;
  }

  /// acc += a * b on the tensor cores; acc is vector<4xf32>.
  Value emitMma(ImplicitLocOpBuilder &b, ArrayRef<Value> a, Value b0, Value b1,
                Value acc) {
    // The bf16 intrinsic takes packed registers as i32, the f16 one as
    // vector<2xf16>.
    bool bf16 = shape.element.isBF16();
    auto operand = [&](Value v) -> Value {
      return bf16 ? Value(LLVM::BitcastOp::create(b, b.getI32Type(), v)) : v;
    };
    SmallVector<Value> operandA, operandB, operandC;
    for (Value v : a)
      operandA.push_back(operand(v));
    operandB = {operand(b0), operand(b1)};
    for (int64_t k = 0; k < 4; ++k)
      operandC.push_back(vector::ExtractOp::create(b, acc, k));
    Type f32Type = b.getF32Type();
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), {f32Type, f32Type, f32Type, f32Type});
    NVVM::MMATypes type = bf16 ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    auto mma = NVVM::MmaOp::create(
        b, resultType, operandA, operandB, operandC,
        ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
        std::array<NVVM::MMATypes, 2>{type, type},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    SmallVector<Value> results;
    for (int64_t k = 0; k < 4; ++k)
      results.push_back(LLVM::ExtractValueOp::create(b, mma, k));
    return vector::FromElementsOp::create(b, VectorType::get({4}, f32Type),
                                          results);
  }

  /// Two f32 values as one packed register of the input type.
  Value emitPack(ImplicitLocOpBuilder &b, Value lo, Value hi) {
    Value pair = vector::FromElementsOp::create(
        b, VectorType::get({2}, b.getF32Type()), ValueRange{lo, hi});
    return arith::TruncFOp::create(b, VectorType::get({2}, shape.element),
                                   pair);
  }

  const GpuTarget &target;
  FragmentShape shape;
  PlantedFault fault;
  Value lane, g, quad;
  Value laneRow, laneCol, keyRow, keyCol;
};

/// Rewrites each spec function into a kernel of the `attn_kernels` GPU
/// module.
struct NvidiaKernelsPass
    : public mlir::attn::impl::AttnNvidiaKernelsBase<NvidiaKernelsPass> {
  using AttnNvidiaKernelsBase::AttnNvidiaKernelsBase;

  void runOnOperation() override {
    auto makeUnit = [](const GpuTarget &target, const FragmentShape &shape,
                       PlantedFault fault) -> std::unique_ptr<MatrixUnit> {
      return std::make_unique<MmaSyncUnit>(target, shape, fault);
    };
    if (failed(runGpuKernelsPass(getOperation(), "attn-nvidia-kernels", chip,
                                 debugFault, lookupNvidiaTarget, "sm_80, sm_90",
                                 makeUnit)))
      signalPassFailure();
  }
};

} // namespace
