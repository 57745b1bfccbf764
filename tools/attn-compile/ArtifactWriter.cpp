//===- ArtifactWriter.cpp - The C side of a compiled spec -----------------===//
//
// Writes plain C (C99, warning-free under -Wall -Wextra) that any C or C++
// application compiles with its own compiler: the header documents each
// argument's shape in terms of the symbols the runtime checks, and the glue
// is data plus one line of code per entry point, so the checking logic lives
// in attnrt and is tested once.
//
//===----------------------------------------------------------------------===//

#include "ArtifactWriter.h"

#include "llvm/Support/Format.h"

#include <cstdio>

#include "attn/runtime.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// A C string literal.
std::string quote(StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += "?";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

/// Any bytes as a C string literal, split at newlines.
std::string quoteText(StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n\"\n    \"";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u >= 0x7f || c == '?') {
      // Octal, three digits, so a following digit is not absorbed (and no
      // trigraphs).
      char octal[5];
      snprintf(octal, sizeof(octal), "\\%03o", u);
      out += octal;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// Text safe inside a C block comment.
std::string commentSafe(StringRef text) {
  std::string out = text.str();
  for (size_t at; (at = out.find("*/")) != std::string::npos;)
    out.replace(at, 2, "* /");
  return out;
}

const char *elementName(KernelElementType type) {
  switch (type) {
  case KernelElementType::F32:
    return "f32";
  case KernelElementType::F16:
    return "f16";
  case KernelElementType::BF16:
    return "bf16";
  case KernelElementType::F64:
    return "f64";
  case KernelElementType::I1:
    return "i1";
  case KernelElementType::I8:
    return "i8";
  case KernelElementType::I16:
    return "i16";
  case KernelElementType::I32:
    return "i32";
  case KernelElementType::I64:
    return "i64";
  }
  return "?";
}

/// The C type of a scalar passed by value.
const char *scalarCType(KernelElementType type) {
  switch (type) {
  case KernelElementType::F32:
    return "float";
  case KernelElementType::F64:
    return "double";
  case KernelElementType::I1:
    return "_Bool";
  case KernelElementType::I8:
    return "int8_t";
  case KernelElementType::I16:
    return "int16_t";
  case KernelElementType::I32:
    return "int32_t";
  case KernelElementType::I64:
    return "int64_t";
  case KernelElementType::F16:
  case KernelElementType::BF16:
    break; // Rejected when the signature is derived.
  }
  return "void";
}

std::string memrefType(size_t rank) {
  return "attn_memref_" + std::to_string(rank) + "d";
}

/// Each constraint in words.
std::vector<std::string> describeConstraints(const KernelSignature &s) {
  std::vector<std::string> lines;
  for (const KernelConstraint &c : s.constraints) {
    const std::string &symbol = s.symbols[c.symbol].name;
    std::string arg =
        c.argument >= 0 ? s.arguments[c.argument].name : std::string();
    std::string dim = arg + "[" + std::to_string(c.dim) + "]";
    switch (c.kind) {
    case KernelConstraintKind::DimEquals:
      lines.push_back(dim + " = " + symbol);
      break;
    case KernelConstraintKind::DimBroadcasts:
      lines.push_back(dim + " is 1 or " + symbol);
      break;
    case KernelConstraintKind::DimCovers:
      lines.push_back(dim + " >= " +
                      (c.value == 1 ? symbol
                                    : "ceil(" + symbol + " / " +
                                          std::to_string(c.value) + ")"));
      break;
    case KernelConstraintKind::ValuesAtMost:
      lines.push_back("0 <= " + arg + "[...] <= " + symbol);
      break;
    case KernelConstraintKind::ValuesBelow:
      lines.push_back("0 <= " + arg + "[...] < " + symbol);
      break;
    case KernelConstraintKind::SymbolMultiple:
      lines.push_back(symbol + " is a multiple of " + s.symbols[c.value].name);
      break;
    }
  }
  return lines;
}

std::string entryPointName(const KernelSignature &s) {
  return "attn_" + s.function;
}

std::string parameterList(const KernelSignature &s) {
  std::string text;
  for (auto [n, a] : llvm::enumerate(s.arguments))
    text += std::string(n ? ", " : "") +
            (a.isOutput ? "DLTensor *" : "const DLTensor *") + a.name;
  return text.empty() ? "void" : text;
}

std::string guardName(StringRef stem) {
  std::string guard = "ATTN_GENERATED_";
  for (char c : stem)
    guard += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  return guard + "_H";
}

} // namespace

/// "x86_64-unknown-linux-gnu, znver4 (...); sm_90 (PTX and cubin)".
static std::string targetList(const Artifact &artifact) {
  std::string text;
  if (artifact.hasCpu)
    text = artifact.targetTriple + ", " + artifact.targetSummary;
  for (const GpuModuleCode &module : artifact.gpuModules)
    text += (text.empty() ? "" : "; ") + module.chip +
            (module.amd             ? " (HSACO)"
             : module.cubin.empty() ? " (PTX)"
                                    : " (PTX and cubin)");
  return text;
}

/// The glue's array of a module's device binary.
static std::string binaryName(const GpuModuleCode &module) {
  return (module.amd ? "attn_hsaco_" : "attn_cubin_") + module.chip;
}

/// "the CPU, an NVIDIA GPU or an AMD GPU": where the entry points run.
static std::string deviceList(const Artifact &artifact) {
  SmallVector<std::string> devices;
  if (artifact.hasCpu)
    devices.push_back("the CPU");
  for (bool amd : {false, true})
    if (llvm::any_of(artifact.gpuModules, [&](const GpuModuleCode &module) {
          return module.amd == amd;
        }))
      devices.push_back(amd ? "an AMD GPU" : "an NVIDIA GPU");
  std::string text;
  for (auto [n, device] : llvm::enumerate(devices))
    text += (n == 0 ? "" : n + 1 == devices.size() ? " or " : ", ") + device;
  return text;
}

std::string mlir::attn::writeArtifactHeader(const Artifact &artifact) {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string guard = guardName(artifact.stem);
  os << "/*===- " << artifact.stem
     << ".h - attn kernels (generated by attn-compile; do not edit) -===*\n"
     << " *\n"
     << " * Compiled from " << commentSafe(artifact.source) << " for "
     << commentSafe(targetList(artifact)) << ".\n"
     << " * Link " << (artifact.hasCpu ? artifact.stem + ".o and " : "")
     << artifact.stem << ".c with attnrt (and the libomp it links).\n"
     << " *\n"
     << " * Each entry point takes DLPack tensors: dense row-major, on "
     << deviceList(artifact) << ", outputs\n"
     << " * allocated by the caller (attnGetOutputShape gives their shapes). "
        "It checks\n"
     << " * every argument, runs the kernel and returns ATTN_SUCCESS, or an "
        "error code\n"
     << " * with attnGetLastError() naming the argument and what was "
        "expected.\n"
     << " *\n"
     << " *===-------------------------------------------------------------"
        "---------===*/\n\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <attn/runtime.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n";
  for (const ArtifactFunction &function : artifact.functions) {
    const KernelSignature &s = function.signature;
    os << "\n/* @" << commentSafe(s.function) << " ("
       << commentSafe(function.location) << "), kernel \"" << artifact.stem
       << "." << commentSafe(s.function) << "\".\n";
    std::vector<std::string> shapes;
    size_t width = 0, shapeWidth = 0;
    for (auto [n, a] : llvm::enumerate(s.arguments)) {
      shapes.push_back(a.staticSizes.empty() ? "scalar" : s.describeShape(n));
      width = std::max(width, a.name.size());
      shapeWidth = std::max(shapeWidth, shapes.back().size());
    }
    auto pad = [](const std::string &text, size_t to) {
      return text + std::string(to - text.size(), ' ');
    };
    for (auto [n, a] : llvm::enumerate(s.arguments))
      os << " *   " << pad(a.name, width) << (a.isOutput ? "  out " : "  in  ")
         << pad(elementName(a.elementType), 5) << pad(shapes[n], shapeWidth)
         << "  " << a.role << "\n";
    std::string dynamic;
    for (const KernelSymbol &symbol : s.symbols)
      if (symbol.staticValue < 0 && symbol.factors[0] < 0)
        dynamic += (dynamic.empty() ? "" : ", ") + symbol.name;
    if (!dynamic.empty())
      os << " * Sizes chosen at run time: " << commentSafe(dynamic) << ".\n";
    for (const KernelSymbol &symbol : s.symbols)
      if (symbol.factors[0] >= 0)
        os << " * " << commentSafe(symbol.name) << " = "
           << commentSafe(s.symbols[symbol.factors[0]].name) << " * "
           << commentSafe(s.symbols[symbol.factors[1]].name) << ".\n";
    std::vector<std::string> lines = describeConstraints(s);
    for (auto [line, c] : llvm::zip(lines, s.constraints))
      if (c.kind != KernelConstraintKind::DimEquals)
        os << " * Requires: " << commentSafe(line) << ".\n";
    os << " */\n"
       << "attnStatus " << entryPointName(s) << "(" << parameterList(s)
       << ");\n"
       << "extern const attnKernelDescriptor " << entryPointName(s)
       << "_kernel;\n";
  }
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}

std::string mlir::attn::writeArtifactGlue(const Artifact &artifact) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/*===- " << artifact.stem
     << ".c - attn kernel descriptors (generated by attn-compile) ---===*\n"
     << " *\n"
     << " * The signature of each kernel compiled from "
     << commentSafe(artifact.source) << ",\n"
     << " * as attnrt checks it, its code ("
     << commentSafe(targetList(artifact)) << "), and the typed entry points\n"
     << " * declared in " << artifact.stem << ".h. Do not edit.\n"
     << " *\n"
     << " *===-------------------------------------------------------------"
        "---------===*/\n\n"
     << "#include \"" << artifact.stem << ".h\"\n\n"
     << "/* The tables below follow this version of attn/runtime.h. */\n"
     << "#if ATTN_KERNEL_ABI_VERSION != " << ATTN_KERNEL_ABI_VERSION << "\n"
     << "#error \"" << artifact.stem
     << ".c was generated for kernel ABI version " << ATTN_KERNEL_ABI_VERSION
     << "; regenerate it with the attn-compile of this attnrt\"\n"
     << "#endif\n\n";

  std::set<size_t> ranks;
  for (const ArtifactFunction &function : artifact.functions)
    for (const KernelArgument &a : function.signature.arguments)
      if (!a.staticSizes.empty())
        ranks.insert(a.staticSizes.size());
  os << "/* Memref descriptors as the kernels take them. */\n";
  for (size_t rank : ranks)
    os << "typedef struct {\n  void *allocated;\n  void *aligned;\n"
       << "  int64_t offset;\n  int64_t sizes[" << rank << "];\n"
       << "  int64_t strides[" << rank << "];\n} " << memrefType(rank) << ";\n";

  for (const GpuModuleCode &module : artifact.gpuModules) {
    if (module.amd) {
      os << "\n/* The AMD kernels for " << module.chip
         << ": the HSACO code object */\n";
    } else {
      os << "\n/* The NVIDIA kernels for " << module.chip
         << ": PTX (compiled by the driver at load time) */\n"
         << "static const char attn_ptx_" << module.chip << "[] =\n    "
         << quoteText(module.ptx) << ";\n";
      if (module.cubin.empty())
        continue;
      os << "/* and the cubin ptxas made of it */\n";
    }
    os << "static const unsigned char " << binaryName(module) << "["
       << module.cubin.size() << "] = {";
    for (size_t n = 0; n < module.cubin.size(); ++n)
      os << (n % 16 ? " " : "\n    ")
         << llvm::format("0x%02x", static_cast<unsigned char>(module.cubin[n]))
         << ",";
    os << "\n};\n";
  }

  for (auto [index, function] : llvm::enumerate(artifact.functions)) {
    const KernelSignature &s = function.signature;
    std::string entry = entryPointName(s);
    // File-local names: `attn_<digit>...` is no entry point's name.
    std::string prefix = "attn_" + std::to_string(index);
    size_t count = s.arguments.size();
    os << "\n/*===--- @" << commentSafe(s.function) << " ---*/\n\n";

    // The kernel in the object, and the entry attnrt calls.
    if (artifact.hasCpu) {
      os << "void _mlir_ciface_" << s.function << "(";
      for (auto [n, a] : llvm::enumerate(s.arguments))
        os << (n ? ", " : "")
           << (a.staticSizes.empty() ? std::string(scalarCType(a.elementType))
                                     : memrefType(a.staticSizes.size()) + " *");
      os << (count ? "" : "void") << ");\n\n";
      os << "static void " << prefix << "_cpu(void *const *arguments) {\n"
         << "  " << (count ? "" : "(void)arguments;\n  ") << "_mlir_ciface_"
         << s.function << "(";
      for (auto [n, a] : llvm::enumerate(s.arguments)) {
        os << (n ? ",\n      " : "");
        if (a.staticSizes.empty())
          os << "*(const " << scalarCType(a.elementType) << " *)arguments[" << n
             << "]";
        else
          os << "(" << memrefType(a.staticSizes.size()) << " *)arguments[" << n
             << "]";
      }
      os << ");\n}\n\n";
    }

    // The signature.
    for (const KernelArgument &a : s.arguments) {
      if (a.staticSizes.empty())
        continue;
      os << "static const int64_t " << prefix << "_sizes_" << a.name << "["
         << a.staticSizes.size() << "] = {";
      for (auto [d, size] : llvm::enumerate(a.staticSizes))
        os << (d ? ", " : "") << size;
      os << "};\n";
    }
    std::string argumentsTable = "NULL";
    if (count) {
      argumentsTable = prefix + "_arguments";
      os << "static const attnArgumentSpec " << argumentsTable << "[" << count
         << "] = {\n";
      for (const KernelArgument &a : s.arguments)
        os << "    {" << quote(a.name) << ", " << quote(a.role) << ", "
           << (a.isOutput ? 1 : 0) << ", "
           << getElementTypeEnumerator(a.elementType) << ", "
           << a.staticSizes.size() << ", "
           << (a.staticSizes.empty() ? std::string("NULL")
                                     : prefix + "_sizes_" + a.name)
           << ", " << a.alignment << "},\n";
      os << "};\n";
    }
    std::string symbolsTable = "NULL";
    if (!s.symbols.empty()) {
      symbolsTable = prefix + "_symbols";
      os << "static const attnSymbol " << symbolsTable << "["
         << s.symbols.size() << "] = {\n";
      for (const KernelSymbol &symbol : s.symbols) {
        os << "    {" << quote(symbol.name) << ", " << symbol.staticValue
           << ", {" << symbol.factors[0] << ", " << symbol.factors[1] << "}},";
        if (symbol.factors[0] >= 0)
          os << " /* " << commentSafe(s.symbols[symbol.factors[0]].name)
             << " * " << commentSafe(s.symbols[symbol.factors[1]].name)
             << " */";
        os << "\n";
      }
      os << "};\n";
    }
    std::string constraintsTable = "NULL";
    if (!s.constraints.empty()) {
      constraintsTable = prefix + "_constraints";
      os << "static const attnConstraint " << constraintsTable << "["
         << s.constraints.size() << "] = {\n";
      std::vector<std::string> lines = describeConstraints(s);
      for (auto [line, c] : llvm::zip(lines, s.constraints))
        os << "    {" << getConstraintKindEnumerator(c.kind) << ", "
           << c.argument << ", " << c.dim << ", " << c.symbol << ", " << c.value
           << "}, /* " << commentSafe(line) << " */\n";
      os << "};\n";
    }
    // A function of several ops: its kernels in turn, per GPU module, and
    // the temporaries between them.
    const KernelSteps &steps = function.steps;
    auto launchSizes = [](const GpuKernelLaunch &launch) {
      return llvm::formatv("{{{0}, {1}, {2}, {3}, {4}, {5}}", launch.threads,
                           launch.sharedBytes, launch.queryArgument,
                           launch.group, launch.rowsPerBlock, launch.gridY)
          .str();
    };
    const char *launchComment = " /* threads, shared bytes, query buffer, G, "
                                "rows per block, grid.y */";
    if (!steps.kernels.empty()) {
      for (const GpuModuleCode &module : artifact.gpuModules) {
        os << "static const attnGpuStep " << prefix << "_steps_" << module.chip
           << "[" << steps.kernels.size() << "] = {\n";
        for (const std::string &kernel : steps.kernels)
          os << "    {" << quote(kernel) << ", "
             << launchSizes(module.launches.at(kernel)) << "}," << launchComment
             << "\n";
        os << "};\n";
      }
      for (auto [n, t] : llvm::enumerate(steps.temporaries)) {
        os << "static const int64_t " << prefix << "_temporary_sizes_" << n
           << "[" << t.staticSizes.size() << "] = {";
        for (auto [d, size] : llvm::enumerate(t.staticSizes))
          os << (d ? ", " : "") << size;
        os << "};\n";
      }
    }
    std::string temporariesTable = "NULL";
    if (!steps.temporaries.empty()) {
      temporariesTable = prefix + "_temporaries";
      os << "static const attnTemporarySpec " << temporariesTable << "["
         << steps.temporaries.size() << "] = {\n";
      for (auto [n, t] : llvm::enumerate(steps.temporaries))
        os << "    {" << quote(t.name) << ", "
           << getElementTypeEnumerator(t.elementType) << ", "
           << t.staticSizes.size() << ", " << prefix << "_temporary_sizes_" << n
           << ", " << t.shapeArgument << "}, /* -1: that size of argument "
           << t.shapeArgument << " */\n";
      os << "};\n";
    }
    size_t images = (artifact.hasCpu ? 1 : 0) + artifact.gpuModules.size();
    os << "static const attnKernelImage " << prefix << "_images[" << images
       << "] = {\n";
    if (artifact.hasCpu)
      os << "    {kDLCPU, " << quote(artifact.targetSummary) << ", " << prefix
         << "_cpu, NULL, NULL, NULL, 0, {0, 0, 0, 0, 0, 0}, 0, NULL},\n";
    for (const GpuModuleCode &module : artifact.gpuModules) {
      os << "    {" << (module.amd ? "kDLROCM" : "kDLCUDA") << ", "
         << quote(module.chip) << ", NULL, "
         << (steps.kernels.empty() ? quote(s.function) : "NULL") << ", "
         << (module.amd ? "NULL" : "attn_ptx_" + module.chip) << ", "
         << (module.cubin.empty() ? "NULL" : binaryName(module)) << ", "
         << module.cubin.size() << ", ";
      if (steps.kernels.empty())
        os << launchSizes(module.launches.at(s.function)) << ", 0, NULL},"
           << launchComment << "\n";
      else
        os << "{0, 0, 0, 0, 0, 0}, " << steps.kernels.size() << ", " << prefix
           << "_steps_" << module.chip << "}, /* its steps' kernels */\n";
    }
    os << "};\n\n";

    os << "const attnKernelDescriptor " << entry << "_kernel = {\n"
       << "    " << ATTN_KERNEL_ABI_VERSION
       << ", /* ATTN_KERNEL_ABI_VERSION */\n"
       << "    " << quote(artifact.stem + "." + s.function) << ",\n"
       << "    " << quote(s.function) << ",\n"
       << "    " << quote(function.location) << ",\n"
       << "    " << s.numInputs << ",\n"
       << "    " << s.getNumOutputs() << ",\n"
       << "    " << argumentsTable << ",\n"
       << "    " << s.symbols.size() << ",\n"
       << "    " << symbolsTable << ",\n"
       << "    " << s.constraints.size() << ",\n"
       << "    " << constraintsTable << ",\n"
       << "    " << images << ",\n"
       << "    " << prefix << "_images,\n"
       << "    " << steps.temporaries.size() << ",\n"
       << "    " << temporariesTable << ",\n};\n\n";

    // The typed entry point.
    os << "attnStatus " << entry << "(" << parameterList(s) << ") {\n";
    if (count) {
      os << "  const DLTensor *attn_arguments[" << count << "];\n";
      for (auto [n, a] : llvm::enumerate(s.arguments))
        os << "  attn_arguments[" << n << "] = " << a.name << ";\n";
    }
    os << "  const attnKernel *attn_kernel;\n"
       << "  attnStatus attn_status = attnRegisterKernel(&" << entry
       << "_kernel, &attn_kernel);\n"
       << "  if (attn_status != ATTN_SUCCESS)\n"
       << "    return attn_status;\n"
       << "  return attnLaunch(attn_kernel, "
       << (count ? "attn_arguments" : "NULL") << ", " << count << ");\n}\n";
  }
  return text;
}
