//===- GpuEmitter.cpp - A spec's GPU kernels: PTX, cubin, HSACO ----------===//

#include "GpuEmitter.h"

#include "attn/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::attn;

static LogicalResult writeBytes(Operation *anchor, StringRef path,
                                StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return anchor->emitError()
           << "cannot write " << path << ": " << ec.message();
  out << bytes;
  return success();
}

/// The launch sizes of each kernel (its `attn.launch`).
static void collectLaunches(ModuleOp module, GpuModuleCode &code) {
  module.walk([&](gpu::GPUFuncOp func) {
    auto launch = func->getAttrOfType<DictionaryAttr>("attn.launch");
    if (!launch)
      return;
    auto get = [&](StringRef name) {
      auto value = launch.getAs<IntegerAttr>(name);
      return value ? value.getInt() : int64_t(0);
    };
    code.launches[func.getName().str()] = {
        get("threads"),    get("shared_bytes"), get("group"),
        get("query_tile"), get("kv_heads"),     get("query_argument")};
  });
}

FailureOr<GpuModuleCode> mlir::attn::emitNvidiaModule(ModuleOp module,
                                                      StringRef chip,
                                                      StringRef ptxPath,
                                                      StringRef cubinPath) {
  GpuModuleCode code;
  code.chip = chip.str();
  NvidiaPipelineOptions options;
  options.chip = chip.str();
  std::string toolkit = findCudaToolkit();
  options.toolkit = toolkit;

  // The kernels, whose launch attributes the runtime needs.
  PassManager kernels(module.getContext());
  buildNvidiaKernelPipeline(kernels, options);
  if (failed(kernels.run(module)))
    return failure();
  collectLaunches(module, code);

  // PTX through NVVM. libdevice (math functions) comes from the toolkit.
  PassManager codegen(module.getContext());
  buildNvidiaCodegenPipeline(codegen, options);
  if (failed(codegen.run(module)))
    return failure();
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute attribute : binary.getObjects())
      if (auto object = llvm::dyn_cast<gpu::ObjectAttr>(attribute))
        code.ptx = object.getObject().getValue().str();
  });
  if (code.ptx.empty())
    return module.emitError("the NVIDIA pipeline produced no PTX");
  if (std::string why = findUnlinkedLibdevice(code.ptx); !why.empty())
    return module.emitError(why);
  if (failed(writeBytes(module, ptxPath, code.ptx)))
    return failure();

  // A cubin where the toolkit has ptxas (-v: registers and spills).
  SmallString<128> ptxas(toolkit);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  if (toolkit.empty() || !llvm::sys::fs::can_execute(ptxas))
    return code;
  SmallString<128> report;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("attn-ptxas", "txt", report))
    return module.emitError()
           << "cannot create a temporary file: " << ec.message();
  std::string arch = "-arch=" + code.chip;
  SmallVector<StringRef> args = {ptxas, arch,      "-v",   "-O3",
                                 "-o",  cubinPath, ptxPath};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(report),
                                          StringRef(report)};
  std::string error;
  int rc =
      llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects,
                                /*SecondsToWait=*/0, /*MemoryLimit=*/0, &error);
  if (auto text = llvm::MemoryBuffer::getFile(report))
    code.ptxasReport = (*text)->getBuffer().str();
  llvm::sys::fs::remove(report);
  if (rc != 0)
    return module.emitError() << ptxas << " " << arch << " failed"
                              << (error.empty() ? "" : ": " + error) << ":\n"
                              << code.ptxasReport;
  auto cubin = llvm::MemoryBuffer::getFile(cubinPath, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!cubin)
    return module.emitError() << "ptxas wrote no " << cubinPath;
  code.cubin = (*cubin)->getBuffer().str();
  return code;
}

/// The object of the first gpu.binary in `module`.
static std::string binaryObject(ModuleOp module) {
  std::string bytes;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute attribute : binary.getObjects())
      if (auto object = llvm::dyn_cast<gpu::ObjectAttr>(attribute))
        if (bytes.empty())
          bytes = object.getObject().getValue().str();
  });
  return bytes;
}

/// The kernels' resources from the `amdhsa.kernels` metadata of AMDGPU
/// assembly: one `- .key: value` entry per kernel, whose keys are indented
/// like its first (deeper lines are its arguments').
static std::vector<AmdKernelResources> parseAmdResources(StringRef assembly) {
  std::vector<AmdKernelResources> kernels;
  size_t start = assembly.find("amdhsa.kernels:");
  if (start == StringRef::npos)
    return kernels;
  SmallVector<StringRef> lines;
  assembly.substr(start)
      .drop_front(strlen("amdhsa.kernels:"))
      .split(lines, '\n');
  size_t entryIndent = StringRef::npos;
  for (StringRef line : lines) {
    StringRef text = line.ltrim();
    size_t indent = line.size() - text.size();
    if (text.empty())
      continue;
    if (!text.starts_with("- ") && !text.starts_with(".")) // End of the list.
      break;
    if (text.starts_with("- ")) {
      if (entryIndent == StringRef::npos)
        entryIndent = indent;
      if (indent != entryIndent)
        continue;
      kernels.emplace_back();
      text = text.drop_front(2);
      indent += 2;
    }
    if (kernels.empty() || indent != entryIndent + 2)
      continue;
    auto [key, value] = text.split(':');
    value = value.trim();
    AmdKernelResources &kernel = kernels.back();
    int64_t number = 0;
    bool isNumber = !value.getAsInteger(10, number);
    if (key == ".name")
      kernel.name = value.str();
    else if (!isNumber)
      continue;
    else if (key == ".vgpr_count")
      kernel.vgprs = number;
    else if (key == ".agpr_count")
      kernel.agprs = number;
    else if (key == ".sgpr_count")
      kernel.sgprs = number;
    else if (key == ".private_segment_fixed_size")
      kernel.scratchBytes = number;
    else if (key == ".vgpr_spill_count")
      kernel.vgprSpills = number;
    else if (key == ".sgpr_spill_count")
      kernel.sgprSpills = number;
    else if (key == ".group_segment_fixed_size")
      kernel.ldsBytes = number;
  }
  return kernels;
}

FailureOr<GpuModuleCode> mlir::attn::emitAmdModule(ModuleOp module,
                                                   StringRef chip,
                                                   StringRef assemblyPath,
                                                   StringRef hsacoPath) {
  GpuModuleCode code;
  code.chip = chip.str();
  code.amd = true;
  AmdPipelineOptions options;
  options.chip = chip.str();
  options.toolkit = findRocmToolkit();
  if (options.toolkit.empty())
    return module.emitError(
        "no ROCm toolkit folder for the HSACO: it needs the device libraries "
        "(amdgcn/bitcode, Debian's rocm-device-libs) and llvm/bin/ld.lld; set "
        "ROCM_PATH to such a folder (the build makes one as "
        "build/rocm-toolkit)");
  PassManager kernels(module.getContext());
  buildAmdKernelPipeline(kernels, options);
  if (failed(kernels.run(module)))
    return failure();
  collectLaunches(module, code);
  // Assembly (with the metadata) and the HSACO from the same kernels.
  OwningOpRef<ModuleOp> forAssembly(module.clone());
  for (auto [target, format, into] :
       {std::tuple{*forAssembly, "isa", &code.assembly},
        std::tuple{module, "bin", &code.cubin}}) {
    options.format = format;
    PassManager codegen(module.getContext());
    buildAmdCodegenPipeline(codegen, options);
    if (failed(codegen.run(target)))
      return failure();
    *into = binaryObject(target);
    if (into->empty())
      return module.emitError("the AMD pipeline produced no ")
             << (into == &code.cubin ? "HSACO" : "assembly");
  }
  code.amdKernels = parseAmdResources(code.assembly);
  if (failed(writeBytes(module, assemblyPath, code.assembly)) ||
      failed(writeBytes(module, hsacoPath, code.cubin)))
    return failure();
  return code;
}

int64_t mlir::attn::countSpillBytes(StringRef report) {
  // "0 bytes stack frame, 8 bytes spill stores, 8 bytes spill loads"
  int64_t total = 0;
  SmallVector<StringRef> lines;
  report.split(lines, '\n');
  for (StringRef line : lines)
    for (StringRef kind : {" bytes spill stores", " bytes spill loads"}) {
      size_t at = line.find(kind);
      if (at == StringRef::npos)
        continue;
      StringRef before = line.take_front(at).rtrim();
      StringRef number = before.substr(before.find_last_of(" ,") + 1);
      int64_t value = 0;
      if (!number.getAsInteger(10, value))
        total += value;
    }
  return total;
}
