//===- AttnAttrs.td - Masks, score modifiers, normalisers --*- tablegen -*-===//
//
// Every named variant of VARIANTS.md is one attribute. Three attribute
// interfaces group them by role, so the op verifier and the passes ask "is this
// a mask?" instead of listing attribute classes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_ATTRS_TD
#define ATTN_ATTRS_TD

include "AttnBase.td"
include "AttnInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Attn_Alignment : I32EnumAttr<"Alignment", "query position alignment", [
    I32EnumAttrCase<"bottom_right", 0>,
    I32EnumAttrCase<"top_left", 1>]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}
def Attn_AlignmentAttr : EnumAttr<Attn_Dialect, Attn_Alignment, "alignment">;

def Attn_BlockLayoutFormat : I32EnumAttr<"BlockLayoutFormat",
    "how a block-sparse layout is stored", [
    I32EnumAttrCase<"bitmap", 0>,
    I32EnumAttrCase<"indices", 1>]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

def Attn_FeatureMap : I32EnumAttr<"FeatureMap", "linear-attention feature map", [
    I32EnumAttrCase<"identity", 0>,
    I32EnumAttrCase<"elu_plus_one", 1>,
    I32EnumAttrCase<"relu", 2>,
    I32EnumAttrCase<"exp", 3>,
    I32EnumAttrCase<"softmax", 4>,
    I32EnumAttrCase<"random_features", 5>,
    I32EnumAttrCase<"taylor", 6>]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}
def Attn_FeatureMapAttr : EnumAttr<Attn_Dialect, Attn_FeatureMap, "feature_map">;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

// Stored as APFloat (which hashes); always an IEEE double.
class Attn_F64Parameter<string desc, string default = "">
    : APFloatParameter<desc> {
  let parser = "::mlir::attn::parseF64Parameter($_parser)";
  let printer = "$_printer.printFloat($_self)";
  let defaultValue = !if(!eq(default, ""), "", "::llvm::APFloat(" # default # ")");
}

class Attn_BoolParameter<string desc, string default = "false">
    : AttrOrTypeParameter<"bool", desc> {
  let parser = "::mlir::attn::parseBoolParameter($_parser)";
  let printer = "$_printer << ($_self ? \"true\" : \"false\")";
  let defaultValue = default;
}

class Attn_F64ArrayParameter<string desc>
    : AttrOrTypeParameter<"::mlir::DenseF64ArrayAttr", desc> {
  let parser = "::mlir::attn::parseF64ArrayParameter($_parser)";
  let printer = "::mlir::attn::printF64ArrayParameter($_printer, $_self)";
}

class Attn_I64ArrayParameter<string desc> : ArrayRefParameter<"int64_t", desc> {
  let parser = "::mlir::attn::parseI64ArrayParameter($_parser)";
  let printer = "::mlir::attn::printI64ArrayParameter($_printer, $_self)";
}

class Attn_OptionalI64ArrayParameter<string desc>
    : OptionalArrayRefParameter<"int64_t", desc> {
  let parser = "::mlir::attn::parseI64ArrayParameter($_parser)";
  let printer = "::mlir::attn::printI64ArrayParameter($_printer, $_self)";
}

class Attn_OptionalBoolArrayParameter<string desc>
    : OptionalArrayRefParameter<"bool", desc> {
  let parser = "::mlir::attn::parseBoolArrayParameter($_parser)";
  let printer = "::mlir::attn::printBoolArrayParameter($_printer, $_self)";
}

class Attn_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Attn_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Masks (VARIANTS.md section 2)
//===----------------------------------------------------------------------===//

class Attn_MaskAttr<string name, string attrMnemonic, list<Trait> traits = []>
    : Attn_Attr<name, attrMnemonic,
                !listconcat([DeclareAttrInterfaceMethods<Attn_MaskAttrInterface,
                                                         ["isDataDependent"]>],
                            traits)>;

def Attn_CausalMaskAttr : Attn_MaskAttr<"CausalMask", "causal"> {
  let summary = "keep(i, j) = j <= p(i)";
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return false; }
  }];
}

def Attn_SlidingWindowMaskAttr
    : Attn_MaskAttr<"SlidingWindowMask", "sliding_window"> {
  let summary = "p(i) - left <= j <= p(i) + right, or j < sinks";
  let description = [{
    A missing `left` or `right` leaves that side unbounded. `sinks` keys at the
    start of the sequence are always kept (StreamingLLM).
  }];
  let parameters = (ins OptionalParameter<"std::optional<int64_t>">:$left,
                        OptionalParameter<"std::optional<int64_t>">:$right,
                        DefaultValuedParameter<"int64_t", "0">:$sinks);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return false; }
  }];
}

def Attn_PrefixLMMaskAttr : Attn_MaskAttr<"PrefixLMMask", "prefix_lm"> {
  let summary = "j < prefix OR j <= p(i)";
  let parameters = (ins "int64_t":$prefix);
  let assemblyFormat = "`<` $prefix `>`";
  let genVerifyDecl = 1;
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return false; }
  }];
}

def Attn_DocumentMaskAttr : Attn_MaskAttr<"DocumentMask", "document"> {
  let summary = "seg_q[b, i] == seg_kv[b, j] (reads `segment_ids`)";
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return true; }
  }];
}

def Attn_KeyLimitMaskAttr : Attn_MaskAttr<"KeyLimitMask", "key_limit"> {
  let summary = "j < limit[b, i] or limit[b, h, i] (reads `key_limit`)";
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return true; }
  }];
}

def Attn_NeighborhoodMaskAttr
    : Attn_MaskAttr<"NeighborhoodMask", "neighborhood"> {
  let summary = "N-D (dilated, strided, optionally causal) neighborhood";
  let description = [{
    Tokens lie on a row-major grid of extents `grid` (1 to 3 dimensions).
    Each dimension has its own kernel, dilation, stride and causal flag, as in
    NATTEN and GNA; see VARIANTS.md section 2.1. Dilation and stride default to
    1, causal to false, sinks to 0.
  }];
  let parameters = (ins Attn_I64ArrayParameter<"grid extents">:$grid,
                        Attn_I64ArrayParameter<"kernel per dimension">:$kernel,
                        Attn_OptionalI64ArrayParameter<"dilation">:$dilation,
                        Attn_OptionalI64ArrayParameter<"stride">:$stride,
                        Attn_OptionalBoolArrayParameter<"causal">:$causal,
                        DefaultValuedParameter<"int64_t", "0">:$sinks);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Dilation, stride and causal flag of dimension `dim`, defaults applied.
    int64_t getDilationAt(unsigned dim) const;
    int64_t getStrideAt(unsigned dim) const;
    bool isCausalAt(unsigned dim) const;
    bool isAnyCausal() const;
  }];
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return false; }
  }];
}

def Attn_BlockSparseMaskAttr : Attn_MaskAttr<"BlockSparseMask", "block_sparse"> {
  let summary = "block layout (reads `block_layout`)";
  let description = [{
    `bitmap`: layout[b, h, i div q_block, j div kv_block] != 0.
    `indices`: j div kv_block is listed in layout[b, h, i div q_block, :]
    (-1 pads the lists).
  }];
  let parameters = (ins "int64_t":$q_block, "int64_t":$kv_block,
                        EnumParameter<Attn_BlockLayoutFormat>:$format);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return true; }
  }];
}

def Attn_SelectedTokensMaskAttr
    : Attn_MaskAttr<"SelectedTokensMask", "selected_tokens"> {
  let summary = "j is listed in idx[b, h, :] (reads `selected`)";
  let extraClassDefinition = [{
    bool $cppClass::isDataDependent() const { return true; }
  }];
}

//===----------------------------------------------------------------------===//
// Score modifiers (VARIANTS.md section 3), in application order
//===----------------------------------------------------------------------===//

class Attn_ScoreModAttr<string name, string attrMnemonic, int order>
    : Attn_Attr<name, attrMnemonic,
                [DeclareAttrInterfaceMethods<Attn_ScoreModAttrInterface>]> {
  int applicationOrder = order;
  let extraClassDefinition = "unsigned $cppClass::getApplicationOrder() const "
                             "{ return " # order # "; }";
}

def Attn_TemperatureModAttr
    : Attn_ScoreModAttr<"TemperatureMod", "temperature", 0> {
  let summary = "s / tau[h] or s / tau[b, h, i] (reads the next `temperature`)";
}

def Attn_LengthScalingModAttr
    : Attn_ScoreModAttr<"LengthScalingMod", "length_scaling", 2> {
  let summary = "s * log(n_i) / log(base), n_i the kept keys of row i";
  let parameters = (ins Attn_F64Parameter<"L0 > 1">:$base);
  let assemblyFormat = "`<` $base `>`";
  let genVerifyDecl = 1;
}

def Attn_SoftcapModAttr : Attn_ScoreModAttr<"SoftcapMod", "softcap", 3> {
  let summary = "cap * tanh(s / cap)";
  let parameters = (ins Attn_F64Parameter<"cap > 0">:$cap);
  let assemblyFormat = "`<` $cap `>`";
  let genVerifyDecl = 1;
}

def Attn_AlibiModAttr : Attn_ScoreModAttr<"AlibiMod", "alibi", 4> {
  let summary = "s + slope[h] * (j - p(i)) (reads `alibi_slopes`)";
  let description = [{
    With `symmetric = true`: s - slope[h] * |j - p(i)|.
  }];
  let parameters = (ins Attn_BoolParameter<"symmetric form">:$symmetric);
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
}

def Attn_RelativePositionModAttr
    : Attn_ScoreModAttr<"RelativePositionMod", "relative_position", 5> {
  let summary = "s + table[h, clamp(j - p(i), -R, R) + R] (reads `position_table`)";
  let parameters = (ins "int64_t":$max_distance);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Attn_BiasModAttr : Attn_ScoreModAttr<"BiasMod", "bias", 6> {
  let summary = "s + bias[...] broadcast over [B, H, Sq, Skv] (reads the next `bias`)";
}

def Attn_SinkCalibrationModAttr
    : Attn_ScoreModAttr<"SinkCalibrationMod", "sink_calibration", 7> {
  let summary = "s + log(a) for key columns in `columns`";
  let description = [{
    `factors` holds one factor for every column or a single factor for all.
    Columns outside the key range are ignored.
  }];
  let parameters = (ins Attn_I64ArrayParameter<"key columns">:$columns,
                        Attn_F64ArrayParameter<"factors a > 0">:$factors);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The factor applied to column index `k` of `getColumns()`.
    double getFactorAt(unsigned k) const {
      ArrayRef<double> factors = getFactors().asArrayRef();
      return factors.size() == 1 ? factors[0] : factors[k];
    }
  }];
}

//===----------------------------------------------------------------------===//
// Normalisers (VARIANTS.md section 4)
//===----------------------------------------------------------------------===//

class Attn_NormalizerAttr<string name, string attrMnemonic>
    : Attn_Attr<name, attrMnemonic,
                [DeclareAttrInterfaceMethods<Attn_NormalizerAttrInterface,
                                             ["isOnePass"]>]>;

def Attn_SoftmaxAttr : Attn_NormalizerAttr<"Softmax", "softmax"> {
  let summary = "exp(s - m) / sum exp(s - m)";
  let extraClassDefinition = [{
    bool $cppClass::isNormalized() const { return true; }
    bool $cppClass::isOnePass() const { return true; }
  }];
}

def Attn_SoftplusAttr : Attn_NormalizerAttr<"Softplus", "softplus"> {
  let summary = "softplus(s)^power / sum softplus(s)^power";
  let parameters = (ins Attn_F64Parameter<"power > 0", "1.0">:$power);
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
  let genVerifyDecl = 1;
  let extraClassDefinition = [{
    bool $cppClass::isNormalized() const { return true; }
    bool $cppClass::isOnePass() const { return true; }
  }];
}

def Attn_ReluAttr : Attn_NormalizerAttr<"Relu", "relu"> {
  let summary = "relu(s)^power, divided by its row sum when normalized";
  let parameters = (ins Attn_F64Parameter<"power > 0", "1.0">:$power,
                        Attn_BoolParameter<"L1-normalised">:$normalized);
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
  let genVerifyDecl = 1;
  let extraClassDefinition = [{
    bool $cppClass::isNormalized() const { return getNormalized(); }
    bool $cppClass::isOnePass() const { return true; }
  }];
}

def Attn_SigmoidAttr : Attn_NormalizerAttr<"Sigmoid", "sigmoid"> {
  let summary = "sigmoid(s + b), b = bias or -log(n_i) with log_length";
  let parameters = (ins Attn_F64Parameter<"constant bias", "0.0">:$bias,
                        Attn_BoolParameter<"b = -log(n_i)">:$log_length);
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
  let genVerifyDecl = 1;
  let extraClassDefinition = [{
    bool $cppClass::isNormalized() const { return false; }
    bool $cppClass::isOnePass() const { return true; }
  }];
}

def Attn_ClippedSoftmaxAttr
    : Attn_NormalizerAttr<"ClippedSoftmax", "clipped_softmax"> {
  let summary = "clip((zeta - gamma) * softmax(s) + gamma, 0, 1)";
  let parameters = (ins Attn_F64Parameter<"stretch">:$zeta,
                        Attn_F64Parameter<"shift">:$gamma);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDefinition = [{
    bool $cppClass::isNormalized() const { return true; }
    bool $cppClass::isOnePass() const { return false; }
  }];
}

def Attn_NoNormalizerAttr : Attn_NormalizerAttr<"NoNormalizer", "none"> {
  let summary = "w = s: the raw weighted sum";
  let extraClassDefinition = [{
    bool $cppClass::isNormalized() const { return false; }
    bool $cppClass::isOnePass() const { return true; }
  }];
}

#endif // ATTN_ATTRS_TD
