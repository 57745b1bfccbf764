//===- RuntimeDescriptorTests.cpp - attnrt on hand-written descriptors ----===//
//
// The runtime's half of the kernel ABI, without the compiler: descriptors
// written here, with a CPU entry that records what it receives. Checks the
// memref descriptors and scalars a kernel gets, constraints the example
// specs cannot produce (dynamic head counts, so the GQA ratio is checked at
// run time), descriptor validation and the registry's rules.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtils.h"

#include "gtest/gtest.h"

#include <string>

using namespace attn::testing;

namespace {

/// What the recording entry saw on its last call.
struct Recorded {
  int calls = 0;
  std::vector<int64_t> query, output; // The two memref descriptors.
  float scale = 0;
} recorded;

void recordingEntry(void *const *arguments) {
  ++recorded.calls;
  const int64_t *query = static_cast<const int64_t *>(arguments[0]);
  const int64_t *output = static_cast<const int64_t *>(arguments[3]);
  recorded.query.assign(query, query + 3 + 2 * 3);
  recorded.output.assign(output, output + 3 + 2 * 3);
  recorded.scale = *static_cast<const float *>(arguments[2]);
}

// A toy kernel: query [B, Hq, S] f32, key [B, Hkv, S] f32 (head counts
// dynamic), a scalar f32, output [B, Hq, S] f32.
const int64_t kQuerySizes[] = {-1, -1, -1};
const int64_t kKeySizes[] = {-1, -1, -1};
const int64_t kOutputSizes[] = {-1, -1, -1};
const attnArgumentSpec kArguments[] = {
    {"query", "query", 0, ATTN_ELEMENT_F32, 3, kQuerySizes, 4},
    {"key", "key", 0, ATTN_ELEMENT_F32, 3, kKeySizes, 4},
    {"scale", "captures", 0, ATTN_ELEMENT_F32, 0, nullptr, 4},
    {"output", "output", 1, ATTN_ELEMENT_F32, 3, kOutputSizes, 4},
};
const attnSymbol kSymbols[] = {{"B", -1, {-1, -1}},
                               {"Hq", -1, {-1, -1}},
                               {"S", -1, {-1, -1}},
                               {"Hkv", -1, {-1, -1}}};
const attnConstraint kConstraints[] = {
    {ATTN_CONSTRAINT_DIM_EQUALS, 0, 0, 0, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 0, 1, 1, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 0, 2, 2, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 1, 0, 0, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 1, 1, 3, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 1, 2, 2, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 3, 0, 0, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 3, 1, 1, 0},
    {ATTN_CONSTRAINT_DIM_EQUALS, 3, 2, 2, 0},
    {ATTN_CONSTRAINT_SYMBOL_MULTIPLE, -1, -1, 1, 3},
};
const attnKernelImage kCpuImage[] = {{kDLCPU,
                                      "test",
                                      recordingEntry,
                                      nullptr,
                                      nullptr,
                                      nullptr,
                                      0,
                                      {},
                                      0,
                                      nullptr}};

attnKernelDescriptor toyKernel(const char *name) {
  return {ATTN_KERNEL_ABI_VERSION,
          name,
          "toy",
          "RuntimeDescriptorTests.cpp",
          3,
          1,
          kArguments,
          4,
          kSymbols,
          10,
          kConstraints,
          1,
          kCpuImage,
          0,
          nullptr};
}

TEST(RuntimeDescriptors, KernelReceivesMemrefDescriptorsAndScalars) {
  static const attnKernelDescriptor descriptor = toyKernel("test.toy");
  const attnKernel *kernel;
  ASSERT_EQ(attnRegisterKernel(&descriptor, &kernel), ATTN_SUCCESS);
  HostTensor query(kF32, {2, 6, 5}), key(kF32, {2, 3, 5}), scale(kF32, {}),
      output(kF32, {2, 6, 5});
  scale.set(0, 0.125);
  const DLTensor *arguments[] = {query.dl(), key.dl(), scale.dl(), output.dl()};
  recorded = Recorded();
  ASSERT_EQ(attnLaunch(kernel, arguments, 4), ATTN_SUCCESS)
      << attnGetLastError();
  ASSERT_EQ(recorded.calls, 1);
  int64_t base = reinterpret_cast<int64_t>(query.bytes());
  EXPECT_EQ(recorded.query,
            (std::vector<int64_t>{base, base, 0, 2, 6, 5, 30, 5, 1}));
  base = reinterpret_cast<int64_t>(output.bytes());
  EXPECT_EQ(recorded.output,
            (std::vector<int64_t>{base, base, 0, 2, 6, 5, 30, 5, 1}));
  EXPECT_EQ(recorded.scale, 0.125f);

  // Dynamic head counts: 6 query heads over 4 key/value heads do not group.
  HostTensor fourHeads(kF32, {2, 4, 5});
  const DLTensor *bad[] = {query.dl(), fourHeads.dl(), scale.dl(), output.dl()};
  EXPECT_EQ(attnLaunch(kernel, bad, 4), ATTN_ERROR_SHAPE);
  EXPECT_STREQ(attnGetLastError(),
               "toy: Hq = 6 is not a multiple of Hkv = 4 (each key/value "
               "head serves a whole group of query heads)");
  HostTensor noHeads(kF32, {2, 0, 5});
  const DLTensor *none[] = {query.dl(), noHeads.dl(), scale.dl(), output.dl()};
  EXPECT_EQ(attnLaunch(kernel, none, 4), ATTN_ERROR_SHAPE);
  EXPECT_EQ(recorded.calls, 1);
}

TEST(RuntimeDescriptors, RegistryRejectsASecondDescriptorWithTheSameName) {
  static const attnKernelDescriptor first = toyKernel("test.twice");
  static const attnKernelDescriptor second = toyKernel("test.twice");
  const attnKernel *a = nullptr, *b = nullptr;
  ASSERT_EQ(attnRegisterKernel(&first, &a), ATTN_SUCCESS);
  EXPECT_EQ(attnRegisterKernel(&second, &b), ATTN_ERROR_ALREADY_REGISTERED);
  EXPECT_EQ(b, nullptr);
  EXPECT_STREQ(attnGetLastError(), "attnRegisterKernel: another descriptor "
                                   "is already registered as 'test.twice'");
  ASSERT_EQ(attnRegisterKernel(&first, &b), ATTN_SUCCESS);
  EXPECT_EQ(a, b);
}

TEST(RuntimeDescriptors, MalformedDescriptorsAreRejected) {
  const attnKernel *kernel = nullptr;
  EXPECT_EQ(attnRegisterKernel(nullptr, &kernel), ATTN_ERROR_NULL_POINTER);

  attnKernelDescriptor oldVersion = toyKernel("test.bad");
  oldVersion.abiVersion = ATTN_KERNEL_ABI_VERSION + 1;
  EXPECT_EQ(attnRegisterKernel(&oldVersion, &kernel),
            ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_EQ(std::string(attnGetLastError()),
            "attnRegisterKernel: descriptor 'test.bad': written for kernel "
            "ABI version " +
                std::to_string(ATTN_KERNEL_ABI_VERSION + 1) +
                ", this attnrt reads version " +
                std::to_string(ATTN_KERNEL_ABI_VERSION) +
                "; recompile the spec with a matching attn-compile");

  attnConstraint outOfRange[] = {{ATTN_CONSTRAINT_DIM_EQUALS, 0, 3, 0, 0}};
  attnKernelDescriptor badConstraint = toyKernel("test.bad");
  badConstraint.constraints = outOfRange;
  badConstraint.numConstraints = 1;
  EXPECT_EQ(attnRegisterKernel(&badConstraint, &kernel),
            ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_STREQ(attnGetLastError(),
               "attnRegisterKernel: descriptor 'test.bad': constraint 0: "
               "argument or dimension out of range");

  attnConstraint unknownKind[] = {
      {static_cast<attnConstraintKind>(42), 0, 0, 0, 0}};
  badConstraint.constraints = unknownKind;
  EXPECT_EQ(attnRegisterKernel(&badConstraint, &kernel),
            ATTN_ERROR_BAD_DESCRIPTOR);

  attnKernelDescriptor counts = toyKernel("test.bad");
  counts.numInputs = 4; // The last argument says it is an output.
  counts.numOutputs = 0;
  EXPECT_EQ(attnRegisterKernel(&counts, &kernel), ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_STREQ(attnGetLastError(),
               "attnRegisterKernel: descriptor 'test.bad': argument 3: "
               "isOutput disagrees with numInputs");

  attnSymbol badProduct[] = {{"B", -1, {-1, -1}},
                             {"Hq", -1, {-1, -1}},
                             {"S", -1, {-1, -1}},
                             {"Hkv", -1, {0, 4}}};
  attnKernelDescriptor badSymbol = toyKernel("test.bad");
  badSymbol.symbols = badProduct;
  EXPECT_EQ(attnRegisterKernel(&badSymbol, &kernel), ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_STREQ(attnGetLastError(),
               "attnRegisterKernel: descriptor 'test.bad': symbol 3: a factor "
               "that is no symbol of its own");

  attnKernelImage noEntry[] = {
      {kDLCPU, "test", nullptr, nullptr, nullptr, nullptr, 0, {}, 0, nullptr}};
  attnKernelDescriptor missingEntry = toyKernel("test.bad");
  missingEntry.images = noEntry;
  EXPECT_EQ(attnRegisterKernel(&missingEntry, &kernel),
            ATTN_ERROR_BAD_DESCRIPTOR);

  attnKernelDescriptor unnamed = toyKernel(nullptr);
  EXPECT_EQ(attnRegisterKernel(&unnamed, &kernel), ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_EQ(kernel, nullptr);
  const attnKernel *found = nullptr;
  EXPECT_EQ(attnFindKernel("test.bad", &found), ATTN_ERROR_NOT_FOUND);
}

TEST(RuntimeDescriptors, KernelWithoutCodeForTheDevice) {
  // Code for CUDA only: CPU tensors find no image.
  static const attnKernelImage cudaOnly[] = {{kDLCUDA,
                                              "sm_90",
                                              nullptr,
                                              "toy",
                                              "// PTX",
                                              nullptr,
                                              0,
                                              {128, 0, 0, 1, 64, 1},
                                              0,
                                              nullptr}};
  static attnKernelDescriptor descriptor = toyKernel("test.cuda");
  descriptor.images = cudaOnly;
  const attnKernel *kernel;
  ASSERT_EQ(attnRegisterKernel(&descriptor, &kernel), ATTN_SUCCESS);
  HostTensor query(kF32, {1, 2, 3}), key(kF32, {1, 1, 3}), scale(kF32, {}),
      output(kF32, {1, 2, 3});
  const DLTensor *arguments[] = {query.dl(), key.dl(), scale.dl(), output.dl()};
  EXPECT_EQ(attnLaunch(kernel, arguments, 4), ATTN_ERROR_DEVICE);
  EXPECT_STREQ(attnGetLastError(),
               "toy: argument 'query' (input 0, query): is on CPU:0, but the "
               "kernel was compiled only for: CUDA");
  // A device type without a backend in this build.
  for (HostTensor *t : {&query, &key, &scale, &output})
    t->tensor.device = {kDLROCM, 0};
  EXPECT_EQ(attnLaunch(kernel, arguments, 4), ATTN_ERROR_DEVICE);
  EXPECT_STREQ(attnGetLastError(),
               "toy: argument 'query' (input 0, query): is on ROCm:0, but the "
               "kernel was compiled only for: CUDA");
}

TEST(RuntimeDescriptors, MalformedCudaImages) {
  const attnKernel *kernel = nullptr;
  attnKernelImage noName[] = {{kDLCUDA,
                               "sm_90",
                               nullptr,
                               nullptr,
                               "// PTX",
                               nullptr,
                               0,
                               {128, 0, 0, 1, 64, 1},
                               0,
                               nullptr}};
  attnKernelDescriptor bad = toyKernel("test.cuda.bad");
  bad.images = noName;
  EXPECT_EQ(attnRegisterKernel(&bad, &kernel), ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_NE(std::string(attnGetLastError())
                .find("image 0: a CUDA image without kernel name or code"),
            std::string::npos)
      << attnGetLastError();
  attnKernelImage noRows[] = {{kDLCUDA,
                               "sm_90",
                               nullptr,
                               "toy",
                               "// PTX",
                               nullptr,
                               0,
                               {128, 0, 0, 1, 0, 1},
                               0,
                               nullptr}};
  bad.images = noRows;
  EXPECT_EQ(attnRegisterKernel(&bad, &kernel), ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_NE(std::string(attnGetLastError())
                .find("image 0: launch sizes out of range"),
            std::string::npos)
      << attnGetLastError();
  // The grid comes from an input of rank >= 3: scale (input 2) is a scalar.
  attnKernelImage scalarQuery[] = {{kDLCUDA,
                                    "sm_90",
                                    nullptr,
                                    "toy",
                                    "// PTX",
                                    nullptr,
                                    0,
                                    {128, 0, 2, 1, 64, 1},
                                    0,
                                    nullptr}};
  bad.images = scalarQuery;
  EXPECT_EQ(attnRegisterKernel(&bad, &kernel), ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_NE(std::string(attnGetLastError())
                .find("the launch's query argument is not an input of rank "
                      ">= 3"),
            std::string::npos)
      << attnGetLastError();
  EXPECT_EQ(kernel, nullptr);
}

/// Whether this machine has a CUDA driver and GPU (then the tests of the
/// missing-driver messages do not apply).
bool haveCudaDevice() {
  int32_t count = 0;
  return attnGetDeviceCount(kDLCUDA, &count) == ATTN_SUCCESS && count > 0;
}

bool haveHipDevice() {
  int32_t count = 0;
  return attnGetDeviceCount(kDLROCM, &count) == ATTN_SUCCESS && count > 0;
}

TEST(RuntimeHip, WithoutRuntimeEveryCallSaysSo) {
  if (haveHipDevice())
    GTEST_SKIP() << "this machine has an AMD GPU";
  int32_t count = -1;
  EXPECT_EQ(attnGetDeviceCount(kDLROCM, &count), ATTN_ERROR_UNSUPPORTED);
  EXPECT_EQ(count, 0);
  std::string message = attnGetLastError();
  EXPECT_NE(message.find("attnGetDeviceCount: "), std::string::npos);
  EXPECT_TRUE(message.find("no HIP runtime on this machine") !=
                  std::string::npos ||
              message.find("no GPU") != std::string::npos ||
              message.find("no usable GPU") != std::string::npos)
      << message;
  void *pointer = nullptr;
  EXPECT_EQ(attnDeviceAlloc({kDLROCM, 0}, 16, &pointer),
            ATTN_ERROR_UNSUPPORTED);
  EXPECT_NE(std::string(attnGetLastError()).find("attnDeviceAlloc: "),
            std::string::npos);

  // A launch on ROCm tensors reaches the backend, which says the same.
  static const unsigned char hsaco[] = {0x7f, 'E', 'L', 'F'};
  static const attnKernelImage rocmOnly[] = {{kDLROCM,
                                              "gfx942",
                                              nullptr,
                                              "toy",
                                              nullptr,
                                              hsaco,
                                              sizeof(hsaco),
                                              {256, 0, 0, 1, 64, 1},
                                              0,
                                              nullptr}};
  static attnKernelDescriptor descriptor = toyKernel("test.hip.noruntime");
  descriptor.images = rocmOnly;
  const attnKernel *kernel;
  ASSERT_EQ(attnRegisterKernel(&descriptor, &kernel), ATTN_SUCCESS);
  HostTensor query(kF32, {1, 2, 3}), key(kF32, {1, 1, 3}), scale(kF32, {}),
      output(kF32, {1, 2, 3});
  for (HostTensor *t : {&query, &key, &scale, &output})
    t->tensor.device = {kDLROCM, 0};
  const DLTensor *arguments[] = {query.dl(), key.dl(), scale.dl(), output.dl()};
  EXPECT_EQ(attnLaunch(kernel, arguments, 4), ATTN_ERROR_UNSUPPORTED);
  EXPECT_NE(
      std::string(attnGetLastError()).find("loading kernel 'toy' (gfx942)"),
      std::string::npos)
      << attnGetLastError();
}

TEST(RuntimeHip, ImageWithoutHsacoIsRejected) {
  static const attnKernelImage noCode[] = {{kDLROCM,
                                            "gfx942",
                                            nullptr,
                                            "toy",
                                            "// PTX is no AMD code",
                                            nullptr,
                                            0,
                                            {256, 0, 0, 1, 64, 1},
                                            0,
                                            nullptr}};
  static attnKernelDescriptor descriptor = toyKernel("test.hip.nocode");
  descriptor.images = noCode;
  const attnKernel *kernel;
  EXPECT_EQ(attnRegisterKernel(&descriptor, &kernel),
            ATTN_ERROR_BAD_DESCRIPTOR);
  EXPECT_NE(std::string(attnGetLastError())
                .find("image 0: a ROCm image without kernel name or HSACO"),
            std::string::npos)
      << attnGetLastError();
}

TEST(RuntimeCuda, WithoutDriverEveryCallSaysSo) {
  if (haveCudaDevice())
    GTEST_SKIP() << "this machine has a CUDA GPU";
  int32_t count = -1;
  EXPECT_EQ(attnGetDeviceCount(kDLCUDA, &count), ATTN_ERROR_UNSUPPORTED);
  EXPECT_EQ(count, 0);
  std::string message = attnGetLastError();
  EXPECT_NE(message.find("attnGetDeviceCount: "), std::string::npos);
  EXPECT_TRUE(message.find("no CUDA driver on this machine") !=
                  std::string::npos ||
              message.find("no GPU") != std::string::npos ||
              message.find("no usable GPU") != std::string::npos)
      << message;

  // A launch on CUDA tensors reaches the backend, which says the same.
  static const attnKernelImage cudaOnly[] = {{kDLCUDA,
                                              "sm_90",
                                              nullptr,
                                              "toy",
                                              "// PTX",
                                              nullptr,
                                              0,
                                              {128, 0, 0, 1, 64, 1},
                                              0,
                                              nullptr}};
  static attnKernelDescriptor descriptor = toyKernel("test.cuda.nodriver");
  descriptor.images = cudaOnly;
  const attnKernel *kernel;
  ASSERT_EQ(attnRegisterKernel(&descriptor, &kernel), ATTN_SUCCESS);
  HostTensor query(kF32, {1, 2, 3}), key(kF32, {1, 1, 3}), scale(kF32, {}),
      output(kF32, {1, 2, 3});
  for (HostTensor *t : {&query, &key, &scale, &output})
    t->tensor.device = {kDLCUDA, 0};
  const DLTensor *arguments[] = {query.dl(), key.dl(), scale.dl(), output.dl()};
  EXPECT_EQ(attnLaunch(kernel, arguments, 4), ATTN_ERROR_UNSUPPORTED);
  EXPECT_NE(
      std::string(attnGetLastError()).find("loading kernel 'toy' (sm_90)"),
      std::string::npos)
      << attnGetLastError();

  // Lengths on the GPU are read back to be checked: without a driver that
  // read fails, and says so, before any launch.
  static const int64_t lengthSizes[] = {-1};
  static const attnArgumentSpec withLength[] = {
      {"query", "query", 0, ATTN_ELEMENT_F32, 3, kQuerySizes, 4},
      {"kv_len", "kv_len", 0, ATTN_ELEMENT_I32, 1, lengthSizes, 4},
      {"output", "output", 1, ATTN_ELEMENT_F32, 3, kOutputSizes, 4},
  };
  static const attnConstraint lengthConstraints[] = {
      {ATTN_CONSTRAINT_DIM_EQUALS, 0, 0, 0, 0},
      {ATTN_CONSTRAINT_DIM_EQUALS, 0, 1, 1, 0},
      {ATTN_CONSTRAINT_DIM_EQUALS, 0, 2, 2, 0},
      {ATTN_CONSTRAINT_DIM_EQUALS, 1, 0, 0, 0},
      {ATTN_CONSTRAINT_VALUES_AT_MOST, 1, -1, 2, 0},
      {ATTN_CONSTRAINT_DIM_EQUALS, 2, 0, 0, 0},
      {ATTN_CONSTRAINT_DIM_EQUALS, 2, 1, 1, 0},
      {ATTN_CONSTRAINT_DIM_EQUALS, 2, 2, 2, 0},
  };
  static attnKernelDescriptor lengths = toyKernel("test.cuda.lengths");
  lengths.numInputs = 2;
  lengths.arguments = withLength;
  lengths.numSymbols = 3;
  lengths.numConstraints = 8;
  lengths.constraints = lengthConstraints;
  lengths.images = cudaOnly;
  ASSERT_EQ(attnRegisterKernel(&lengths, &kernel), ATTN_SUCCESS)
      << attnGetLastError();
  HostTensor kvLen(kI32, {1});
  for (HostTensor *t : {&kvLen})
    t->tensor.device = {kDLCUDA, 0};
  const DLTensor *lengthArguments[] = {query.dl(), kvLen.dl(), output.dl()};
  EXPECT_EQ(attnLaunch(kernel, lengthArguments, 3), ATTN_ERROR_DEVICE);
  EXPECT_NE(std::string(attnGetLastError())
                .find("argument 'kv_len' (input 1, kv_len): cannot read it "
                      "from CUDA:0 to check its values (attnCopyFromDevice: "),
            std::string::npos)
      << attnGetLastError();

  void *pointer = &count;
  EXPECT_EQ(attnDeviceAlloc({kDLCUDA, 0}, 16, &pointer),
            ATTN_ERROR_UNSUPPORTED);
  EXPECT_EQ(pointer, nullptr);
  EXPECT_NE(std::string(attnGetLastError()).find("attnDeviceAlloc: "),
            std::string::npos);
  char name[64];
  EXPECT_EQ(attnGetDeviceName({kDLCUDA, 0}, name, sizeof(name)),
            ATTN_ERROR_UNSUPPORTED);
  EXPECT_STREQ(name, "");
}

TEST(RuntimeMemory, HostRoundTripAndBadArguments) {
  DLDevice cpu{kDLCPU, 0};
  void *buffer = nullptr;
  ASSERT_EQ(attnDeviceAlloc(cpu, 12, &buffer), ATTN_SUCCESS);
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer) % 64, 0u);
  const float in[3] = {1.5f, -2.0f, 3.25f};
  float out[3] = {};
  EXPECT_EQ(attnCopyToDevice(cpu, buffer, in, sizeof(in)), ATTN_SUCCESS);
  EXPECT_EQ(attnCopyFromDevice(cpu, out, buffer, sizeof(out)), ATTN_SUCCESS);
  EXPECT_EQ(out[0], 1.5f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(out[2], 3.25f);
  EXPECT_EQ(attnDeviceFree(cpu, buffer), ATTN_SUCCESS);
  EXPECT_EQ(attnDeviceFree(cpu, nullptr), ATTN_SUCCESS);

  EXPECT_EQ(attnDeviceAlloc(cpu, 4, nullptr), ATTN_ERROR_NULL_POINTER);
  EXPECT_EQ(attnCopyToDevice(cpu, nullptr, in, 4), ATTN_ERROR_NULL_POINTER);
  EXPECT_STREQ(attnGetLastError(),
               "attnCopyToDevice: null destination or source");
  EXPECT_EQ(attnCopyFromDevice(cpu, out, nullptr, 4), ATTN_ERROR_NULL_POINTER);
  EXPECT_EQ(attnDeviceAlloc({kDLVulkan, 0}, 4, &buffer),
            ATTN_ERROR_UNSUPPORTED);
  EXPECT_STREQ(attnGetLastError(), "attnDeviceAlloc: no backend for Vulkan:0");
  char name[8];
  EXPECT_EQ(attnGetDeviceName(cpu, name, sizeof(name)), ATTN_SUCCESS);
  EXPECT_STREQ(name, "host CP"); // Truncated to fit, NUL-terminated.
  EXPECT_EQ(attnGetDeviceName(cpu, nullptr, 8), ATTN_ERROR_NULL_POINTER);
}

} // namespace
