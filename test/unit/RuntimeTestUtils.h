//===- RuntimeTestUtils.h - Helpers for attnrt's unit tests ---*- C++ -*-===//
//
// The runtime tests call kernels the way an application does: through the C
// API on DLPack tensors in host memory. HostTensor owns such a tensor (in
// any element type a kernel takes, 64-byte aligned, NaN-free zeros), and
// referenceAttention is a plain double-precision attention written here from
// VARIANTS.md, independent of both the compiler and the oracle, that the
// kernels' results are compared with.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_UNIT_RUNTIMETESTUTILS_H
#define ATTN_TEST_UNIT_RUNTIMETESTUTILS_H

#include "attn/runtime.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <vector>

namespace attn::testing {

constexpr DLDataType kF32 = {kDLFloat, 32, 1};
constexpr DLDataType kF16 = {kDLFloat, 16, 1};
constexpr DLDataType kBF16 = {kDLBfloat, 16, 1};
constexpr DLDataType kI8 = {kDLInt, 8, 1};
constexpr DLDataType kI32 = {kDLInt, 32, 1};

/// float -> IEEE half, round to nearest even (no subnormal inputs matter
/// here, but they are handled).
inline uint16_t toF16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000;
  int32_t exponent = int32_t((bits >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = bits & 0x7fffff;
  if (((bits >> 23) & 0xff) == 0xff) // inf, nan
    return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 31)
    return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10)
      return sign;
    mantissa |= 0x800000;
    uint32_t shift = 14 - exponent;
    uint32_t half = mantissa >> shift, rest = mantissa & ((1u << shift) - 1);
    uint32_t midpoint = 1u << (shift - 1);
    if (rest > midpoint || (rest == midpoint && (half & 1)))
      ++half;
    return sign | half;
  }
  uint32_t half = (uint32_t(exponent) << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half; // May carry into the exponent, which is right.
  return sign | half;
}

inline float fromF16(uint16_t half) {
  uint32_t sign = uint32_t(half & 0x8000) << 16;
  uint32_t exponent = (half >> 10) & 0x1f, mantissa = half & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(float(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN()
                         : std::numeric_limits<float>::infinity();
  else
    magnitude = std::ldexp(float(mantissa | 0x400), int(exponent) - 25);
  return sign ? -magnitude : magnitude;
}

inline uint16_t toBF16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if (std::isnan(value))
    return uint16_t((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}

inline float fromBF16(uint16_t value) {
  uint32_t bits = uint32_t(value) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// A dense row-major tensor in host memory with its DLTensor.
class HostTensor {
public:
  HostTensor(DLDataType dtype, std::vector<int64_t> shape)
      : shape(std::move(shape)) {
    elements = 1;
    for (int64_t size : this->shape)
      elements *= std::max<int64_t>(size, 0);
    int64_t bytes = elements * (dtype.bits / 8) * dtype.lanes;
    // 64 spare bytes: an aligned start, and room to misalign on purpose.
    storage.assign(bytes + 128, 0);
    uintptr_t at = reinterpret_cast<uintptr_t>(storage.data());
    char *aligned = storage.data() + (64 - at % 64) % 64;
    tensor.data = aligned;
    tensor.device = {kDLCPU, 0};
    tensor.ndim = static_cast<int32_t>(this->shape.size());
    tensor.dtype = dtype;
    tensor.shape = this->shape.data();
    tensor.strides = nullptr;
    tensor.byte_offset = 0;
  }
  HostTensor(const HostTensor &) = delete;
  HostTensor &operator=(const HostTensor &) = delete;

  DLTensor *dl() { return &tensor; }
  const DLTensor *dl() const { return &tensor; }
  int64_t size() const { return elements; }
  int64_t dim(int d) const { return shape[d]; }
  char *bytes() {
    return static_cast<char *>(tensor.data) + tensor.byte_offset;
  }
  const char *bytes() const {
    return static_cast<const char *>(tensor.data) + tensor.byte_offset;
  }

  double get(int64_t n) const {
    const char *at = bytes();
    DLDataType t = tensor.dtype;
    if (t.code == kDLFloat && t.bits == 32) {
      float v;
      std::memcpy(&v, at + 4 * n, 4);
      return v;
    }
    if (t.bits == 16) {
      uint16_t v;
      std::memcpy(&v, at + 2 * n, 2);
      return t.code == kDLBfloat ? fromBF16(v) : fromF16(v);
    }
    if (t.bits == 32) {
      int32_t v;
      std::memcpy(&v, at + 4 * n, 4);
      return v;
    }
    if (t.bits == 8)
      return static_cast<int8_t>(at[n]);
    int64_t v;
    std::memcpy(&v, at + 8 * n, 8);
    return static_cast<double>(v);
  }

  void set(int64_t n, double value) {
    char *at = bytes();
    DLDataType t = tensor.dtype;
    if (t.code == kDLFloat && t.bits == 32) {
      float v = static_cast<float>(value);
      std::memcpy(at + 4 * n, &v, 4);
    } else if (t.bits == 16) {
      uint16_t v =
          t.code == kDLBfloat ? toBF16(float(value)) : toF16(float(value));
      std::memcpy(at + 2 * n, &v, 2);
    } else if (t.bits == 32) {
      int32_t v = static_cast<int32_t>(value);
      std::memcpy(at + 4 * n, &v, 4);
    } else if (t.bits == 8) {
      at[n] = static_cast<char>(static_cast<int8_t>(value));
    } else {
      int64_t v = static_cast<int64_t>(value);
      std::memcpy(at + 8 * n, &v, 8);
    }
  }

  /// Uniform values in [-1, 1) from `rng`, as stored (rounded to the type).
  void fillRandom(std::mt19937 &rng) {
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    for (int64_t n = 0; n < elements; ++n)
      set(n, uniform(rng));
  }
  void fill(double value) {
    for (int64_t n = 0; n < elements; ++n)
      set(n, value);
  }

  /// Row-major index of (a, b, c, d) in a rank-4 tensor (dimensions of size
  /// 1 broadcast).
  int64_t at4(int64_t a, int64_t b, int64_t c, int64_t d) const {
    auto clamp = [&](int k, int64_t i) { return shape[k] == 1 ? 0 : i; };
    return ((clamp(0, a) * shape[1] + clamp(1, b)) * shape[2] + clamp(2, c)) *
               shape[3] +
           clamp(3, d);
  }

  std::vector<int64_t> shape;
  int64_t elements;
  std::vector<char> storage;
  DLTensor tensor;
};

/// What a reference attention applies beyond softmax(scale * q k^T) v.
struct ReferenceOptions {
  double scale = 1.0;
  bool causal = false;
  /// Valid keys per batch entry (kv_len), empty for all.
  std::vector<int64_t> kvLen;
  /// The score after the scale, per (b, h, i, j); identity when empty.
  std::function<double(int64_t, int64_t, int64_t, int64_t, double)> modify;
  /// Extra mask per (b, h, i, j); keeps everything when empty.
  std::function<bool(int64_t, int64_t, int64_t, int64_t)> keep;
  /// A paged cache: K/V are [pages, page_size, Hkv, D] and key j of entry b
  /// is row j % page_size of page (*pageTable)[b, j / page_size].
  const HostTensor *pageTable = nullptr;
};

/// Attention of VARIANTS.md section 1 in double precision: GQA by h / G,
/// bottom-right aligned positions p(i) = i + kv_len[b] - Sq, keys j <
/// kv_len[b], rows without a kept key give 0 and lse -inf. `out` is
/// [B, Hq, Sq, Dv] and `lse` [B, Hq, Sq], row-major.
inline void referenceAttention(const HostTensor &q, const HostTensor &k,
                               const HostTensor &v,
                               const ReferenceOptions &options,
                               std::vector<double> &out,
                               std::vector<double> &lse) {
  const HostTensor *pages = options.pageTable;
  int64_t batch = q.dim(0), heads = q.dim(1), queries = q.dim(2),
          depth = q.dim(3), valueDepth = v.dim(3);
  int64_t kvHeads = pages ? k.dim(2) : k.dim(1);
  int64_t keys = pages ? pages->dim(1) * k.dim(1) : k.dim(2);
  int64_t group = heads / kvHeads;
  // Element (b, kvh, j, d) of K or V.
  auto at = [&](const HostTensor &t, int64_t b, int64_t kvh, int64_t j,
                int64_t d) {
    if (!pages)
      return t.get(t.at4(b, kvh, j, d));
    int64_t pageSize = t.dim(1);
    int64_t page = int64_t(pages->get(b * pages->dim(1) + j / pageSize));
    return t.get(t.at4(page, j % pageSize, kvh, d));
  };
  out.assign(batch * heads * queries * valueDepth, 0.0);
  lse.assign(batch * heads * queries, -INFINITY);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t valid = options.kvLen.empty() ? keys : options.kvLen[b];
    for (int64_t h = 0; h < heads; ++h) {
      int64_t kvh = h / group;
      for (int64_t i = 0; i < queries; ++i) {
        int64_t position = i + valid - queries;
        std::vector<double> scores;
        std::vector<int64_t> kept;
        for (int64_t j = 0; j < valid; ++j) {
          if (options.causal && j > position)
            continue;
          if (options.keep && !options.keep(b, h, i, j))
            continue;
          double dot = 0;
          for (int64_t d = 0; d < depth; ++d)
            dot += q.get(q.at4(b, h, i, d)) * at(k, b, kvh, j, d);
          double s = options.scale * dot;
          if (options.modify)
            s = options.modify(b, h, i, j, s);
          scores.push_back(s);
          kept.push_back(j);
        }
        if (kept.empty())
          continue;
        double max = -INFINITY;
        for (double s : scores)
          max = std::max(max, s);
        double sum = 0;
        for (double &s : scores)
          sum += (s = std::exp(s - max));
        int64_t row = (b * heads + h) * queries + i;
        lse[row] = max + std::log(sum);
        for (size_t n = 0; n < kept.size(); ++n)
          for (int64_t d = 0; d < valueDepth; ++d)
            out[row * valueDepth + d] +=
                scores[n] / sum * at(v, b, kvh, kept[n], d);
      }
    }
  }
}

/// The largest |a - b| (infinite where one is NaN or they differ in
/// infinity).
inline double maxDifference(const HostTensor &actual,
                            const std::vector<double> &expected) {
  double worst = 0;
  for (int64_t n = 0; n < actual.size(); ++n) {
    double a = actual.get(n), e = expected[n];
    if (a == e)
      continue;
    double d = std::fabs(a - e);
    worst = std::max(worst, std::isfinite(d) ? d : INFINITY);
  }
  return worst;
}

} // namespace attn::testing

#endif // ATTN_TEST_UNIT_RUNTIMETESTUTILS_H
