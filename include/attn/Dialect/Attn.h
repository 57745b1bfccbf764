//===- Attn.h - The attn dialect ------------------------------*- C++ -*-===//
//
// Public header of the attn dialect: the dialect, its attributes (masks, score
// modifiers, normalisers), enums, attribute interfaces and operations.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_H
#define ATTN_DIALECT_ATTN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "attn/AttnDialect.h.inc"
#include "attn/AttnEnums.h.inc"

namespace mlir::attn {
// Parsers and printers of attribute parameters the generic forms do not cover.
FailureOr<APFloat> parseF64Parameter(AsmParser &parser);
FailureOr<bool> parseBoolParameter(AsmParser &parser);
FailureOr<DenseF64ArrayAttr> parseF64ArrayParameter(AsmParser &parser);
void printF64ArrayParameter(AsmPrinter &printer, DenseF64ArrayAttr values);
FailureOr<SmallVector<int64_t>> parseI64ArrayParameter(AsmParser &parser);
void printI64ArrayParameter(AsmPrinter &printer, ArrayRef<int64_t> values);
FailureOr<SmallVector<bool>> parseBoolArrayParameter(AsmParser &parser);
void printBoolArrayParameter(AsmPrinter &printer, ArrayRef<bool> values);
} // namespace mlir::attn

#include "attn/AttnAttrInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/AttnAttrs.h.inc"

#define GET_OP_CLASSES
#include "attn/AttnOps.h.inc"

#endif // ATTN_DIALECT_ATTN_H
