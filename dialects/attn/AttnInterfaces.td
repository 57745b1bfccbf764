//===- AttnInterfaces.td - Attribute interfaces -------------*- tablegen -*-===//
//
// Three attribute interfaces group the named variants by role (mask, score
// modifier, normaliser), so verifiers and passes ask for a role, not a class.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_INTERFACES_TD
#define ATTN_INTERFACES_TD

include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// Interfaces
//===----------------------------------------------------------------------===//

def Attn_MaskAttrInterface : AttrInterface<"MaskAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    A named mask: decides keep(i, j). Several masks combine with AND.
  }];
  let methods = [
    InterfaceMethod<"Whether the mask reads a tensor operand of the op "
                    "(the mask is data rather than a formula).",
                    "bool", "isDataDependent", (ins), [{}],
                    [{ return false; }]>
  ];
}

def Attn_ScoreModAttrInterface : AttrInterface<"ScoreModAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    A named score modifier. Modifiers apply in a fixed order of kinds
    (VARIANTS.md section 3); modifiers of one kind apply in list order.
  }];
  let methods = [
    InterfaceMethod<"Rank of this modifier's kind in the application order.",
                    "unsigned", "getApplicationOrder", (ins)>
  ];
}

def Attn_NormalizerAttrInterface : AttrInterface<"NormalizerAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    Turns the kept scores of a row into weights.
  }];
  let methods = [
    InterfaceMethod<"Whether the weights are normalised by a row sum (so an "
                    "lse output and block statistics are meaningful).",
                    "bool", "isNormalized", (ins)>,
    InterfaceMethod<"Whether one pass over the keys with a running state "
                    "computes it (false: statistics first, then weights).",
                    "bool", "isOnePass", (ins), [{}], [{ return true; }]>
  ];
}

#endif // ATTN_INTERFACES_TD
