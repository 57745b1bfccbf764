//===- NpyTests.cpp - .npy reading and writing ----------------------------===//

#include "attn/Support/Npy.h"

#include "llvm/ADT/APFloat.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

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

/// APFloat's conversion of `value` to `semantics`, as bits and as a double.
static std::pair<uint16_t, double>
apfloatRound(double value, const llvm::fltSemantics &semantics) {
  llvm::APFloat f(value);
  bool lost;
  f.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &lost);
  uint16_t bits =
      &semantics == &llvm::APFloat::IEEEsingle()
          ? 0
          : static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return {bits, f.convertToDouble()};
}

/// Doubles that probe every rounding case: the 16-bit formats' values and
/// their midpoints (ties), a hair either side of those, the overflow and
/// underflow thresholds, and random values over the whole exponent range.
static std::vector<double> roundingProbes() {
  std::vector<double> probes = {0.0,        -0.0,      INFINITY, -INFINITY,
                                65504.0,    65520.0,   65519.99, 0x1p-24,
                                0x1p-25,    0x1.8p-25, 0x1p-26,  0x1.FEp127,
                                0x1.FFp127, 0x1p-133,  0x1p-134, 0x1p-149,
                                0x1p-150,   1e-300,    1e300,    -3.75e-6};
  for (uint32_t bits = 0; bits < 0x10000; bits += 7) {
    for (double base :
         {decodeF16(uint16_t(bits)), decodeBF16(uint16_t(bits))}) {
      if (!std::isfinite(base))
        continue;
      double next = std::nextafter(base, INFINITY);
      probes.push_back(base);
      probes.push_back(next);
      probes.push_back(std::nextafter(base, -INFINITY));
    }
    // The midpoint to the next f16 and bf16 value: a tie.
    double f16 = decodeF16(uint16_t(bits)),
           f16Next = decodeF16(uint16_t(bits + 1));
    if (std::isfinite(f16) && std::isfinite(f16Next))
      probes.push_back((f16 + f16Next) / 2);
    double bf16 = decodeBF16(uint16_t(bits)),
           bf16Next = decodeBF16(uint16_t(bits + 1));
    if (std::isfinite(bf16) && std::isfinite(bf16Next))
      probes.push_back((bf16 + bf16Next) / 2);
  }
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> mantissa(-2.0, 2.0);
  std::uniform_int_distribution<int> exponent(-160, 140);
  for (int n = 0; n < 200000; ++n)
    probes.push_back(std::ldexp(mantissa(rng), exponent(rng)));
  return probes;
}

TEST(Npy, NarrowFloatsAgreeWithAPFloat) {
  for (double value : roundingProbes()) {
    auto [f16Bits, f16] = apfloatRound(value, llvm::APFloat::IEEEhalf());
    auto [bf16Bits, bf16] = apfloatRound(value, llvm::APFloat::BFloat());
    auto [unused, f32] = apfloatRound(value, llvm::APFloat::IEEEsingle());
    (void)unused;
    // Equal as values and in the sign of zero.
    auto same = [](double a, double b) {
      return a == b && std::signbit(a) == std::signbit(b);
    };
    EXPECT_PRED2(same, roundToF16(value), f16) << std::hexfloat << value;
    EXPECT_PRED2(same, roundToBF16(value), bf16) << std::hexfloat << value;
    EXPECT_PRED2(same, roundToF32(value), f32) << std::hexfloat << value;
    EXPECT_EQ(encodeF16(value), f16Bits) << std::hexfloat << value;
    EXPECT_EQ(encodeBF16(value), bf16Bits) << std::hexfloat << value;
  }
  EXPECT_EQ(encodeF16(NAN), 0x7E00);
  EXPECT_TRUE(std::isnan(roundToBF16(NAN)));
}

TEST(Npy, DecodesEvery16BitPattern) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    for (bool bf16 : {false, true}) {
      const llvm::fltSemantics &semantics =
          bf16 ? llvm::APFloat::BFloat() : llvm::APFloat::IEEEhalf();
      llvm::APFloat f(semantics, llvm::APInt(16, bits));
      bool lost;
      f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      double want = f.convertToDouble();
      double got =
          bf16 ? decodeBF16(uint16_t(bits)) : decodeF16(uint16_t(bits));
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << bits;
        continue;
      }
      EXPECT_EQ(got, want) << (bf16 ? "bf16 " : "f16 ") << bits;
      EXPECT_EQ(std::signbit(got), std::signbit(want)) << bits;
      // Every finite, non-NaN pattern encodes back to itself.
      EXPECT_EQ(bf16 ? encodeBF16(got) : encodeF16(got), bits) << bits;
    }
  }
}

} // namespace
