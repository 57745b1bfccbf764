//===- GpuEmitter.cpp - A spec's NVIDIA kernels as PTX and cubin ----------===//

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
  module.walk([&](gpu::GPUFuncOp func) {
    auto launch = func->getAttrOfType<DictionaryAttr>("attn.launch");
    if (!launch)
      return;
    auto get = [&](StringRef name) {
      auto value = launch.getAs<IntegerAttr>(name);
      return value ? value.getInt() : int64_t(0);
    };
    code.launches[func.getName().str()] = {get("threads"), get("shared_bytes"),
                                           get("group"), get("query_tile"),
                                           get("kv_heads")};
  });

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
