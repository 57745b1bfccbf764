//===- attn-compile.cpp - Compile a spec into an embeddable artifact ------===//
//
// attn-compile SPEC.mlir --target=cpu -o DIR [--func NAME,...] [--mcpu CPU]
//     [--mattr FEATURES] [--name STEM] [--emit-llvm]
//
// Lowers the spec's functions with the CPU pipeline and writes, for a spec
// `S.mlir`, `DIR/S.o` (the kernels, compiled for this CPU or --mcpu),
// `DIR/S.h` (one typed C entry point per function, taking DLPack tensors)
// and `DIR/S.c` (each kernel's signature as static tables for attnrt, and
// the entry points). An application compiles S.c and links S.o and attnrt.
//
//===----------------------------------------------------------------------===//

#include "../../passes/gpu/GpuTarget.h"
#include "ArtifactWriter.h"
#include "KernelSignature.h"
#include "ObjectEmitter.h"

#include "attn/Dialect/Attn.h"
#include "attn/Passes.h"
#include "attn/Support/Inputs.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <set>

using namespace mlir;
using namespace mlir::attn;

namespace cl = llvm::cl;

static cl::OptionCategory category("attn-compile options");
static cl::opt<std::string> specFile(cl::Positional, cl::desc("<spec.mlir>"),
                                     cl::Required, cl::cat(category));
static cl::list<std::string> targetNames(
    "target",
    cl::desc("What to compile for: cpu (this machine), sm_80, sm_90 (NVIDIA: "
             "PTX, and a cubin where the CUDA toolkit's ptxas is found), "
             "gfx90a, gfx942 (AMD: AMDGPU assembly and HSACO); "
             "several separated by commas"),
    cl::value_desc("target"), cl::CommaSeparated, cl::cat(category));
static cl::opt<std::string> outputDir("o", cl::desc("Output directory"),
                                      cl::value_desc("dir"), cl::Required,
                                      cl::cat(category));
static cl::list<std::string>
    functionNames("func",
                  cl::desc("Functions to compile (default: every function "
                           "with a body); repeat or separate with commas"),
                  cl::value_desc("name"), cl::CommaSeparated,
                  cl::cat(category));
static cl::opt<std::string>
    cpuName("mcpu",
            cl::desc("CPU to compile for, as LLVM names it (default: this "
                     "machine's CPU with its features)"),
            cl::value_desc("cpu"), cl::cat(category));
static cl::opt<std::string>
    cpuFeatures("mattr",
                cl::desc("Extra CPU features in LLVM's syntax: +avx2,-avx512f"),
                cl::value_desc("features"), cl::cat(category));
static cl::opt<std::string>
    stemOption("name",
               cl::desc("Stem of the output files and kernel names (default: "
                        "the spec's file name without .mlir)"),
               cl::value_desc("stem"), cl::cat(category));
static cl::opt<bool>
    emitLLVM("emit-llvm",
             cl::desc("Also write the optimised LLVM IR as DIR/<stem>.ll"),
             cl::cat(category));

static cl::opt<std::string> dtypeOption(
    "dtype",
    cl::desc("Compile the functions with query, key, value and outputs of "
             "this element type instead of the spec's: f32, f16 or bf16"),
    cl::value_desc("type"), cl::cat(category));
static cl::opt<int64_t> headDimOption(
    "head-dim",
    cl::desc("Compile the functions with this head dimension (D and Dv) "
             "instead of the spec's"),
    cl::value_desc("D"), cl::init(0), cl::cat(category));
static cl::opt<bool> ptxasVerbose(
    "ptxas-verbose",
    cl::desc("Print ptxas -v's report (registers, spills) for GPU targets"),
    cl::cat(category));

static cl::opt<bool> kernelsOnly(
    "kernels-only",
    cl::desc("Write the GPU kernels (PTX and cubin, HSACO and AMDGPU "
             "assembly) and their register reports, no artifact: to read "
             "them or check their resources"),
    cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "attn-compile") << message << "\n";
  return 1;
}

static bool isCIdentifier(StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// The SSA names the spec gives `func`'s arguments, without the `%`.
static std::vector<std::string>
sourceArgumentNames(func::FuncOp func, const AsmParserState &state) {
  std::vector<std::string> names(func.getNumArguments());
  if (func.isExternal())
    return names;
  const AsmParserState::BlockDefinition *block =
      state.getBlockDef(&func.getBody().front());
  if (!block)
    return names;
  for (auto [n, definition] : llvm::enumerate(block->arguments)) {
    if (n >= names.size() || !definition.loc.isValid())
      continue;
    const char *begin = definition.loc.Start.getPointer();
    const char *end = definition.loc.End.getPointer();
    StringRef text(begin, end - begin);
    names[n] = text.drop_front(text.starts_with("%") ? 1 : 0).str();
  }
  return names;
}

/// "gemma2.mlir:7" for `op`'s location.
static std::string describeLocation(Operation *op) {
  if (auto loc = llvm::dyn_cast<FileLineColLoc>(op->getLoc()))
    return (llvm::sys::path::filename(loc.getFilename().getValue()) + ":" +
            llvm::Twine(loc.getLine()))
        .str();
  return "";
}

static LogicalResult writeFile(StringRef path, StringRef text) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    fail("cannot write " + path + ": " + ec.message());
    return failure();
  }
  out.os() << text;
  out.keep();
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "attn-compile: compile an attn spec into an object file (CPU), PTX "
      "and cubins (NVIDIA) and a C header with one entry point per "
      "function\n");
  auto start = std::chrono::steady_clock::now();

  bool cpuTarget = targetNames.empty() && !kernelsOnly;
  std::vector<std::string> chips, amdChips;
  for (const std::string &target : targetNames) {
    if (target == "cpu" && kernelsOnly)
      return fail("--kernels-only takes GPU targets, not cpu");
    else if (target == "cpu")
      cpuTarget = true;
    else if (lookupNvidiaTarget(target))
      chips.push_back(target);
    else if (lookupAmdTarget(target))
      amdChips.push_back(target);
    else
      return fail("unknown --target '" + target +
                  "' (known: cpu, sm_80, sm_90, gfx90a, gfx942)");
  }
  std::string stem = stemOption;
  if (stem.empty()) {
    if (specFile == "-")
      return fail("reading the spec from stdin needs --name STEM");
    stem = llvm::sys::path::stem(specFile).str();
  }
  if (stem.empty() || !llvm::all_of(stem, [](char c) {
        return llvm::isAlnum(c) || c == '_' || c == '-' || c == '.';
      }))
    return fail("the output stem '" + stem +
                "' must be letters, digits, '_', '-' or '.'; choose one with "
                "--name");

  DialectRegistry registry;
  registry.insert<AttnDialect, func::FuncDialect, arith::ArithDialect,
                  math::MathDialect, tensor::TensorDialect>();
  registerAllToLLVMIRTranslations(registry);
  registerNvidiaBackend(registry);
  registerAmdBackend(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(specFile);
  if (!buffer)
    return fail("cannot read spec '" + specFile +
                "': " + buffer.getError().message());
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());

  // Parsed with the parser's state, which remembers the arguments' names.
  AsmParserState parserState;
  Block parsed;
  ParserConfig config(&context);
  if (failed(parseAsmSourceFile(sourceMgr, &parsed, config, &parserState)))
    return 1; // The parser said where.
  OwningOpRef<ModuleOp> module =
      mlir::detail::constructContainerOpForParserIfNecessary<ModuleOp>(
          &parsed, &context,
          FileLineColLoc::get(&context, specFile, /*line=*/0, /*column=*/0));
  if (!module || failed(verify(*module)))
    return 1;

  // The functions to compile.
  std::vector<func::FuncOp> functions;
  if (functionNames.empty()) {
    for (func::FuncOp func : module->getOps<func::FuncOp>())
      if (!func.isExternal())
        functions.push_back(func);
  } else {
    for (const std::string &name : functionNames) {
      auto func = module->lookupSymbol<func::FuncOp>(name);
      if (!func || func.isExternal()) {
        std::string names;
        for (func::FuncOp f : module->getOps<func::FuncOp>())
          if (!f.isExternal())
            names += " @" + f.getSymName().str();
        return fail("no function @" + name + " with a body in " + specFile +
                    " (it has:" + (names.empty() ? " none" : names) + ")");
      }
      if (!llvm::is_contained(functions, func))
        functions.push_back(func);
    }
  }
  if (functions.empty())
    return fail(specFile + " has no function to compile");

  // --dtype, --head-dim: variants of the spec's functions.
  if (!dtypeOption.empty() || headDimOption != 0) {
    Type to;
    if (!dtypeOption.empty()) {
      to = llvm::StringSwitch<Type>(dtypeOption)
               .Case("f32", Float32Type::get(&context))
               .Case("f16", Float16Type::get(&context))
               .Case("bf16", BFloat16Type::get(&context))
               .Default(Type());
      if (!to)
        return fail("--dtype must be f32, f16 or bf16, got '" + dtypeOption +
                    "'");
    }
    if (headDimOption < 0 || headDimOption > 1024)
      return fail("--head-dim must be between 1 and 1024, got " +
                  llvm::Twine(headDimOption));
    for (func::FuncOp func : functions) {
      if (to) {
        Type from = dataElementType(func);
        if (from && from != to)
          retypeFunction(func, from, to);
      }
      if (headDimOption > 0 && failed(setHeadDim(func, headDimOption)))
        return fail("--head-dim: @" + func.getSymName() +
                    " holds ops other than attn.attention and attn.merge "
                    "(linear attention), whose sizes --head-dim does not "
                    "change");
      if (failed(verify(func)))
        return fail("@" + func.getSymName() +
                    " does not verify with the --dtype/--head-dim given "
                    "(see above)");
    }
  }

  Artifact artifact;
  artifact.stem = stem;
  artifact.source = specFile;
  std::set<std::string> publicNames;
  for (func::FuncOp func : functions) {
    StringRef name = func.getSymName();
    if (!isCIdentifier(name))
      return fail("@" + name +
                  " is not a C identifier, which its entry point "
                  "attn_" +
                  name + " must be; rename it");
    for (std::string symbol :
         {"attn_" + name.str(), "attn_" + name.str() + "_kernel"})
      if (!publicNames.insert(symbol).second)
        return fail("two functions would define " + symbol +
                    "; rename one of them");
  }

  if (kernelsOnly && chips.empty() && amdChips.empty())
    return fail("--kernels-only needs a GPU --target (sm_80, sm_90, gfx90a, "
                "gfx942)");

  // Lower the chosen functions only: the others may use what the backend
  // lacks.
  OwningOpRef<ModuleOp> chosen(module->clone());
  for (func::FuncOp func :
       llvm::make_early_inc_range(chosen->getOps<func::FuncOp>()))
    if (!llvm::any_of(functions, [&](func::FuncOp f) {
          return f.getSymName() == func.getSymName();
        }))
      func.erase();
  OwningOpRef<ModuleOp> lowered(chosen->clone());
  if (cpuTarget) {
    PassManager pm(&context);
    buildCpuPipeline(pm, CpuPipelineOptions());
    if (failed(pm.run(*lowered)))
      return fail("the CPU backend cannot lower " + specFile +
                  (functionNames.empty()
                       ? "; choose the functions it can with --func"
                       : "") +
                  " (see above)");
  }

  // What the runtime checks each kernel's arguments against, from the spec
  // (the lowering said first what it cannot do).
  for (func::FuncOp func :
       kernelsOnly ? ArrayRef<func::FuncOp>() : ArrayRef(functions)) {
    FailureOr<KernelSignature> signature =
        deriveKernelSignature(func, sourceArgumentNames(func, parserState));
    if (failed(signature))
      return 1;
    KernelSteps steps;
    if (!chips.empty() || !amdChips.empty()) {
      FailureOr<KernelSteps> gpuSteps = deriveKernelSteps(func);
      if (failed(gpuSteps))
        return 1;
      steps = std::move(*gpuSteps);
    }
    artifact.functions.push_back(
        {std::move(*signature), describeLocation(func), std::move(steps)});
  }

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create " + outputDir + ": " + ec.message());
  if (!llvm::sys::fs::is_directory(outputDir))
    return fail("cannot create " + outputDir +
                ": it exists and is not a directory");
  auto path = [&](StringRef extension) {
    SmallString<128> file(outputDir);
    llvm::sys::path::append(file, stem + extension);
    return std::string(file);
  };
  artifact.hasCpu = cpuTarget;
  std::string summary;
  if (cpuTarget) {
    CpuObjectOptions objectOptions;
    objectOptions.cpu = cpuName;
    objectOptions.features = cpuFeatures;
    if (emitLLVM)
      objectOptions.llvmIRPath = path(".ll");
    FailureOr<CpuTargetDescription> target =
        emitCpuObject(*lowered, path(".o"), objectOptions);
    if (failed(target))
      return 1;
    artifact.targetTriple = target->triple;
    artifact.targetSummary = target->summary;
    summary = target->summary;
  }
  std::string ptxasLines;
  for (const std::string &chip : chips) {
    OwningOpRef<ModuleOp> gpuModule(chosen->clone());
    FailureOr<GpuModuleCode> code =
        emitNvidiaModule(*gpuModule, chip, path("." + chip + ".ptx"),
                         path("." + chip + ".cubin"));
    if (failed(code))
      return fail(
          "the NVIDIA backend cannot lower " + specFile + " for " + chip +
          (functionNames.empty() ? "; choose the functions it can with --func"
                                 : "") +
          " (see above)");
    summary +=
        (summary.empty() ? "" : ", ") + chip +
        (code->cubin.empty() ? " (PTX; no ptxas found)" : " (PTX and cubin)");
    if (!code->ptxasReport.empty())
      ptxasLines += "ptxas " + chip + ": " +
                    std::to_string(countSpillBytes(code->ptxasReport)) +
                    " bytes of spill stores and loads\n";
    if (ptxasVerbose)
      llvm::outs() << code->ptxasReport;
    artifact.gpuModules.push_back(std::move(*code));
  }
  // AMD: the HSACO (embedded) and its assembly (for reading).
  std::string amdLines;
  for (const std::string &chip : amdChips) {
    OwningOpRef<ModuleOp> gpuModule(chosen->clone());
    FailureOr<GpuModuleCode> code = emitAmdModule(
        *gpuModule, chip, path("." + chip + ".s"), path("." + chip + ".hsaco"));
    if (failed(code))
      return fail("the AMD backend cannot lower " + specFile + " for " + chip +
                  (functionNames.empty()
                       ? "; choose the functions it can with --func"
                       : "") +
                  " (see above)");
    summary += (summary.empty() ? "" : ", ") + chip + " (HSACO)";
    int64_t vgprs = 0, scratch = 0, vgprSpills = 0, sgprSpills = 0;
    for (const AmdKernelResources &kernel : code->amdKernels) {
      vgprs = std::max(vgprs, kernel.vgprs);
      scratch += kernel.scratchBytes;
      vgprSpills += kernel.vgprSpills;
      sgprSpills += kernel.sgprSpills;
    }
    // SGPRs spill into VGPR lanes, not memory, unless scratch shows it.
    amdLines += llvm::formatv(
        "amdgpu {0}: {1} kernel{2}, at most {3} VGPRs of {4}, {5} bytes of "
        "scratch, {6} VGPR spills, {7} SGPRs spilled to VGPR lanes\n",
        chip, code->amdKernels.size(), code->amdKernels.size() == 1 ? "" : "s",
        vgprs, lookupAmdTarget(chip)->maxRegisters, scratch, vgprSpills,
        sgprSpills);
    artifact.gpuModules.push_back(std::move(*code));
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (kernelsOnly) {
    llvm::outs() << llvm::formatv(
        "attn-compile: {0} -> {1}.* (the kernels of {2} function{3} for {4}, "
        "no artifact) in {5:F2} s\n",
        std::string(specFile), path(""), functions.size(),
        functions.size() == 1 ? "" : "s", summary, seconds);
    llvm::outs() << ptxasLines << amdLines;
    return 0;
  }
  if (failed(writeFile(path(".h"), writeArtifactHeader(artifact))) ||
      failed(writeFile(path(".c"), writeArtifactGlue(artifact))))
    return 1;

  llvm::outs() << llvm::formatv(
      "attn-compile: {0} -> {1}.{{h,c{2}} ({3} kernel{4} for {5}) in {6:F2} "
      "s\n",
      std::string(specFile), path(""), cpuTarget ? ",o" : "",
      artifact.functions.size(), artifact.functions.size() == 1 ? "" : "s",
      summary, seconds);
  llvm::outs() << ptxasLines << amdLines;
  return 0;
}
