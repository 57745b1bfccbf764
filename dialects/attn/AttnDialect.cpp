//===- AttnDialect.cpp - The attn dialect ---------------------------------===//
//
// Registers the attn attributes and operations.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::attn;

#include "attn/AttnDialect.cpp.inc"

void AttnDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "attn/AttnOps.cpp.inc"
      >();
}
