//===- GpuLaunch.cpp - A GPU launch's parameters and grid -----------------===//
//
// What every GPU backend passes to its driver's launch call, computed once
// for all of them: each tensor argument's memref descriptor flattened into
// 64-bit kernel parameters, scalars by value (read from the device, where
// the tensor holding them lives), the grid of the kernel mapping -
// (ceil(Sq G / rowsPerBlock), key/value heads, B) - and the outputs the
// kernel expects cleared (block statistics).
//
//===----------------------------------------------------------------------===//

#include "ElementTypes.h"
#include "RuntimeInternal.h"

#include <string>

using namespace attn::runtime;

int32_t attn::runtime::bufferRank(const attnKernelDescriptor &descriptor,
                                  size_t n) {
  size_t numArguments = size_t(descriptor.numInputs + descriptor.numOutputs);
  return n < numArguments ? descriptor.arguments[n].rank
                          : descriptor.temporaries[n - numArguments].rank;
}

const char *attn::runtime::bufferName(const attnKernelDescriptor &descriptor,
                                      size_t n) {
  size_t numArguments = size_t(descriptor.numInputs + descriptor.numOutputs);
  return n < numArguments ? descriptor.arguments[n].name
                          : descriptor.temporaries[n - numArguments].name;
}

attnStatus attn::runtime::planGpuLaunch(
    const attnKernelDescriptor &descriptor, const attnGpuLaunch &launch,
    const CheckedArguments &arguments, const std::string &where,
    const char *api,
    const std::function<attnStatus(void *, const void *, uint64_t,
                                   const std::string &)> &readScalar,
    GpuLaunchPlan &plan) {
  std::vector<size_t> offsets;
  plan.memrefs = buildMemrefDescriptors(descriptor, arguments, offsets);
  size_t count = arguments.data.size();
  plan.scalars.assign(count, 0);
  plan.parameters.clear();
  size_t numArguments = size_t(descriptor.numInputs + descriptor.numOutputs);
  for (size_t n = 0; n < count; ++n) {
    if (bufferRank(descriptor, n) == 0) {
      const attnArgumentSpec &spec = descriptor.arguments[n];
      if (attnStatus status =
              readScalar(&plan.scalars[n], arguments.data[n],
                         elementBytes(spec.elementType),
                         where + ": reading scalar '" + spec.name + "'"))
        return status;
      plan.parameters.push_back(&plan.scalars[n]);
      continue;
    }
    size_t words = 3 + 2 * arguments.sizes[n].size();
    for (size_t w = 0; w < words; ++w)
      plan.parameters.push_back(&plan.memrefs[offsets[n] + w]);
    if (n >= numArguments || !arguments.clearBlockStatistics)
      continue; // Temporaries are never block statistics.
    const attnArgumentSpec &spec = descriptor.arguments[n];
    if (spec.isOutput && spec.role && std::string(spec.role) == "block_max") {
      uint64_t bytes = elementBytes(spec.elementType);
      for (int64_t size : arguments.sizes[n])
        bytes *= uint64_t(size);
      if (bytes)
        plan.zeroFirst.emplace_back(arguments.data[n], bytes);
    }
  }
  const std::vector<int64_t> &query = arguments.sizes[launch.queryArgument];
  int64_t batch = query[0], rows = query[2] * launch.group;
  int64_t blocksX = (rows + launch.rowsPerBlock - 1) / launch.rowsPerBlock;
  plan.empty = batch == 0 || blocksX == 0 || launch.gridY == 0;
  if (plan.empty)
    return ATTN_SUCCESS;
  if (blocksX > 0x7fffffff || batch > 65535)
    return fail(ATTN_ERROR_SHAPE,
                where + ": the grid (" + std::to_string(blocksX) + ", " +
                    std::to_string(launch.gridY) + ", " +
                    std::to_string(batch) + ") exceeds " + api +
                    "'s limits (2^31 - 1, 65535, 65535)");
  plan.grid[0] = unsigned(blocksX);
  plan.grid[1] = unsigned(launch.gridY);
  plan.grid[2] = unsigned(batch);
  return ATTN_SUCCESS;
}
