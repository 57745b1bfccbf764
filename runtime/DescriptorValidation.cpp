//===- DescriptorValidation.cpp - Kernel descriptors checked once ---------===//
//
// A descriptor comes from generated code or from an application's own
// tables; before the registry takes it, every count, index and pointer in it
// is checked, so the argument checks can index its tables without looking
// again, and a descriptor of another ABI version is refused with a message.
//
//===----------------------------------------------------------------------===//

#include "ElementTypes.h"
#include "RuntimeInternal.h"

using namespace attn::runtime;

namespace {

/// "descriptor 'name': " for validation messages.
std::string badDescriptor(const attnKernelDescriptor &descriptor) {
  return std::string("attnRegisterKernel: descriptor '") +
         (descriptor.name ? descriptor.name : "(null)") + "': ";
}

} // namespace

attnStatus
attn::runtime::validateDescriptor(const attnKernelDescriptor *descriptor) {
  if (!descriptor)
    return fail(ATTN_ERROR_NULL_POINTER,
                "attnRegisterKernel: the descriptor is null");
  const attnKernelDescriptor &d = *descriptor;
  auto bad = [&](const std::string &what) {
    return fail(ATTN_ERROR_BAD_DESCRIPTOR, badDescriptor(d) + what);
  };
  if (d.abiVersion != ATTN_KERNEL_ABI_VERSION)
    return bad("written for kernel ABI version " +
               std::to_string(d.abiVersion) + ", this attnrt reads version " +
               std::to_string(ATTN_KERNEL_ABI_VERSION) +
               "; recompile the spec with a matching attn-compile");
  if (!d.name || !d.function || !d.source)
    return bad("the name, function and source must not be null");
  if (d.numInputs < 0 || d.numOutputs < 0 || d.numSymbols < 0 ||
      d.numConstraints < 0 || d.numImages < 0)
    return bad("a negative count");
  int32_t numArguments = d.numInputs + d.numOutputs;
  if ((numArguments && !d.arguments) || (d.numSymbols && !d.symbols) ||
      (d.numConstraints && !d.constraints) || (d.numImages && !d.images))
    return bad("a null table with a non-zero count");
  for (int32_t n = 0; n < numArguments; ++n) {
    const attnArgumentSpec &a = d.arguments[n];
    std::string which = "argument " + std::to_string(n) + ": ";
    if (!a.name || !a.role)
      return bad(which + "a null name or role");
    if (!isValidElementType(a.elementType))
      return bad(which + "unknown element type " +
                 std::to_string(a.elementType));
    if (a.rank < 0 || (a.rank > 0 && !a.staticSizes))
      return bad(which + "a negative rank or null static sizes");
    for (int32_t k = 0; k < a.rank; ++k)
      if (a.staticSizes[k] < -1)
        return bad(which + "a static size below -1");
    if (a.alignment < 1 || (a.alignment & (a.alignment - 1)))
      return bad(which + "the alignment is not a power of two");
    if ((n >= d.numInputs) != (a.isOutput != 0))
      return bad(which + "isOutput disagrees with numInputs");
  }
  for (int32_t n = 0; n < d.numSymbols; ++n) {
    const attnSymbol &symbol = d.symbols[n];
    std::string which = "symbol " + std::to_string(n) + ": ";
    if (!symbol.name || symbol.staticValue < -1)
      return bad(which + "a null name or a static value below -1");
    if (symbol.factors[0] == -1 && symbol.factors[1] == -1)
      continue;
    for (int32_t factor : symbol.factors)
      if (factor < 0 || factor >= d.numSymbols ||
          d.symbols[factor].factors[0] != -1 ||
          d.symbols[factor].factors[1] != -1)
        return bad(which + "a factor that is no symbol of its own");
  }
  for (int32_t n = 0; n < d.numConstraints; ++n) {
    const attnConstraint &c = d.constraints[n];
    std::string which = "constraint " + std::to_string(n) + ": ";
    if (c.symbol < 0 || c.symbol >= d.numSymbols)
      return bad(which + "symbol out of range");
    // The kind comes from outside; it may be no enumerator at all.
    switch (static_cast<int32_t>(c.kind)) {
    case ATTN_CONSTRAINT_DIM_EQUALS:
    case ATTN_CONSTRAINT_DIM_BROADCASTS:
    case ATTN_CONSTRAINT_DIM_COVERS:
      if (c.argument < 0 || c.argument >= numArguments || c.dim < 0 ||
          c.dim >= d.arguments[c.argument].rank)
        return bad(which + "argument or dimension out of range");
      if (c.kind == ATTN_CONSTRAINT_DIM_COVERS && c.value < 1)
        return bad(which + "a divisor below 1");
      break;
    case ATTN_CONSTRAINT_VALUES_AT_MOST:
    case ATTN_CONSTRAINT_VALUES_BELOW:
      if (c.argument < 0 || c.argument >= d.numInputs ||
          !isIntegerElement(d.arguments[c.argument].elementType))
        return bad(which + "not an integer input");
      break;
    case ATTN_CONSTRAINT_SYMBOL_MULTIPLE:
      if (c.value < 0 || c.value >= d.numSymbols)
        return bad(which + "second symbol out of range");
      break;
    default:
      return bad(which + "unknown kind " + std::to_string(c.kind));
    }
  }
  if (d.numTemporaries < 0 || (d.numTemporaries && !d.temporaries))
    return bad("a negative count or a null table of temporaries");
  for (int32_t n = 0; n < d.numTemporaries; ++n) {
    const attnTemporarySpec &t = d.temporaries[n];
    std::string which = "temporary " + std::to_string(n) + ": ";
    if (!t.name)
      return bad(which + "a null name");
    if (!isValidElementType(t.elementType))
      return bad(which + "unknown element type " +
                 std::to_string(t.elementType));
    if (t.rank < 1 || !t.staticSizes)
      return bad(which + "a rank below 1 or null static sizes");
    if (t.shapeArgument < 0 || t.shapeArgument >= numArguments)
      return bad(which + "the shape argument is out of range");
    for (int32_t k = 0; k < t.rank; ++k)
      if (t.staticSizes[k] < -1 ||
          (t.staticSizes[k] == -1 && k >= d.arguments[t.shapeArgument].rank))
        return bad(which + "size " + std::to_string(k) +
                   " is below -1 or its shape argument has no such "
                   "dimension");
  }
  // A GPU launch: its sizes, and a query buffer of rank >= 3 that is an
  // input (a step's may be any buffer: the merge of parts from earlier
  // steps takes its grid from a temporary).
  int32_t numBuffers = numArguments + d.numTemporaries;
  auto badLaunch = [&](const attnGpuLaunch &launch, bool step) {
    if (launch.threadsPerBlock <= 0 || launch.sharedBytes < 0 ||
        launch.group <= 0 || launch.rowsPerBlock <= 0 || launch.gridY < 0)
      return std::string("launch sizes out of range");
    int32_t query = launch.queryArgument;
    if (query < 0 || query >= (step ? numBuffers : d.numInputs) ||
        bufferRank(d, size_t(query)) < 3)
      return std::string(step ? "the launch's query buffer is out of range "
                                "or of rank < 3"
                              : "the launch's query argument is not an "
                                "input of rank >= 3");
    return std::string();
  };
  for (int32_t n = 0; n < d.numImages; ++n) {
    const attnKernelImage &image = d.images[n];
    std::string which = "image " + std::to_string(n) + ": ";
    if (image.deviceType == kDLCPU && !image.cpuEntry)
      return bad(which + "a CPU image without entry");
    if (image.numSteps < 0 || (image.numSteps && !image.steps))
      return bad(which + "a negative count or a null table of steps");
    bool gpu = image.deviceType == kDLCUDA || image.deviceType == kDLROCM;
    if (image.numSteps && !gpu)
      return bad(which + "steps in an image that is not a GPU's");
    if (!gpu)
      continue;
    bool named = image.numSteps || image.entryName;
    if (image.deviceType == kDLCUDA && (!named || (!image.ptx && !image.cubin)))
      return bad(which + "a CUDA image without kernel name or code");
    if (image.deviceType == kDLROCM && (!named || !image.cubin))
      return bad(which + "a ROCm image without kernel name or HSACO");
    if (image.cubin && !image.cubinSize)
      return bad(which + "a device binary of size 0");
    if (!image.numSteps) {
      if (std::string why = badLaunch(image.launch, false); !why.empty())
        return bad(which + why);
      continue;
    }
    for (int32_t k = 0; k < image.numSteps; ++k) {
      const attnGpuStep &step = image.steps[k];
      std::string where = which + "step " + std::to_string(k) + ": ";
      if (!step.entryName)
        return bad(where + "a null kernel name");
      if (std::string why = badLaunch(step.launch, true); !why.empty())
        return bad(where + why);
    }
  }
  return ATTN_SUCCESS;
}
