//===- ArtifactWriter.h - The C side of a compiled spec -------*- C++ -*-===//
//
// attn-compile's artifact for a spec `S.mlir` is the object `S.o` with the
// kernels, and two C files: `S.h`, one typed entry point per spec function
// taking DLPack tensors, and `S.c`, which holds each kernel's descriptor (the
// signature as static tables, and the CPU entry that unpacks memref
// descriptors into the `_mlir_ciface_` call) and the entry points
// themselves, which hand the descriptor and the tensors to attnrt.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNCOMPILE_ARTIFACTWRITER_H
#define ATTN_TOOLS_ATTNCOMPILE_ARTIFACTWRITER_H

#include "KernelSignature.h"

#include <string>
#include <vector>

namespace mlir::attn {

struct ArtifactFunction {
  KernelSignature signature;
  /// Where the spec defines it, "gemma2.mlir:7".
  std::string location;
};

struct Artifact {
  /// The file stem, "gemma2": names the files and prefixes kernel names.
  std::string stem;
  /// The spec file, as given on the command line.
  std::string source;
  /// What the object was compiled for.
  std::string targetTriple, targetSummary;
  std::vector<ArtifactFunction> functions;
};

/// The text of `<stem>.h`.
std::string writeArtifactHeader(const Artifact &artifact);

/// The text of `<stem>.c`.
std::string writeArtifactGlue(const Artifact &artifact);

} // namespace mlir::attn

#endif // ATTN_TOOLS_ATTNCOMPILE_ARTIFACTWRITER_H
