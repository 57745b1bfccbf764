//===- ResultShapes.cpp - A spec function's result sizes ------------------===//

#include "attn/Targets/ResultShapes.h"

#include "attn/Dialect/Attn.h"
#include "attn/Passes.h"

using namespace mlir;
using namespace mlir::attn;

FailureOr<SmallVector<ResultShape>>
mlir::attn::deriveResultShapes(func::FuncOp func, StringRef backend) {
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  return deriveValueShapes(func, ret.getOperands(), backend);
}

FailureOr<SmallVector<ResultShape>>
mlir::attn::deriveValueShapes(func::FuncOp func, ValueRange values,
                              StringRef backend) {
  SmallVector<ResultShape> shapes;
  for (Value result : values) {
    ResultShape shape;
    if (auto attention = result.getDefiningOp<AttentionOp>();
        attention && result == attention.getBlockMax()) {
      auto key = llvm::dyn_cast<BlockArgument>(attention.getKey());
      auto table =
          llvm::dyn_cast_or_null<BlockArgument>(attention.getPageTable());
      if (!key || (attention.getPageTable() && !table))
        return func.emitError("the ")
               << backend
               << " backend needs the key (and page table) of block "
                  "statistics to be function arguments";
      shape.key = key.getArgNumber();
      if (table)
        shape.pageTable = table.getArgNumber();
      shape.queryBlock = (*attention.getBlockStats())[0];
      shape.keyBlock = (*attention.getBlockStats())[1];
    }
    // B, H and S come from a query: an attention's, or a merge's first part.
    Value source = result;
    while (Operation *producer = source.getDefiningOp()) {
      if (auto attention = llvm::dyn_cast<AttentionOp>(producer))
        source = attention.getQuery();
      else if (auto linear = llvm::dyn_cast<LinearAttentionOp>(producer))
        source = linear.getQuery();
      else if (auto merge = llvm::dyn_cast<MergeOp>(producer))
        source = merge.getOutputs()[0];
      else
        break;
    }
    auto arg = llvm::dyn_cast<BlockArgument>(source);
    if (!arg)
      return func.emitError("the ")
             << backend
             << " backend needs every result's query to be a function "
                "argument";
    shape.query = arg.getArgNumber();
    shapes.push_back(shape);
  }
  return shapes;
}

FailureOr<SmallVector<GpuTemporary>>
mlir::attn::deriveGpuTemporaries(func::FuncOp func, StringRef backend) {
  SmallVector<Value> values(gpuStepBuffers(func));
  values.erase(values.begin(),
               values.begin() + func.getNumArguments() + func.getNumResults());
  FailureOr<SmallVector<ResultShape>> shapes =
      deriveValueShapes(func, values, backend);
  if (failed(shapes))
    return failure();
  SmallVector<GpuTemporary> temporaries;
  for (auto [value, shape] : llvm::zip(values, *shapes)) {
    auto type = llvm::dyn_cast<RankedTensorType>(value.getType());
    // B, Hq and Sq of the query, the rest static (computeResultShape).
    bool follows = type && !shape.queryBlock;
    for (int64_t d = 3; follows && d < (type ? type.getRank() : 0); ++d)
      follows = !type.isDynamicDim(d);
    if (!follows)
      return func.emitError("the ")
             << backend << " backend cannot size a temporary of type "
             << value.getType() << " between the steps of @"
             << func.getSymName()
             << " (only attention and merge outputs and lse)";
    temporaries.push_back({type, shape.query});
  }
  return temporaries;
}

std::vector<int64_t>
mlir::attn::computeResultShape(const ResultShape &from, RankedTensorType type,
                               ArrayRef<std::vector<int64_t>> argumentShapes) {
  const std::vector<int64_t> &source = argumentShapes[from.query];
  if (from.queryBlock) {
    const std::vector<int64_t> &key = argumentShapes[from.key];
    int64_t keyLength =
        from.pageTable ? argumentShapes[*from.pageTable][1] * key[1] : key[2];
    return {source[0], source[1],
            (source[2] + from.queryBlock - 1) / from.queryBlock,
            (keyLength + from.keyBlock - 1) / from.keyBlock};
  }
  std::vector<int64_t> shape(
      source.begin(), source.begin() + std::min<int64_t>(type.getRank(), 3));
  for (int64_t d = shape.size(); d < type.getRank(); ++d)
    shape.push_back(type.getDimSize(d)); // Dv is static
  return shape;
}
