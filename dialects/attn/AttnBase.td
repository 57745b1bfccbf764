//===- AttnBase.td - The attn dialect definition -----------*- tablegen -*-===//
//
// The attn dialect describes attention variants declaratively: named attributes
// for the common masks, score modifiers and normalisers, and `score`/`mask`
// regions for everything else.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_BASE_TD
#define ATTN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::mlir::attn";
  let summary = "Declarative attention variants";
  let description = [{
    The `attn` dialect states what an attention computation means, not how it is
    computed: masks, score modifiers, the normaliser and the epilogue are
    attributes of one `attn.attention` op (or `score`/`mask` regions for
    anything the named forms do not cover). The semantics are those of
    VARIANTS.md; the reference oracle implements them directly.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Registers the attributes; lives beside their storage classes.
    void registerAttributes();
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

#endif // ATTN_BASE_TD
