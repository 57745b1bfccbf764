//===- KernelSignature.cpp - Signatures of spec functions -----------------===//
//
// The operand layouts (OperandLayouts.cpp) group the function's sizes into
// classes. Here the classes that several arguments share become symbols, in
// argument order so that inputs give the dynamic sizes; what is not an
// equality (broadcasting, a captured tensor a region indexes, a bounded
// length, the GQA ratio) becomes a constraint on a symbol; and each argument
// gets its C name, role and element type. A function argument that is
// returned as a result shares its sizes with that output.
//
//===----------------------------------------------------------------------===//

#include "KernelSignature.h"
#include "SizeClasses.h"

#include "attn/Dialect/Attn.h"
#include "attn/Passes.h"
#include "attn/Support/Inputs.h"
#include "attn/Targets/ResultShapes.h"

#include "llvm/ADT/StringSet.h"

#include <map>

using namespace mlir;
using namespace mlir::attn;

namespace {

class SignatureBuilder {
public:
  SignatureBuilder(func::FuncOp func, ArrayRef<std::string> sourceNames)
      : func(func), sourceNames(sourceNames) {}

  FailureOr<KernelSignature> build();

private:
  LogicalResult addArguments(KernelSignature &signature);
  void addSymbolsAndConstraints(KernelSignature &signature);
  Slot slot(Value value, unsigned dim) { return sizes.slot(value, dim); }
  Slot find(Slot s) { return sizes.find(s); }

  func::FuncOp func;
  ArrayRef<std::string> sourceNames;
  SizeClasses sizes;
  /// The values behind each kernel argument.
  std::vector<Value> argumentValues;
};

/// A C identifier from `text` (letters, digits, underscores).
std::string toIdentifier(StringRef text) {
  std::string id;
  for (char c : text)
    id += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (id.empty() || llvm::isDigit(id.front()))
    id = "_" + id;
  return id;
}

bool isReservedName(StringRef name) {
  static const llvm::StringSet<> reserved = {
      "auto",     "break",    "case",      "char",      "const",   "continue",
      "default",  "do",       "double",    "else",      "enum",    "extern",
      "float",    "for",      "goto",      "if",        "inline",  "int",
      "long",     "register", "restrict",  "return",    "short",   "signed",
      "sizeof",   "static",   "struct",    "switch",    "typedef", "union",
      "unsigned", "void",     "volatile",  "while",     "bool",    "true",
      "false",    "class",    "delete",    "new",       "this",    "template",
      "private",  "public",   "operator",  "namespace", "using",   "virtual",
      "_Bool",    "friend",   "protected", "throw",     "try",     "catch",
      "NULL",     "DLTensor", "int8_t",    "int16_t",   "int32_t", "int64_t"};
  // Generated code and attnrt name their own things attn*.
  return reserved.contains(name) || name.starts_with("attn");
}

FailureOr<KernelElementType> elementTypeOf(Type type) {
  if (auto tensor = llvm::dyn_cast<RankedTensorType>(type))
    type = tensor.getElementType();
  if (type.isF32())
    return KernelElementType::F32;
  if (type.isF16())
    return KernelElementType::F16;
  if (type.isBF16())
    return KernelElementType::BF16;
  if (type.isF64())
    return KernelElementType::F64;
  if (type.isIndex())
    return KernelElementType::I64;
  if (auto integer = llvm::dyn_cast<IntegerType>(type)) {
    if (integer.isUnsigned())
      return failure();
    switch (integer.getWidth()) {
    case 1:
      return KernelElementType::I1;
    case 8:
      return KernelElementType::I8;
    case 16:
      return KernelElementType::I16;
    case 32:
      return KernelElementType::I32;
    case 64:
      return KernelElementType::I64;
    default:
      return failure();
    }
  }
  return failure();
}

int64_t elementBytes(KernelElementType type) {
  switch (type) {
  case KernelElementType::F64:
  case KernelElementType::I64:
    return 8;
  case KernelElementType::F32:
  case KernelElementType::I32:
    return 4;
  case KernelElementType::F16:
  case KernelElementType::BF16:
  case KernelElementType::I16:
    return 2;
  case KernelElementType::I1:
  case KernelElementType::I8:
    return 1;
  }
  return 1;
}

/// What a returned value is: "output", "lse", "block_max", or "result".
std::string resultRole(Value value) {
  if (auto attention = value.getDefiningOp<AttentionOp>()) {
    if (value == attention.getOutput())
      return "output";
    if (value == attention.getLse())
      return "lse";
    return "block_max";
  }
  if (auto merge = value.getDefiningOp<MergeOp>())
    return value == merge.getOutput() ? "output" : "lse";
  if (value.getDefiningOp<LinearAttentionOp>())
    return "output";
  return "result";
}

LogicalResult SignatureBuilder::addArguments(KernelSignature &signature) {
  std::vector<ArgumentRole> roles = inferArgumentRoles(func);
  llvm::StringSet<> used;
  auto unique = [&](std::string base) {
    base = toIdentifier(base);
    if (isReservedName(base))
      base += "_";
    std::string name = base;
    for (int n = 2; !used.insert(name).second; ++n)
      name = base + std::to_string(n);
    return name;
  };
  auto add = [&](Value value, Type type, std::string name, std::string role,
                 bool isOutput) -> LogicalResult {
    FailureOr<KernelElementType> element = elementTypeOf(type);
    // An argument's own location where it has one, else the function's.
    Location loc = isOutput ? func.getLoc() : value.getLoc();
    std::string typeText;
    llvm::raw_string_ostream(typeText) << type;
    if (failed(element))
      return emitError(loc)
             << (isOutput ? "result " : "argument ")
             << (isOutput ? signature.arguments.size() - signature.numInputs
                          : signature.arguments.size())
             << " of @" << func.getSymName() << " has type " << typeText
             << ", which the runtime cannot pass (supported elements: f32, "
                "f16, bf16, f64, i1, i8, i16, i32, i64, index)";
    KernelArgument argument;
    argument.name = unique(name);
    argument.role = std::move(role);
    argument.isOutput = isOutput;
    argument.elementType = *element;
    argument.type = type;
    argument.alignment = elementBytes(*element);
    if (auto tensor = llvm::dyn_cast<RankedTensorType>(type)) {
      for (int64_t d = 0; d < tensor.getRank(); ++d)
        argument.staticSizes.push_back(
            tensor.isDynamicDim(d) ? -1 : tensor.getDimSize(d));
    } else if (*element == KernelElementType::F16 ||
               *element == KernelElementType::BF16) {
      return emitError(loc)
             << "argument " << signature.arguments.size() << " of @"
             << func.getSymName() << " is a scalar " << typeText
             << ", which has no portable C type; pass it as f32 or as a "
                "tensor<1x"
             << typeText << ">";
    }
    signature.arguments.push_back(std::move(argument));
    argumentValues.push_back(value);
    return success();
  };
  for (BlockArgument arg : func.getArguments()) {
    unsigned n = arg.getArgNumber();
    std::string name = "arg" + std::to_string(n);
    if (auto attr = func.getArgAttrOfType<StringAttr>(n, "attn.name"))
      name = attr.getValue().str();
    else if (n < sourceNames.size() && !sourceNames[n].empty())
      name = sourceNames[n];
    if (failed(add(arg, arg.getType(), name, roles[n].name, false)))
      return failure();
  }
  signature.numInputs = func.getNumArguments();
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  std::map<std::string, unsigned> roleCount;
  for (Value value : ret.getOperands()) {
    std::string role = resultRole(value);
    std::string name = role == "output" ? "out" : role;
    if (role == "result")
      name = "result" +
             std::to_string(signature.arguments.size() - signature.numInputs);
    if (failed(add(value, value.getType(), name, role, true)))
      return failure();
  }
  return success();
}

void SignatureBuilder::addSymbolsAndConstraints(KernelSignature &signature) {
  // Each class holds its static size, if any slot has one.
  std::vector<int64_t> classStatic(sizes.parent.size(), -1);
  for (Slot s = 0; s < sizes.parent.size(); ++s)
    if (sizes.staticSize[s] >= 0)
      classStatic[find(s)] = sizes.staticSize[s];
  // How many argument dimensions each class has; pending constraints need
  // their classes as symbols too.
  std::vector<unsigned> uses(sizes.parent.size(), 0);
  for (Value value : argumentValues)
    if (auto type = llvm::dyn_cast<RankedTensorType>(value.getType()))
      for (int64_t d = 0; d < type.getRank(); ++d)
        ++uses[find(slot(value, d))];
  for (const PendingConstraint &p : sizes.pending) {
    uses[find(p.symbol)] += 2;
    if (p.kind == KernelConstraintKind::SymbolMultiple)
      uses[find(p.otherSymbol)] += 2;
  }
  std::map<Slot, std::string> classNames;
  for (auto &[s, text] : sizes.names)
    classNames.try_emplace(find(s), text);
  // A product's factors are symbols whenever it is one.
  std::map<Slot, std::pair<Slot, Slot>> productOf;
  for (auto [s, a, b] : sizes.products) {
    productOf[find(s)] = {find(a), find(b)};
    if (uses[find(s)] >= 2)
      uses[find(a)] = uses[find(b)] = 2;
  }

  std::map<Slot, int32_t> symbolOf;
  llvm::StringSet<> usedNames;
  auto symbolFor = [&](Slot s, const std::string &fallback) -> int32_t {
    Slot root = find(s);
    if (uses[root] < 2)
      return -1; // One argument dimension, nothing else: a free size.
    auto it = symbolOf.find(root);
    if (it != symbolOf.end())
      return it->second;
    std::string base = classNames.count(root) ? classNames[root] : fallback;
    std::string text = base;
    for (int n = 2; !usedNames.insert(text).second; ++n)
      text = base + std::to_string(n);
    signature.symbols.push_back({text, classStatic[root], {-1, -1}});
    int32_t symbol = signature.symbols.size() - 1;
    symbolOf[root] = symbol;
    return symbol;
  };
  // Products get their factors (created first where they are new).
  auto resolveProducts = [&] {
    for (auto &[root, factors] : productOf) {
      auto it = symbolOf.find(root);
      if (it == symbolOf.end())
        continue;
      int32_t a = symbolFor(factors.first, "size");
      int32_t b = symbolFor(factors.second, "size");
      signature.symbols[it->second].factors[0] = a;
      signature.symbols[it->second].factors[1] = b;
    }
  };

  // Equalities first, in argument order: inputs give the dynamic sizes.
  for (auto [n, value] : llvm::enumerate(argumentValues)) {
    auto type = llvm::dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      continue;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      int32_t symbol = symbolFor(slot(value, d), signature.arguments[n].name +
                                                     "." + std::to_string(d));
      if (symbol >= 0)
        signature.constraints.push_back({KernelConstraintKind::DimEquals,
                                         int32_t(n), int32_t(d), symbol, 0});
    }
  }
  for (const PendingConstraint &p : sizes.pending) {
    KernelConstraint constraint{
        p.kind, -1, -1, symbolFor(p.symbol, "size"),
        p.kind == KernelConstraintKind::DimCovers ? p.divisor : 0};
    if (p.kind == KernelConstraintKind::SymbolMultiple) {
      constraint.value = symbolFor(p.otherSymbol, "size");
      signature.constraints.push_back(constraint);
      continue;
    }
    // The constraint is on an argument: an input, or a returned value (an
    // output, such as block statistics the kernel writes by blocks).
    auto it = llvm::find(argumentValues, p.value);
    if (it == argumentValues.end())
      continue; // An intermediate value; its producer was checked.
    constraint.argument = int32_t(it - argumentValues.begin());
    if (p.kind != KernelConstraintKind::ValuesAtMost &&
        p.kind != KernelConstraintKind::ValuesBelow)
      constraint.dim = p.dim;
    signature.constraints.push_back(constraint);
  }
  resolveProducts();
}

FailureOr<KernelSignature> SignatureBuilder::build() {
  KernelSignature signature;
  signature.function = func.getSymName().str();
  if (failed(addOperandLayouts(func, sizes)))
    return failure();

  if (failed(addArguments(signature)))
    return failure();
  // Every argument dimension gets a slot before classes are counted.
  for (Value value : argumentValues)
    if (auto type = llvm::dyn_cast<RankedTensorType>(value.getType()))
      for (int64_t d = 0; d < type.getRank(); ++d)
        slot(value, d);
  addSymbolsAndConstraints(signature);
  return signature;
}

} // namespace

int32_t KernelSignature::getEqualSymbol(int32_t argument, int32_t dim) const {
  for (const KernelConstraint &c : constraints)
    if (c.kind == KernelConstraintKind::DimEquals && c.argument == argument &&
        c.dim == dim)
      return c.symbol;
  return -1;
}

std::string KernelSignature::describeShape(int32_t argument) const {
  const KernelArgument &a = arguments[argument];
  std::string text = "[";
  for (auto [d, size] : llvm::enumerate(a.staticSizes)) {
    text += d ? ", " : "";
    int32_t symbol = getEqualSymbol(argument, d);
    const KernelConstraint *broadcast = nullptr;
    for (const KernelConstraint &c : constraints)
      if (c.kind == KernelConstraintKind::DimBroadcasts &&
          c.argument == argument && c.dim == int32_t(d))
        broadcast = &c;
    if (size >= 0)
      text += std::to_string(size);
    else if (symbol >= 0)
      text += symbols[symbol].name;
    else if (broadcast)
      text += "1|" + symbols[broadcast->symbol].name;
    else
      text += "?";
  }
  return text + "]";
}

FailureOr<KernelSignature>
mlir::attn::deriveKernelSignature(func::FuncOp func,
                                  ArrayRef<std::string> sourceNames) {
  return SignatureBuilder(func, sourceNames).build();
}

const char *mlir::attn::getElementTypeEnumerator(KernelElementType type) {
  switch (type) {
  case KernelElementType::F32:
    return "ATTN_ELEMENT_F32";
  case KernelElementType::F16:
    return "ATTN_ELEMENT_F16";
  case KernelElementType::BF16:
    return "ATTN_ELEMENT_BF16";
  case KernelElementType::F64:
    return "ATTN_ELEMENT_F64";
  case KernelElementType::I1:
    return "ATTN_ELEMENT_I1";
  case KernelElementType::I8:
    return "ATTN_ELEMENT_I8";
  case KernelElementType::I16:
    return "ATTN_ELEMENT_I16";
  case KernelElementType::I32:
    return "ATTN_ELEMENT_I32";
  case KernelElementType::I64:
    return "ATTN_ELEMENT_I64";
  }
  llvm_unreachable("unknown element type");
}

FailureOr<KernelSteps> mlir::attn::deriveKernelSteps(func::FuncOp func) {
  KernelSteps steps;
  unsigned count = gpuStepCount(func);
  if (count < 2)
    return steps;
  for (unsigned n = 0; n < count; ++n)
    steps.kernels.push_back(gpuStepKernelName(func.getSymName(), n));
  FailureOr<SmallVector<GpuTemporary>> temporaries =
      deriveGpuTemporaries(func, "GPU");
  if (failed(temporaries))
    return failure();
  for (auto [n, temporary] : llvm::enumerate(*temporaries)) {
    FailureOr<KernelElementType> element = elementTypeOf(temporary.type);
    if (failed(element))
      return func.emitError("a temporary between the GPU steps of @")
             << func.getSymName() << " has type " << temporary.type
             << ", which attnrt has no element type for";
    KernelTemporary &t = steps.temporaries.emplace_back();
    t.name = "temporary" + std::to_string(n);
    t.elementType = *element;
    for (int64_t size : temporary.type.getShape())
      t.staticSizes.push_back(ShapedType::isDynamic(size) ? -1 : size);
    t.shapeArgument = temporary.shapeArgument;
  }
  return steps;
}

const char *mlir::attn::getConstraintKindEnumerator(KernelConstraintKind kind) {
  switch (kind) {
  case KernelConstraintKind::DimEquals:
    return "ATTN_CONSTRAINT_DIM_EQUALS";
  case KernelConstraintKind::DimBroadcasts:
    return "ATTN_CONSTRAINT_DIM_BROADCASTS";
  case KernelConstraintKind::DimCovers:
    return "ATTN_CONSTRAINT_DIM_COVERS";
  case KernelConstraintKind::ValuesAtMost:
    return "ATTN_CONSTRAINT_VALUES_AT_MOST";
  case KernelConstraintKind::SymbolMultiple:
    return "ATTN_CONSTRAINT_SYMBOL_MULTIPLE";
  case KernelConstraintKind::ValuesBelow:
    return "ATTN_CONSTRAINT_VALUES_BELOW";
  }
  llvm_unreachable("unknown constraint kind");
}
