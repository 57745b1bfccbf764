//===- ArtifactWriter.h - The C side of a compiled spec -------*- C++ -*-===//
//
// attn-compile's artifact for a spec `S.mlir` is the object `S.o` with the
// CPU kernels, and two C files: `S.h`, one typed entry point per spec
// function taking DLPack tensors, and `S.c`, which holds each kernel's
// descriptor (the signature as static tables; the CPU entry that unpacks
// memref descriptors into the `_mlir_ciface_` call; for GPU targets the
// PTX and cubin or the HSACO embedded, with the launch sizes) and the entry
// points
// themselves, which hand the descriptor and the tensors to attnrt.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNCOMPILE_ARTIFACTWRITER_H
#define ATTN_TOOLS_ATTNCOMPILE_ARTIFACTWRITER_H

#include "GpuEmitter.h"
#include "KernelSignature.h"

#include <string>
#include <vector>

namespace mlir::attn {

struct ArtifactFunction {
  KernelSignature signature;
  /// Where the spec defines it, "gemma2.mlir:7".
  std::string location;
  /// Its GPU kernels where it has several (empty for the CPU alone).
  KernelSteps steps;
};

struct Artifact {
  /// The file stem, "gemma2": names the files and prefixes kernel names.
  std::string stem;
  /// The spec file, as given on the command line.
  std::string source;
  /// Whether the artifact has CPU code (the object), and what the object
  /// was compiled for.
  bool hasCpu = true;
  std::string targetTriple, targetSummary;
  /// The NVIDIA and AMD modules (one per chip), embedded in the glue.
  std::vector<GpuModuleCode> gpuModules;
  std::vector<ArtifactFunction> functions;
};

/// The text of `<stem>.h`.
std::string writeArtifactHeader(const Artifact &artifact);

/// The text of `<stem>.c`.
std::string writeArtifactGlue(const Artifact &artifact);

} // namespace mlir::attn

#endif // ATTN_TOOLS_ATTNCOMPILE_ARTIFACTWRITER_H
