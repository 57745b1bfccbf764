//===- EmulateGpuKernels.cpp - GPU kernels as host code for the emulator --===//
//
// Rewrites each gpu.func kernel into a func.func the SIMT emulator runs once
// per GPU thread: thread-level operations become calls into the emulator's
// runtime (lib/Emulator), shared memory becomes a buffer the runtime passes
// in, and every shared-memory access reports its address and whether its
// indices are in bounds. Everything else in the kernel (arithmetic, control
// flow, global loads and stores, the masks' code) is left as it is and
// compiled for the host, so the code checked is the code that goes on to
// NVVM and PTX, or to ROCDL and AMDGPU.
//
//===----------------------------------------------------------------------===//

#include "attn/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Path.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNEMULATEGPUKERNELS
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {

bool isWorkgroup(Type type) {
  auto memref = llvm::dyn_cast<MemRefType>(type);
  auto space = memref ? llvm::dyn_cast_or_null<gpu::AddressSpaceAttr>(
                            memref.getMemorySpace())
                      : nullptr;
  return space && space.getValue() == gpu::AddressSpace::Workgroup;
}

Type withoutMemorySpace(Type type) {
  auto memref = llvm::cast<MemRefType>(type);
  return MemRefType::get(memref.getShape(), memref.getElementType(),
                         memref.getLayout());
}

int64_t bytesOf(Type element) {
  return llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
}

/// "spec.mlir:12:3" for the first file location in `loc`, or "".
std::string describeLocation(Location loc) {
  std::string text;
  loc->walk([&](Location inner) {
    if (auto file = llvm::dyn_cast<FileLineColLoc>(inner)) {
      text = (llvm::sys::path::filename(file.getFilename().getValue()) + ":" +
              llvm::Twine(file.getLine()) + ":" + llvm::Twine(file.getColumn()))
                 .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return text;
}

/// Rewrites one kernel; the runtime's functions are declared in `module`.
class KernelEmulation {
public:
  KernelEmulation(ModuleOp module, gpu::GPUFuncOp kernel)
      : module(module), kernel(kernel), builder(kernel.getContext()) {}

  /// The host function, or failure after a diagnostic.
  FailureOr<func::FuncOp> run();

private:
  Value constantIndex(int64_t value) {
    return arith::ConstantIndexOp::create(builder, loc, value);
  }
  Value constantI32(int64_t value) {
    return arith::ConstantIntOp::create(builder, loc, value, 32);
  }
  /// The i32 id of `op`'s site, named "<op> #<n> at <location>".
  Value site(Operation *op);
  /// Calls the runtime function `name` (declared on first use).
  Operation *call(StringRef name, ValueRange operands, TypeRange results = {});
  /// The byte address of `memref[indices]`.
  Value address(Value memref, ValueRange indices);
  /// Whether every index is within its dimension, the last one leaving
  /// room for `extent` elements.
  Value inBounds(Value memref, ValueRange indices, int64_t extent);
  Value scratchSlot(Value scratch, Type element, int64_t index);

  LogicalResult rewrite(Operation *op);
  LogicalResult rewriteShuffle(gpu::ShuffleOp op);
  LogicalResult rewriteLdMatrix(nvgpu::LdMatrixOp op);
  LogicalResult rewriteMma(NVVM::MmaOp op);
  LogicalResult rewriteMfma(amdgpu::MFMAOp op);
  LogicalResult rewriteCopy(nvgpu::DeviceAsyncCopyOp op);
  void instrumentAccess(Operation *op, Value memref, ValueRange indices,
                        Type accessed, bool write);

  ModuleOp module;
  gpu::GPUFuncOp kernel;
  OpBuilder builder;
  Location loc = UnknownLoc::get(builder.getContext());
  /// Values that were shared-memory memrefs before the address spaces were
  /// dropped.
  llvm::DenseSet<Value> shared;
  SmallVector<Attribute> sites;
  llvm::StringMap<unsigned> siteCounts;
  Value sharedArgument;
  /// Per-thread scratch: the lane's mma operands and ldmatrix registers.
  Value scratchA, scratchB, scratchC, scratchD, scratchMatrix;
};

Value KernelEmulation::site(Operation *op) {
  StringRef name = op->getName().getStringRef();
  std::string text = (name + " #" + llvm::Twine(++siteCounts[name])).str();
  if (std::string where = describeLocation(op->getLoc()); !where.empty())
    text += " at " + where;
  sites.push_back(builder.getStringAttr(text));
  return constantI32(int64_t(sites.size()) - 1);
}

Operation *KernelEmulation::call(StringRef name, ValueRange operands,
                                 TypeRange results) {
  auto callee = module.lookupSymbol<func::FuncOp>(name);
  if (!callee) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(module.getBody());
    callee = func::FuncOp::create(
        builder, module.getLoc(), name,
        builder.getFunctionType(operands.getTypes(), results));
    callee.setPrivate();
  }
  return func::CallOp::create(builder, loc, callee, operands);
}

Value KernelEmulation::address(Value memref, ValueRange indices) {
  auto type = llvm::cast<MemRefType>(memref.getType());
  auto metadata =
      memref::ExtractStridedMetadataOp::create(builder, loc, memref);
  Value linear = metadata.getOffset();
  for (auto [index, stride] : llvm::zip(indices, metadata.getStrides()))
    linear = arith::AddIOp::create(
        builder, loc, linear,
        arith::MulIOp::create(builder, loc, index, stride));
  Value base =
      memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, memref);
  return arith::AddIOp::create(
      builder, loc, base,
      arith::MulIOp::create(builder, loc, linear,
                            constantIndex(bytesOf(type.getElementType()))));
}

Value KernelEmulation::inBounds(Value memref, ValueRange indices,
                                int64_t extent) {
  Value all = arith::ConstantIntOp::create(builder, loc, 1, 1);
  for (auto [d, index] : llvm::enumerate(indices)) {
    Value size = memref::DimOp::create(builder, loc, memref, d);
    Value last = index;
    if (d + 1 == indices.size() && extent > 1)
      last =
          arith::AddIOp::create(builder, loc, index, constantIndex(extent - 1));
    // Unsigned: a negative index is out of bounds too.
    all = arith::AndIOp::create(builder, loc, all,
                                arith::CmpIOp::create(builder, loc,
                                                      arith::CmpIPredicate::ult,
                                                      last, size));
  }
  return arith::ExtUIOp::create(builder, loc, builder.getI32Type(), all);
}

Value KernelEmulation::scratchSlot(Value scratch, Type element, int64_t index) {
  return LLVM::GEPOp::create(
      builder, loc, LLVM::LLVMPointerType::get(builder.getContext()), element,
      scratch, ArrayRef<LLVM::GEPArg>{int32_t(index)});
}

void KernelEmulation::instrumentAccess(Operation *op, Value memref,
                                       ValueRange indices, Type accessed,
                                       bool write) {
  builder.setInsertionPoint(op);
  loc = op->getLoc();
  auto vector = llvm::dyn_cast<VectorType>(accessed);
  int64_t extent = vector ? vector.getNumElements() : 1;
  Type element = vector ? vector.getElementType() : accessed;
  if (!shared.contains(memref)) {
    // Global memory: only whether the indices are in bounds, so that an
    // access outside its buffer is reported before it happens.
    call("__attn_emu_check_global",
         {site(op), constantI32(write), inBounds(memref, indices, extent)});
    return;
  }
  call("__attn_emu_access",
       {site(op), address(memref, indices),
        constantI32(extent * bytesOf(element)), constantI32(write),
        inBounds(memref, indices, extent)});
}

LogicalResult KernelEmulation::rewriteShuffle(gpu::ShuffleOp op) {
  Type type = op.getValue().getType();
  if (!type.isIntOrFloat() || type.getIntOrFloatBitWidth() != 32)
    return op.emitError("the emulator shuffles 32-bit values, not ") << type;
  Type i32 = builder.getI32Type();
  Value bits = type.isInteger(32)
                   ? op.getValue()
                   : arith::BitcastOp::create(builder, loc, i32, op.getValue());
  int32_t mode = 0;
  switch (op.getMode()) {
  case gpu::ShuffleMode::XOR:
    mode = 0;
    break;
  case gpu::ShuffleMode::UP:
    mode = 1;
    break;
  case gpu::ShuffleMode::DOWN:
    mode = 2;
    break;
  case gpu::ShuffleMode::IDX:
    mode = 3;
    break;
  }
  Value packed =
      call("__attn_emu_shuffle",
           {site(op), bits, op.getOffset(), op.getWidth(), constantI32(mode)},
           builder.getI64Type())
          ->getResult(0);
  Value result = arith::TruncIOp::create(builder, loc, i32, packed);
  if (!type.isInteger(32))
    result = arith::BitcastOp::create(builder, loc, type, result);
  Value valid = arith::TruncIOp::create(
      builder, loc, builder.getI1Type(),
      arith::ShRUIOp::create(
          builder, loc, packed,
          arith::ConstantIntOp::create(builder, loc, 32, 64)));
  op.getShuffleResult().replaceAllUsesWith(result);
  op.getValid().replaceAllUsesWith(valid);
  op.erase();
  return success();
}

LogicalResult KernelEmulation::rewriteLdMatrix(nvgpu::LdMatrixOp op) {
  VectorType type = op.getRes().getType();
  Type element = type.getElementType();
  if (bytesOf(element) != 2 || type.getRank() != 2 || type.getDimSize(1) != 2)
    return op.emitError("the emulator reads 8x8 matrices of 16-bit elements "
                        "with ldmatrix, not ")
           << type;
  Value memref = op.getSrcMemref();
  call("__attn_emu_ldmatrix",
       {site(op), address(memref, op.getIndices()),
        inBounds(memref, op.getIndices(), 8), constantI32(op.getNumTiles()),
        constantI32(op.getTranspose()), scratchMatrix});
  // Register m of the lane: two elements.
  auto pair = VectorType::get({2}, element);
  Value result = arith::ConstantOp::create(
      builder, loc, type,
      DenseElementsAttr::get(type, builder.getZeroAttr(element)));
  for (int64_t m = 0; m < type.getDimSize(0); ++m) {
    Value registerM = LLVM::LoadOp::create(
        builder, loc, pair,
        scratchSlot(scratchMatrix, builder.getI32Type(), m));
    result = vector::InsertOp::create(builder, loc, registerM, result, m);
  }
  op.getRes().replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult KernelEmulation::rewriteMma(NVVM::MmaOp op) {
  NVVM::MMAShapeAttr shape = op.getShape();
  std::optional<NVVM::MMATypes> a = op.getMultiplicandAPtxType();
  std::optional<NVVM::MMATypes> b = op.getMultiplicandBPtxType();
  bool f16 = a == NVVM::MMATypes::f16 && b == NVVM::MMATypes::f16;
  bool bf16 = a == NVVM::MMATypes::bf16 && b == NVVM::MMATypes::bf16;
  if (shape.getM() != 16 || shape.getN() != 8 || shape.getK() != 16 ||
      !(f16 || bf16) || op.getLayoutA() != NVVM::MMALayout::row ||
      op.getLayoutB() != NVVM::MMALayout::col || op.getOperandC().size() != 4 ||
      !llvm::all_of(op.getOperandC().getTypes(),
                    [](Type t) { return t.isF32(); }))
    return op.emitError("the emulator models mma.sync m16n8k16 row.col with "
                        "f16 or bf16 inputs and f32 accumulators only");
  Type i32 = builder.getI32Type(), f32 = builder.getF32Type();
  auto store = [&](Value scratch, Type slotType, int64_t k, Value v) {
    if (v.getType() != slotType)
      v = LLVM::BitcastOp::create(builder, loc, slotType, v);
    LLVM::StoreOp::create(builder, loc, v, scratchSlot(scratch, slotType, k));
  };
  for (auto [k, v] : llvm::enumerate(op.getOperandA()))
    store(scratchA, i32, k, v);
  for (auto [k, v] : llvm::enumerate(op.getOperandB()))
    store(scratchB, i32, k, v);
  for (auto [k, v] : llvm::enumerate(op.getOperandC()))
    store(scratchC, f32, k, v);
  call("__attn_emu_mma", {site(op), constantI32(bf16 ? 1 : 0), scratchA,
                          scratchB, scratchC, scratchD});
  Value result = LLVM::PoisonOp::create(builder, loc, op.getType());
  for (int64_t k = 0; k < 4; ++k) {
    Value d =
        LLVM::LoadOp::create(builder, loc, f32, scratchSlot(scratchD, f32, k));
    result = LLVM::InsertValueOp::create(builder, loc, result, d, k);
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult KernelEmulation::rewriteMfma(amdgpu::MFMAOp op) {
  auto a = llvm::dyn_cast<VectorType>(op.getSourceA().getType());
  auto b = llvm::dyn_cast<VectorType>(op.getSourceB().getType());
  auto c = llvm::dyn_cast<VectorType>(op.getDestC().getType());
  bool f16 = a && b && a.getElementType().isF16() && b.getElementType().isF16();
  bool bf16 =
      a && b && a.getElementType().isBF16() && b.getElementType().isBF16();
  if (op.getM() != 16 || op.getN() != 16 || op.getK() != 16 ||
      op.getBlocks() != 1 || !(f16 || bf16) || a.getNumElements() != 4 ||
      b.getNumElements() != 4 || !c || c.getNumElements() != 4 ||
      !c.getElementType().isF32() || op.getCbsz() != 0 || op.getAbid() != 0 ||
      op.getBlgp() != amdgpu::MFMAPermB::none || op.getNegateA() ||
      op.getNegateB() || op.getNegateC())
    return op.emitError("the emulator models amdgpu.mfma 16x16x16 with f16 "
                        "or bf16 inputs, f32 accumulators and no broadcast "
                        "or negation only");
  Type i32 = builder.getI32Type(), f32 = builder.getF32Type();
  auto pairs = VectorType::get({2}, i32);
  for (auto [scratch, operand] : {std::pair{scratchA, op.getSourceA()},
                                  std::pair{scratchB, op.getSourceB()}}) {
    Value words = vector::BitCastOp::create(builder, loc, pairs, operand);
    for (int64_t k = 0; k < 2; ++k)
      LLVM::StoreOp::create(builder, loc,
                            vector::ExtractOp::create(builder, loc, words, k),
                            scratchSlot(scratch, i32, k));
  }
  for (int64_t k = 0; k < 4; ++k)
    LLVM::StoreOp::create(
        builder, loc, vector::ExtractOp::create(builder, loc, op.getDestC(), k),
        scratchSlot(scratchC, f32, k));
  call("__attn_emu_mfma", {site(op), constantI32(bf16 ? 1 : 0), scratchA,
                           scratchB, scratchC, scratchD});
  SmallVector<Value> results;
  for (int64_t k = 0; k < 4; ++k)
    results.push_back(
        LLVM::LoadOp::create(builder, loc, f32, scratchSlot(scratchD, f32, k)));
  Value result = vector::FromElementsOp::create(builder, loc, c, results);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult KernelEmulation::rewriteCopy(nvgpu::DeviceAsyncCopyOp op) {
  if (!op.getAsyncToken().use_empty())
    return op.emitError("the emulator waits for cp.async by "
                        "nvvm.cp.async.wait.group, not by token");
  Type element = op.getDst().getType().getElementType();
  int64_t elements = op.getDstElements().getSExtValue();
  Value bytes = constantI32(elements * bytesOf(element));
  Value sourceBytes = bytes;
  if (Value count = op.getSrcElements())
    sourceBytes = arith::MulIOp::create(
        builder, loc,
        arith::IndexCastOp::create(builder, loc, builder.getI32Type(), count),
        constantI32(bytesOf(element)));
  // The source is read only where it gives bytes (a zero-filling copy may
  // point anywhere).
  Value sourceRead = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::sgt, sourceBytes, constantI32(0));
  Value sourceInBounds = arith::OrIOp::create(
      builder, loc, inBounds(op.getSrc(), op.getSrcIndices(), elements),
      arith::ExtUIOp::create(builder, loc, builder.getI32Type(),
                             arith::XOrIOp::create(builder, loc, sourceRead,
                                                   arith::ConstantIntOp::create(
                                                       builder, loc, 1, 1))));
  call("__attn_emu_cp_async",
       {site(op), address(op.getDst(), op.getDstIndices()),
        address(op.getSrc(), op.getSrcIndices()), bytes, sourceBytes,
        inBounds(op.getDst(), op.getDstIndices(), elements), sourceInBounds});
  op.erase();
  return success();
}

LogicalResult KernelEmulation::rewrite(Operation *op) {
  builder.setInsertionPoint(op);
  loc = op->getLoc();
  auto dimension = [&](gpu::Dimension d) {
    return constantI32(d == gpu::Dimension::x   ? 0
                       : d == gpu::Dimension::y ? 1
                                                : 2);
  };
  if (auto id = llvm::dyn_cast<gpu::ThreadIdOp>(op)) {
    Value value = call("__attn_emu_thread_id", {dimension(id.getDimension())},
                       builder.getIndexType())
                      ->getResult(0);
    id.replaceAllUsesWith(value);
    op->erase();
    return success();
  }
  if (auto id = llvm::dyn_cast<gpu::BlockIdOp>(op)) {
    Value value = call("__attn_emu_block_id", {dimension(id.getDimension())},
                       builder.getIndexType())
                      ->getResult(0);
    id.replaceAllUsesWith(value);
    op->erase();
    return success();
  }
  if (llvm::isa<gpu::BarrierOp>(op)) {
    call("__attn_emu_barrier", {site(op)});
    op->erase();
    return success();
  }
  if (auto memory = llvm::dyn_cast<gpu::DynamicSharedMemoryOp>(op)) {
    memory.replaceAllUsesWith(sharedArgument);
    op->erase();
    return success();
  }
  if (llvm::isa<NVVM::CpAsyncCommitGroupOp>(op)) {
    call("__attn_emu_cp_commit", {site(op)});
    op->erase();
    return success();
  }
  if (auto wait = llvm::dyn_cast<NVVM::CpAsyncWaitGroupOp>(op)) {
    call("__attn_emu_cp_wait", {site(op), constantI32(wait.getN())});
    op->erase();
    return success();
  }
  if (auto ret = llvm::dyn_cast<gpu::ReturnOp>(op)) {
    func::ReturnOp::create(builder, loc, ret.getOperands());
    op->erase();
    return success();
  }
  if (auto shuffle = llvm::dyn_cast<gpu::ShuffleOp>(op))
    return rewriteShuffle(shuffle);
  if (auto ldmatrix = llvm::dyn_cast<nvgpu::LdMatrixOp>(op))
    return rewriteLdMatrix(ldmatrix);
  if (auto mma = llvm::dyn_cast<NVVM::MmaOp>(op))
    return rewriteMma(mma);
  if (auto mfma = llvm::dyn_cast<amdgpu::MFMAOp>(op))
    return rewriteMfma(mfma);
  if (auto copy = llvm::dyn_cast<nvgpu::DeviceAsyncCopyOp>(op))
    return rewriteCopy(copy);

  // Plain loads and stores are checked, then run as they are: shared
  // memory for bounds and races, global memory for bounds.
  if (auto load = llvm::dyn_cast<memref::LoadOp>(op)) {
    instrumentAccess(op, load.getMemRef(), load.getIndices(), load.getType(),
                     false);
    return success();
  }
  if (auto store = llvm::dyn_cast<memref::StoreOp>(op)) {
    instrumentAccess(op, store.getMemRef(), store.getIndices(),
                     store.getValueToStore().getType(), true);
    return success();
  }
  if (auto atomic = llvm::dyn_cast<memref::AtomicRMWOp>(op)) {
    instrumentAccess(op, atomic.getMemref(), atomic.getIndices(),
                     atomic.getValue().getType(), true);
    return success();
  }
  if (auto load = llvm::dyn_cast<vector::LoadOp>(op)) {
    instrumentAccess(op, load.getBase(), load.getIndices(),
                     load.getVectorType(), false);
    return success();
  }
  if (auto store = llvm::dyn_cast<vector::StoreOp>(op)) {
    instrumentAccess(op, store.getBase(), store.getIndices(),
                     store.getVectorType(), true);
    return success();
  }
  auto isShared = [&](Value v) { return shared.contains(v); };
  // Views of shared memory are shared memory.
  if (llvm::isa<memref::ViewOp, memref::SubViewOp, memref::CastOp,
                memref::ReinterpretCastOp>(op)) {
    if (isShared(op->getOperand(0)))
      shared.insert(op->getResult(0));
    return success();
  }
  if (llvm::isa<memref::DimOp>(op))
    return success();
  if (llvm::any_of(op->getOperands(), isShared))
    return op->emitError("the emulator cannot check this access to shared "
                         "memory");
  StringRef dialect = op->getName().getDialectNamespace();
  if (dialect == "gpu" || dialect == "nvgpu" || dialect == "nvvm" ||
      dialect == "amdgpu" || dialect == "rocdl")
    return op->emitError("the emulator has no model of ") << op->getName();
  return success();
}

FailureOr<func::FuncOp> KernelEmulation::run() {
  MLIRContext *context = builder.getContext();
  auto sharedType =
      MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
  SmallVector<Type> inputs = {sharedType};
  llvm::append_range(inputs, kernel.getArgumentTypes());
  builder.setInsertionPointToEnd(module.getBody());
  auto host = func::FuncOp::create(builder, kernel.getLoc(), kernel.getName(),
                                   builder.getFunctionType(inputs, {}));
  if (Attribute launch = kernel->getAttr("attn.launch"))
    host->setAttr("attn.launch", launch);
  host->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(context));
  host.getBody().takeBody(kernel.getBody());
  Block &entry = host.getBody().front();
  sharedArgument = entry.insertArgument(0u, sharedType, kernel.getLoc());

  // Shared memory becomes host memory; remember which values it was.
  host.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument argument : block.getArguments())
          if (isWorkgroup(argument.getType())) {
            shared.insert(argument);
            argument.setType(withoutMemorySpace(argument.getType()));
          }
    for (Value result : op->getResults())
      if (isWorkgroup(result.getType())) {
        shared.insert(result);
        result.setType(withoutMemorySpace(result.getType()));
      }
  });
  shared.insert(sharedArgument);

  builder.setInsertionPointToStart(&entry);
  loc = kernel.getLoc();
  auto scratch = [&](Type element, int64_t count) -> Value {
    return LLVM::AllocaOp::create(
        builder, loc, LLVM::LLVMPointerType::get(context), element,
        arith::ConstantIntOp::create(builder, loc, count, 64), 16);
  };
  Type i32 = builder.getI32Type(), f32 = builder.getF32Type();
  scratchA = scratch(i32, 4);
  scratchB = scratch(i32, 2);
  scratchC = scratch(f32, 4);
  scratchD = scratch(f32, 4);
  scratchMatrix = scratch(i32, 4);

  SmallVector<Operation *> ops;
  host.walk([&](Operation *op) {
    if (op != host)
      ops.push_back(op);
  });
  for (Operation *op : ops)
    if (failed(rewrite(op)))
      return failure();
  host->setAttr("attn.emu.sites", builder.getArrayAttr(sites));
  return host;
}

struct EmulateGpuKernelsPass
    : public attn::impl::AttnEmulateGpuKernelsBase<EmulateGpuKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
    for (gpu::GPUModuleOp gpuModule : gpuModules) {
      for (auto kernel :
           llvm::make_early_inc_range(gpuModule.getOps<gpu::GPUFuncOp>())) {
        if (!kernel.isKernel())
          continue;
        if (failed(KernelEmulation(module, kernel).run()))
          return signalPassFailure();
      }
      gpuModule.erase();
    }
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }
};

} // namespace
