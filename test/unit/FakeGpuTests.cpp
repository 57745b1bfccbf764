//===- FakeGpuTests.cpp - attnrt's GPU launches, on fake drivers ----------===//
//
// attnrt's CUDA backend against FakeCudaDriver (AttnFakeCudaTests'
// libcuda.so.1) and its HIP backend against FakeHipDriver (AttnFakeHipTests'
// libamdhip64.so; this file built with ATTN_FAKE_HIP):
// hand-written descriptors with a GPU image, launched on "device" buffers
// from attnDeviceAlloc, and what the driver was asked checked call by call:
// the kernel's parameter words (each tensor's memref descriptor), the grid
// from the query buffer's B and Sq, the block and shared memory, block
// statistics cleared first; for a function of several ops its steps in
// turn, the temporaries allocated, passed and freed (also when a step
// fails).
//
//===----------------------------------------------------------------------===//

#include "FakeGpuDriver.h"
#include "RuntimeTestUtils.h"

#include "gtest/gtest.h"

#include <memory>
#include <string>

using namespace attn::testing;
using attn::fakegpu::record;
using attn::fakegpu::Record;

#ifdef ATTN_FAKE_HIP
#define FAKE_GPU_TEST(name) TEST(FakeHip, name)
constexpr DLDeviceType kDeviceType = kDLROCM;
constexpr const char *kChip = "gfx942", *kDeviceName = "Fake GPU",
                     *kLaunchFailure =
                         "toy on ROCm:0: hipModuleLaunchKernel failed: "
                         "hipErrorLaunchFailure (unspecified launch failure)";
#else
#define FAKE_GPU_TEST(name) TEST(FakeCuda, name)
constexpr DLDeviceType kDeviceType = kDLCUDA;
constexpr const char
    *kChip = "sm_90",
    *kDeviceName = "Fake GPU (sm_90)",
    *kLaunchFailure = "toy on CUDA:0: cuLaunchKernel failed: "
                      "CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)";
#endif

namespace {

constexpr DLDevice kGpu = {kDeviceType, 0};
/// The code of the images: PTX text for CUDA, a (fake) HSACO for ROCm.
#ifdef ATTN_FAKE_HIP
const unsigned char kHsaco[] = "// code";
const char *const kPtx = nullptr;
const unsigned char *const kBinary = kHsaco;
constexpr uint64_t kBinarySize = sizeof(kHsaco);
#else
const char *const kPtx = "// code";
const unsigned char *const kBinary = nullptr;
constexpr uint64_t kBinarySize = 0;
#endif

/// A buffer on the fake GPU (host memory from attnDeviceAlloc).
struct GpuTensor {
  std::vector<int64_t> shape;
  DLTensor tensor{};
  GpuTensor(std::vector<int64_t> sizes) : shape(std::move(sizes)) {
    int64_t bytes = 4;
    for (int64_t size : shape)
      bytes *= size;
    EXPECT_EQ(attnDeviceAlloc(kGpu, uint64_t(bytes), &tensor.data),
              ATTN_SUCCESS)
        << attnGetLastError();
    tensor.device = kGpu;
    tensor.ndim = int32_t(shape.size());
    tensor.dtype = kF32;
    tensor.shape = shape.data();
  }
  ~GpuTensor() { attnDeviceFree(kGpu, tensor.data); }
  int64_t address() const { return reinterpret_cast<int64_t>(tensor.data); }
};

/// A memref descriptor's words for a compact [2, 2, 3, 4] buffer at
/// `address`.
std::vector<int64_t> memref(int64_t address, std::vector<int64_t> sizes) {
  std::vector<int64_t> words = {address, address, 0};
  words.insert(words.end(), sizes.begin(), sizes.end());
  std::vector<int64_t> strides(sizes.size());
  int64_t stride = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= sizes[d];
  }
  words.insert(words.end(), strides.begin(), strides.end());
  return words;
}

// A toy function: query [2, 2, 3, 4] f32 in; output [2, 2, 3, 4] and block
// statistics [2, 2, 1, 1] out (static sizes, no symbols).
const int64_t kQuerySizes[] = {2, 2, 3, 4};
const int64_t kBlockSizes[] = {2, 2, 1, 1};
const attnArgumentSpec kArguments[] = {
    {"query", "query", 0, ATTN_ELEMENT_F32, 4, kQuerySizes, 4},
    {"output", "output", 1, ATTN_ELEMENT_F32, 4, kQuerySizes, 4},
    {"block_max", "block_max", 1, ATTN_ELEMENT_F32, 4, kBlockSizes, 4},
};

// Two steps: the first writes a temporary [B, Hq, Sq, 4] sized from the
// query; the second takes its grid from that temporary (buffer 3) and needs
// more than 48 KiB of shared memory.
const int64_t kTemporarySizes[] = {-1, -1, -1, 4};
const attnTemporarySpec kTemporaries[] = {
    {"temporary0", ATTN_ELEMENT_F32, 4, kTemporarySizes, 0}};
const attnGpuStep kSteps[] = {{"toy__step0", {128, 0, 0, 1, 64, 2}},
                              {"toy__step1", {256, 50000, 3, 2, 2, 2}}};

attnKernelDescriptor toyKernel(const char *name, const attnKernelImage *image) {
  return {ATTN_KERNEL_ABI_VERSION,
          name,
          "toy",
          "FakeGpuTests.cpp",
          1,
          2,
          kArguments,
          0,
          nullptr,
          0,
          nullptr,
          1,
          image,
          1,
          kTemporaries};
}

const attnKernelImage kOneKernel[] = {{kDeviceType,
                                       kChip,
                                       nullptr,
                                       "toy",
                                       kPtx,
                                       kBinary,
                                       kBinarySize,
                                       {128, 1024, 0, 2, 4, 2},
                                       0,
                                       nullptr}};
const attnKernelImage kTwoSteps[] = {{kDeviceType,
                                      kChip,
                                      nullptr,
                                      nullptr,
                                      kPtx,
                                      kBinary,
                                      kBinarySize,
                                      {0, 0, 0, 0, 0, 0},
                                      2,
                                      kSteps}};

/// Registers `descriptor` and launches it on fresh buffers; `words` is the
/// number of parameter words the fake copies per launch.
struct ToyLaunch {
  GpuTensor query{{2, 2, 3, 4}}, output{{2, 2, 3, 4}}, blockMax{{2, 2, 1, 1}};
  attnStatus run(const attnKernelDescriptor &descriptor, size_t words) {
    const attnKernel *kernel = nullptr;
    if (attnStatus status = attnRegisterKernel(&descriptor, &kernel))
      return status;
    record() = Record();
    record().parameterWords = words;
    const DLTensor *arguments[] = {&query.tensor, &output.tensor,
                                   &blockMax.tensor};
    return attnLaunch(kernel, arguments, 3);
  }
};

FAKE_GPU_TEST(DriverIsTheFake) {
  char name[64];
  ASSERT_EQ(attnGetDeviceName(kGpu, name, sizeof(name)), ATTN_SUCCESS)
      << attnGetLastError();
  EXPECT_STREQ(name, kDeviceName);
}

FAKE_GPU_TEST(OneKernelGetsMemrefWordsGridAndClearedStatistics) {
  static const attnKernelDescriptor descriptor =
      toyKernel("fake.one", kOneKernel);
  ToyLaunch toy;
  ASSERT_EQ(toy.run(descriptor, 33), ATTN_SUCCESS) << attnGetLastError();
  const Record &r = record();
  EXPECT_EQ(r.functions, std::vector<std::string>{"toy"});
  ASSERT_EQ(r.launches.size(), 1u);
  const attn::fakegpu::Launch &launch = r.launches[0];
  EXPECT_EQ(launch.function, "toy");
  // (ceil(Sq 3 * G 2 / 4 rows), grid.y 2, B 2); 128 threads; 1024 bytes.
  EXPECT_EQ(std::vector<unsigned>(launch.grid, launch.grid + 3),
            (std::vector<unsigned>{2, 2, 2}));
  EXPECT_EQ(launch.block[0], 128u);
  EXPECT_EQ(launch.sharedBytes, 1024u);
  std::vector<int64_t> expected = memref(toy.query.address(), {2, 2, 3, 4});
  for (auto words : {memref(toy.output.address(), {2, 2, 3, 4}),
                     memref(toy.blockMax.address(), {2, 2, 1, 1})})
    expected.insert(expected.end(), words.begin(), words.end());
  EXPECT_EQ(launch.words, expected);
  // The block statistics (16 bytes), cleared before the kernel; no
  // temporaries for a single kernel; 48 KiB or less needs no attribute.
  ASSERT_EQ(r.clears.size(), 1u);
  EXPECT_EQ(r.clears[0].first, toy.blockMax.tensor.data);
  EXPECT_EQ(r.clears[0].second, 16u);
  EXPECT_TRUE(r.allocations.empty());
  EXPECT_TRUE(r.sharedLimits.empty());
}

FAKE_GPU_TEST(StepsRunInTurnOnArgumentsAndATemporary) {
  static const attnKernelDescriptor descriptor =
      toyKernel("fake.steps", kTwoSteps);
  ToyLaunch toy;
  ASSERT_EQ(toy.run(descriptor, 44), ATTN_SUCCESS) << attnGetLastError();
  const Record &r = record();
  // Each step's function loaded once, its shared memory limit raised.
  EXPECT_EQ(r.functions,
            (std::vector<std::string>{"toy__step0", "toy__step1"}));
#ifdef ATTN_FAKE_HIP
  EXPECT_TRUE(r.sharedLimits.empty());
#else
  EXPECT_EQ(r.sharedLimits, std::vector<int>{50000});
#endif
  // One temporary of 2 * 2 * 3 * 4 floats, freed after the steps.
  ASSERT_EQ(r.allocations.size(), 1u);
  EXPECT_EQ(r.allocations[0].bytes, 192u);
  EXPECT_TRUE(r.allocations[0].freed);
  int64_t temporary = reinterpret_cast<int64_t>(r.allocations[0].pointer);
  ASSERT_EQ(r.launches.size(), 2u);
  std::vector<int64_t> expected = memref(toy.query.address(), {2, 2, 3, 4});
  for (auto words : {memref(toy.output.address(), {2, 2, 3, 4}),
                     memref(toy.blockMax.address(), {2, 2, 1, 1}),
                     memref(temporary, {2, 2, 3, 4})})
    expected.insert(expected.end(), words.begin(), words.end());
  for (const attn::fakegpu::Launch &launch : r.launches)
    EXPECT_EQ(launch.words, expected) << launch.function;
  EXPECT_EQ(r.launches[0].function, "toy__step0");
  EXPECT_EQ(std::vector<unsigned>(r.launches[0].grid, r.launches[0].grid + 3),
            (std::vector<unsigned>{1, 2, 2}));
  EXPECT_EQ(r.launches[0].block[0], 128u);
  // The second step's grid from the temporary: ceil(3 * 2 / 2) blocks.
  EXPECT_EQ(r.launches[1].function, "toy__step1");
  EXPECT_EQ(std::vector<unsigned>(r.launches[1].grid, r.launches[1].grid + 3),
            (std::vector<unsigned>{3, 2, 2}));
  EXPECT_EQ(r.launches[1].block[0], 256u);
  EXPECT_EQ(r.launches[1].sharedBytes, 50000u);
  // Block statistics cleared once, before the first step only.
  ASSERT_EQ(r.clears.size(), 1u);
  EXPECT_EQ(r.clears[0].first, toy.blockMax.tensor.data);

  // The module is prepared once: a second launch loads nothing new and
  // allocates a fresh temporary.
  ASSERT_EQ(toy.run(descriptor, 44), ATTN_SUCCESS) << attnGetLastError();
  EXPECT_TRUE(record().functions.empty());
  ASSERT_EQ(record().allocations.size(), 1u);
  EXPECT_TRUE(record().allocations[0].freed);
  EXPECT_EQ(record().launches.size(), 2u);
}

FAKE_GPU_TEST(AFailingStepStopsTheLaunchAndFreesTheTemporaries) {
  static const attnKernelDescriptor descriptor =
      toyKernel("fake.failing", kTwoSteps);
  ToyLaunch toy;
  const attnKernel *kernel = nullptr;
  ASSERT_EQ(attnRegisterKernel(&descriptor, &kernel), ATTN_SUCCESS);
  record() = Record();
  record().failLaunch = 0;
  const DLTensor *arguments[] = {&toy.query.tensor, &toy.output.tensor,
                                 &toy.blockMax.tensor};
  EXPECT_EQ(attnLaunch(kernel, arguments, 3), ATTN_ERROR_DEVICE);
  EXPECT_STREQ(attnGetLastError(), kLaunchFailure);
  EXPECT_EQ(record().launches.size(), 1u);
  ASSERT_EQ(record().allocations.size(), 1u);
  EXPECT_TRUE(record().allocations[0].freed);
}

FAKE_GPU_TEST(MalformedStepsAndTemporariesAreRejected) {
  const attnKernel *kernel = nullptr;
  auto rejects = [&](const attnKernelDescriptor &d, const char *why) {
    EXPECT_EQ(attnRegisterKernel(&d, &kernel), ATTN_ERROR_BAD_DESCRIPTOR);
    EXPECT_NE(std::string(attnGetLastError()).find(why), std::string::npos)
        << attnGetLastError();
  };
  // A step's query buffer past the temporaries.
  const attnGpuStep farQuery[] = {{"toy__step0", {128, 0, 4, 1, 64, 2}}};
  attnKernelImage image = kTwoSteps[0];
  image.steps = farQuery;
  image.numSteps = 1;
  rejects(toyKernel("fake.bad", &image),
          "image 0: step 0: the launch's query buffer is out of range or of "
          "rank < 3");
  const attnGpuStep unnamed[] = {{nullptr, {128, 0, 0, 1, 64, 2}}};
  image.steps = unnamed;
  rejects(toyKernel("fake.bad", &image), "step 0: a null kernel name");
  // Steps in a CPU image.
  attnKernelImage cpu = image;
  cpu.deviceType = kDLCPU;
  cpu.cpuEntry = [](void *const *) {};
  cpu.steps = kSteps;
  rejects(toyKernel("fake.bad", &cpu), "steps in an image that is not a GPU's");
  // A temporary sized from a dimension its shape argument lacks, and one
  // sized from no argument.
  const int64_t fiveSizes[] = {-1, -1, -1, 4, -1};
  const attnTemporarySpec tooDeep[] = {
      {"temporary0", ATTN_ELEMENT_F32, 5, fiveSizes, 0}};
  attnKernelDescriptor bad = toyKernel("fake.bad", kTwoSteps);
  bad.temporaries = tooDeep;
  rejects(bad, "temporary 0: size 4 is below -1 or its shape argument has no "
               "such dimension");
  const attnTemporarySpec noArgument[] = {
      {"temporary0", ATTN_ELEMENT_F32, 4, kTemporarySizes, 3}};
  bad.temporaries = noArgument;
  rejects(bad, "temporary 0: the shape argument is out of range");
  EXPECT_EQ(kernel, nullptr);
}

} // namespace
