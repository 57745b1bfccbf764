//===- NpyTests.cpp - .npy reading and writing ----------------------------===//

#include "attn/Support/Npy.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir::attn;
using mlir::attn::reference::Tensor;

namespace {

TEST(Npy, RoundTripsEveryType) {
  Tensor t({2, 3});
  t.data = {0.5, -1.25, 3.0, 100.0, -0.0, 7.0}; // all fit in i8
  for (NpyType type : {NpyType::F16, NpyType::F32, NpyType::F64, NpyType::I8,
                       NpyType::I32, NpyType::I64}) {
    std::string bytes = serializeNpy(t, type);
    llvm::Expected<Tensor> back = parseNpy(bytes, "mem");
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->shape, t.shape);
    bool integer =
        type == NpyType::I8 || type == NpyType::I32 || type == NpyType::I64;
    for (size_t k = 0; k < t.data.size(); ++k)
      EXPECT_EQ(back->data[k], integer ? std::trunc(t.data[k]) : t.data[k])
          << npyDescriptor(type).str() << " element " << k;
  }
}

TEST(Npy, HeaderMatchesNumPy) {
  Tensor t({5});
  std::string bytes = serializeNpy(t, NpyType::F32);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t headerLength = static_cast<unsigned char>(bytes[8]) |
                        static_cast<unsigned char>(bytes[9]) << 8;
  EXPECT_EQ((10 + headerLength) % 64, 0u);
  std::string header = bytes.substr(10, headerLength);
  EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos);
  EXPECT_NE(header.find("'shape': (5,)"), std::string::npos);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(bytes.size(), 10 + headerLength + 5 * 4);
}

TEST(Npy, RejectsMalformedFiles) {
  Tensor t({2, 2});
  std::string good = serializeNpy(t, NpyType::F32);
  auto expectError = [](const std::string &bytes, const char *needle) {
    llvm::Expected<Tensor> result = parseNpy(bytes, "bad.npy");
    ASSERT_FALSE(bool(result));
    std::string message = llvm::toString(result.takeError());
    EXPECT_NE(message.find(needle), std::string::npos) << message;
  };
  expectError("not numpy", "bad magic");
  expectError(good.substr(0, 40), "truncated header");
  expectError(good.substr(0, good.size() - 1), "data bytes");
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  expectError(fortran, "Fortran");
  std::string bigEndian = good;
  bigEndian.replace(bigEndian.find("<f4"), 3, ">f4");
  expectError(bigEndian, "unsupported dtype");
}

TEST(Npy, RoundsToNarrowFloats) {
  // 1 + 2^-11 is halfway between two f16 values: ties go to even (1.0).
  EXPECT_EQ(roundToF16(1.0 + std::ldexp(1.0, -11)), 1.0);
  EXPECT_EQ(roundToF16(1.0 + 3 * std::ldexp(1.0, -11)),
            1.0 + std::ldexp(1.0, -9));
  // bf16 keeps 8 significant bits.
  EXPECT_EQ(roundToBF16(1.0 + std::ldexp(1.0, -9)), 1.0);
  EXPECT_EQ(roundToBF16(3.0), 3.0);
  EXPECT_EQ(roundToF32(0.1), static_cast<double>(0.1f));
}

} // namespace
