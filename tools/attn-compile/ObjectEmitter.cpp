//===- ObjectEmitter.cpp - LLVM dialect to a host object file -------------===//
//
// The same steps the JIT takes (translate, optimise at O3 for the target
// machine), ending in an object file instead of memory. The target machine
// is the host's CPU with its features unless a CPU is named, so the code
// uses what the machine that compiles it has (AVX2, AVX-512...); naming a
// CPU compiles for a fleet instead.
//
//===----------------------------------------------------------------------===//

#include "ObjectEmitter.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::attn;

/// The host's enabled features in -mattr syntax, and the vector features
/// worth reporting.
static std::pair<std::string, std::string> hostFeatures() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> enabled;
  for (const auto &feature : features)
    if (feature.getValue())
      enabled.push_back(feature.getKey().str());
  llvm::sort(enabled);
  std::string all, notable;
  for (const std::string &feature : enabled)
    all += (all.empty() ? "+" : ",+") + feature;
  for (const char *feature : {"avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                              "avx512bf16", "avx512fp16"})
    if (features.lookup(feature))
      notable += std::string(notable.empty() ? "" : " ") + feature;
  return {all, notable};
}

/// Keeps the C entry points visible and everything else private to the
/// object: the memref-expanded function behind `_mlir_ciface_f` is named
/// `f`, which could clash with anything in the application.
static void internalizeAllButEntryPoints(llvm::Module &module) {
  for (llvm::Function &function : module.functions())
    if (!function.isDeclaration() &&
        !function.getName().starts_with("_mlir_ciface_") &&
        function.hasExternalLinkage())
      function.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &global : module.globals())
    if (!global.isDeclaration() && global.hasExternalLinkage())
      global.setLinkage(llvm::GlobalValue::InternalLinkage);
}

FailureOr<CpuTargetDescription>
mlir::attn::emitCpuObject(ModuleOp module, StringRef path,
                          const CpuObjectOptions &options) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  CpuTargetDescription description;
  llvm::Triple triple(llvm::sys::getProcessTriple());
  description.triple = triple.str();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError()
           << "no LLVM target for " << triple.str() << ": " << error;
  std::string notable;
  if (options.cpu.empty()) {
    description.cpu = llvm::sys::getHostCPUName().str();
    std::tie(description.features, notable) = hostFeatures();
  } else {
    description.cpu = options.cpu;
    std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
        target->createMCSubtargetInfo(triple, options.cpu, ""));
    if (!subtarget || !subtarget->isCPUStringValid(options.cpu))
      return module.emitError()
             << "--mcpu=" << options.cpu << " is not a CPU LLVM knows for "
             << triple.str() << " (try `llc -march=x86-64 -mcpu=help`)";
  }
  if (!options.features.empty())
    description.features +=
        (description.features.empty() ? "" : ",") + options.features;
  description.summary =
      description.cpu +
      (notable.empty() ? std::string() : " (" + notable + ")") +
      (options.features.empty() ? std::string() : " " + options.features);

  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, description.cpu, description.features, targetOptions,
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return module.emitError() << "cannot create a target machine for "
                              << triple.str() << " " << description.cpu;

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "attn-kernels");
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  internalizeAllButEntryPoints(*llvmModule);
  auto optimize = makeOptimizingTransformer(3, 0, machine.get());
  if (llvm::Error failure = optimize(llvmModule.get()))
    return module.emitError() << "LLVM optimisation failed: "
                              << llvm::toString(std::move(failure));

  if (!options.llvmIRPath.empty()) {
    std::error_code ec;
    llvm::ToolOutputFile out(options.llvmIRPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return module.emitError()
             << "cannot write " << options.llvmIRPath << ": " << ec.message();
    llvmModule->print(out.os(), nullptr);
    out.keep();
  }

  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return module.emitError()
           << "cannot write " << path << ": " << ec.message();
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, out.os(), nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return module.emitError()
           << "LLVM cannot emit an object file for " << triple.str();
  passes.run(*llvmModule);
  out.keep();
  return description;
}
