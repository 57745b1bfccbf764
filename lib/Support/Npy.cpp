//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// The format: magic "\x93NUMPY", a version, a header length, and a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded to a multiple of 64 bytes; then the raw elements. Only what NumPy
// itself writes for C-ordered arrays is accepted, with a precise error for
// everything else.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir::attn;
using llvm::StringRef;
using mlir::attn::reference::ElementKind;
using mlir::attn::reference::Tensor;

/// Rounds `value` to a binary format with `fraction` stored fraction bits,
/// smallest normal exponent `minExponent` and largest finite value
/// `largest`: the quantum at value's binade (never below the subnormals')
/// scales the value to an integer in double's exact range, which nearbyint
/// rounds to even. These run per element of every input and, for --check's
/// baseline, per intermediate value, so no APFloat here.
static double roundToBinary(double value, int fraction, int minExponent,
                            double largest) {
  if (!std::isfinite(value) || value == 0.0)
    return value;
  int exponent;
  std::frexp(value, &exponent); // |value| = m 2^exponent, m in [0.5, 1)
  int binade = std::max(exponent - 1, minExponent);
  double rounded = std::ldexp(
      std::nearbyint(std::ldexp(value, fraction - binade)), binade - fraction);
  return std::fabs(rounded) > largest ? std::copysign(INFINITY, value)
                                      : rounded;
}

double mlir::attn::roundToF16(double value) {
  return roundToBinary(value, 10, -14, 65504.0);
}
double mlir::attn::roundToBF16(double value) {
  return roundToBinary(value, 7, -126, 0x1.FEp127);
}
double mlir::attn::roundToF32(double value) {
  return roundToBinary(value, 23, -126, std::numeric_limits<float>::max());
}

uint16_t mlir::attn::encodeBF16(double value) {
  // The rounded value is a float exactly; bf16 is its upper half.
  float f = std::isnan(value) ? std::numeric_limits<float>::quiet_NaN()
                              : static_cast<float>(roundToBF16(value));
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return static_cast<uint16_t>(bits >> 16);
}

double mlir::attn::decodeBF16(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}

uint16_t mlir::attn::encodeF16(double value) {
  uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  if (std::isnan(value))
    return 0x7E00;
  double rounded = std::fabs(roundToF16(value));
  if (std::isinf(rounded))
    return sign | 0x7C00;
  if (rounded < 0x1p-14) // subnormal (or zero): a multiple of 2^-24
    return sign | static_cast<uint16_t>(std::ldexp(rounded, 24));
  int exponent;
  std::frexp(rounded, &exponent);
  int biased = exponent - 1 + 15;
  auto fraction = static_cast<uint16_t>(std::ldexp(rounded, 11 - exponent)) -
                  0x400; // 11 significant bits, the leading one dropped
  return sign | static_cast<uint16_t>(biased << 10) | fraction;
}

double mlir::attn::decodeF16(uint16_t bits) {
  int exponent = (bits >> 10) & 0x1F;
  int fraction = bits & 0x3FF;
  double magnitude =
      exponent == 0 ? std::ldexp(fraction, -24)
      : exponent == 31
          ? (fraction ? std::numeric_limits<double>::quiet_NaN() : INFINITY)
          : std::ldexp(fraction | 0x400, exponent - 25);
  return bits & 0x8000 ? -magnitude : magnitude;
}

StringRef mlir::attn::npyDescriptor(NpyType type) {
  switch (type) {
  case NpyType::F16:
    return "<f2";
  case NpyType::F32:
    return "<f4";
  case NpyType::F64:
    return "<f8";
  case NpyType::I8:
    return "|i1";
  case NpyType::I32:
    return "<i4";
  case NpyType::I64:
    return "<i8";
  }
  return "<f8";
}

static llvm::Error npyError(StringRef name, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + message);
}

/// The value of `key` in the header dict, up to the next top-level comma or
/// closing brace (a tuple counts as one value).
static std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  for (StringRef quote : {"'", "\""}) {
    std::string quoted = (quote + key + quote).str();
    size_t at = header.find(quoted);
    if (at == StringRef::npos)
      continue;
    StringRef rest = header.drop_front(at + quoted.size()).ltrim();
    if (!rest.consume_front(":"))
      return std::nullopt;
    rest = rest.ltrim();
    if (rest.starts_with("(")) {
      size_t close = rest.find(')');
      return close == StringRef::npos
                 ? std::nullopt
                 : std::optional(rest.take_front(close + 1));
    }
    return rest.take_until([](char c) { return c == ',' || c == '}'; }).trim();
  }
  return std::nullopt;
}

llvm::Expected<Tensor> mlir::attn::parseNpy(StringRef bytes, StringRef name) {
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return npyError(name, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated header");
    headerLength = 0;
    for (int n = 3; n >= 0; --n)
      headerLength =
          headerLength << 8 | static_cast<unsigned char>(bytes[8 + n]);
    headerStart = 12;
  } else {
    return npyError(name, "unsupported .npy version " + llvm::Twine(major));
  }
  if (headerStart + headerLength > bytes.size())
    return npyError(name, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLength);

  std::optional<StringRef> descr = headerValue(header, "descr");
  std::optional<StringRef> order = headerValue(header, "fortran_order");
  std::optional<StringRef> shapeText = headerValue(header, "shape");
  if (!descr || !order || !shapeText)
    return npyError(name, "header lacks descr, fortran_order or shape");
  if (*order != "False")
    return npyError(name, "Fortran-ordered arrays are not supported; save a "
                          "C-ordered array (numpy.ascontiguousarray)");
  StringRef type = descr->trim("'\"");

  std::vector<int64_t> shape;
  StringRef dims = shapeText->trim("() ");
  while (!dims.empty()) {
    auto [dim, rest] = dims.split(',');
    dim = dim.trim();
    if (!dim.empty()) {
      int64_t value;
      if (dim.getAsInteger(10, value) || value < 0)
        return npyError(name, "bad shape entry '" + dim + "'");
      shape.push_back(value);
    }
    dims = rest;
  }

  size_t width;
  char kind;
  if (type.size() != 3 || (type[0] != '<' && type[0] != '|') ||
      !llvm::is_contained(StringRef("fiub"), type[1]) ||
      !llvm::to_integer(type.substr(2), width))
    return npyError(name, "unsupported dtype '" + type +
                              "' (little-endian f2/f4/f8, i1-i8, u1-u8, b1)");
  kind = type[1];
  if ((kind == 'f' && width != 2 && width != 4 && width != 8) ||
      (kind != 'f' && width != 1 && width != 2 && width != 4 && width != 8))
    return npyError(name, "unsupported dtype '" + type + "'");

  Tensor tensor(shape, 0.0,
                kind == 'f' ? ElementKind::Float : ElementKind::Integer);
  size_t count = tensor.numElements();
  StringRef payload = bytes.drop_front(headerStart + headerLength);
  if (payload.size() != count * width)
    return npyError(name, "holds " + llvm::Twine(payload.size()) +
                              " data bytes, but shape " + tensor.shapeString() +
                              " of '" + type + "' needs " +
                              llvm::Twine(count * width));
  const char *data = payload.data();
  for (size_t n = 0; n < count; ++n) {
    const char *at = data + n * width;
    uint64_t raw = 0;
    std::memcpy(&raw, at, width); // little-endian host
    double value;
    if (kind == 'f') {
      if (width == 2)
        value = decodeF16(static_cast<uint16_t>(raw));
      else if (width == 4) {
        float f;
        std::memcpy(&f, at, 4);
        value = f;
      } else {
        std::memcpy(&value, at, 8);
      }
    } else if (kind == 'i') {
      int64_t signedValue =
          static_cast<int64_t>(raw << (64 - 8 * width)) >> (64 - 8 * width);
      value = static_cast<double>(signedValue);
    } else {
      value = static_cast<double>(raw);
    }
    tensor.data[n] = value;
  }
  return tensor;
}

llvm::Expected<Tensor> mlir::attn::readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string mlir::attn::serializeNpy(const Tensor &tensor, NpyType type) {
  std::string header = "{'descr': '" + npyDescriptor(type).str() +
                       "', 'fortran_order': False, 'shape': (";
  // Python tuples: "()", "(5,)", "(2, 3)".
  for (auto [n, d] : llvm::enumerate(tensor.shape))
    header += (n ? ", " : "") + std::to_string(d);
  header += tensor.rank() == 1 ? ",)" : ")";
  header += ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  for (double value : tensor.data) {
    char bytes[8];
    size_t width;
    switch (type) {
    case NpyType::F16: {
      uint16_t bits = encodeF16(value);
      std::memcpy(bytes, &bits, width = 2);
      break;
    }
    case NpyType::F32: {
      float f = static_cast<float>(value);
      std::memcpy(bytes, &f, width = 4);
      break;
    }
    case NpyType::F64:
      std::memcpy(bytes, &value, width = 8);
      break;
    case NpyType::I8: {
      int8_t i = static_cast<int8_t>(value);
      std::memcpy(bytes, &i, width = 1);
      break;
    }
    case NpyType::I32: {
      int32_t i = static_cast<int32_t>(value);
      std::memcpy(bytes, &i, width = 4);
      break;
    }
    case NpyType::I64: {
      int64_t i = static_cast<int64_t>(value);
      std::memcpy(bytes, &i, width = 8);
      break;
    }
    }
    out.append(bytes, width);
  }
  return out;
}

llvm::Error mlir::attn::writeNpy(StringRef path, const Tensor &tensor,
                                 NpyType type) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return npyError(path, "cannot write: " + ec.message());
  os << serializeNpy(tensor, type);
  os.close();
  if (os.has_error())
    return npyError(path, "write failed: " + os.error().message());
  return llvm::Error::success();
}
