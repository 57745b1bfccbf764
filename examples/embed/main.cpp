//===- main.cpp - An application that embeds compiled attention kernels ---===//
//
// The build runs attn-compile on decoder.mlir and links the kernels, their
// generated descriptors and attnrt into this program (CMakeLists.txt). It
// only needs <decoder.h>: tensors are DLPack DLTensors over the
// application's own memory, and each call returns a status with a message.
//
//   attn-embed-example [--threads N]
//       fills inputs, runs @prefill and @decode, prints a summary, and shows
//       how the runtime rejects a bad call
//   attn-embed-example prefill|decode IN OUT [--threads N]
//       reads the inputs from IN/<argument>.npy (as `attn-run --save` writes
//       them), runs the kernel and writes OUT/result<N>.npy, which
//       `attn-run --inputs IN --expect OUT` compares with the oracle
//
//===----------------------------------------------------------------------===//

#include "decoder.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

/// A dense row-major tensor in host memory and its DLTensor view.
class Tensor {
public:
  Tensor(attnElementType type, std::vector<int64_t> shape)
      : type(type), shape(std::move(shape)) {
    int64_t count = 1;
    for (int64_t size : this->shape)
      count *= size;
    // 8-byte words: aligned for every element type.
    storage.assign((count * elementBytes() + 7) / 8, 0);
    view.data = storage.data();
    view.device = {kDLCPU, 0};
    view.ndim = static_cast<int32_t>(this->shape.size());
    view.dtype = dtype();
    view.shape = this->shape.data();
    view.strides = nullptr; // Compact row-major.
    view.byte_offset = 0;
    elements = count;
  }

  DLTensor *dl() { return &view; }
  int64_t size() const { return elements; }
  const std::vector<int64_t> &sizes() const { return shape; }

  double get(int64_t n) const {
    if (type == ATTN_ELEMENT_F32)
      return reinterpret_cast<const float *>(storage.data())[n];
    return reinterpret_cast<const int32_t *>(storage.data())[n];
  }
  void set(int64_t n, double value) {
    if (type == ATTN_ELEMENT_F32)
      reinterpret_cast<float *>(storage.data())[n] = static_cast<float>(value);
    else
      reinterpret_cast<int32_t *>(storage.data())[n] =
          static_cast<int32_t>(value);
  }

private:
  // decoder.mlir uses f32 tensors and i32 lengths.
  int64_t elementBytes() const { return 4; }
  DLDataType dtype() const {
    if (type == ATTN_ELEMENT_F32)
      return {kDLFloat, 32, 1};
    return {kDLInt, 32, 1};
  }

  attnElementType type;
  std::vector<int64_t> shape;
  std::vector<uint64_t> storage;
  int64_t elements = 0;
  DLTensor view{};
};

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

//===--- .npy files (NumPy's format: a small header, then the data) -----===//

bool readNpy(const std::string &path, std::vector<int64_t> &shape,
             std::vector<double> &values, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    error = path + " is not an .npy file";
    return false;
  }
  size_t headerLength, start;
  auto byte = [&](size_t at) { return static_cast<unsigned char>(bytes[at]); };
  if (bytes[6] == 1) {
    headerLength = byte(8) | byte(9) << 8;
    start = 10;
  } else {
    headerLength =
        byte(8) | byte(9) << 8 | byte(10) << 16 | size_t(byte(11)) << 24;
    start = 12;
  }
  std::string header = bytes.substr(start, headerLength);
  auto field = [&](const std::string &key) {
    size_t at = header.find("'" + key + "'");
    return at == std::string::npos ? std::string()
                                   : header.substr(header.find(':', at) + 1);
  };
  std::string descr = field("descr");
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  if (field("fortran_order").find("True") < field("fortran_order").find(',')) {
    error = path + " is in Fortran order";
    return false;
  }
  std::string dims = field("shape");
  dims = dims.substr(dims.find('(') + 1, dims.find(')') - dims.find('(') - 1);
  shape.clear();
  std::stringstream list(dims);
  for (std::string item; std::getline(list, item, ',');)
    if (item.find_first_not_of(' ') != std::string::npos)
      shape.push_back(std::stoll(item));
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  size_t width = descr.size() == 3 ? size_t(descr[2] - '0') : 0;
  const char *data = bytes.data() + start + headerLength;
  if (bytes.size() < start + headerLength + count * width || width == 0) {
    error = path + ": unsupported element type '" + descr + "' or truncated";
    return false;
  }
  values.resize(count);
  for (int64_t n = 0; n < count; ++n) {
    const char *at = data + n * width;
    if (descr == "<f4") {
      float v;
      std::memcpy(&v, at, 4);
      values[n] = v;
    } else if (descr == "<f8") {
      std::memcpy(&values[n], at, 8);
    } else if (descr == "<i4") {
      int32_t v;
      std::memcpy(&v, at, 4);
      values[n] = v;
    } else if (descr == "<i8") {
      int64_t v;
      std::memcpy(&v, at, 8);
      values[n] = static_cast<double>(v);
    } else {
      error = path + ": unsupported element type '" + descr + "'";
      return false;
    }
  }
  return true;
}

bool writeNpy(const std::string &path, const Tensor &tensor) {
  std::string shape = "(";
  for (int64_t size : tensor.sizes())
    shape += std::to_string(size) + ",";
  shape += ")";
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  header += std::string(63 - (10 + header.size()) % 64, ' ') + "\n";
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  char length[2] = {static_cast<char>(header.size() & 0xff),
                    static_cast<char>(header.size() >> 8)};
  out.write(length, 2);
  out << header;
  for (int64_t n = 0; n < tensor.size(); ++n) {
    float v = static_cast<float>(tensor.get(n));
    out.write(reinterpret_cast<const char *>(&v), 4);
  }
  return static_cast<bool>(out);
}

//===--- Running a kernel ------------------------------------------------===//

/// Allocates the outputs of `kernel` for `inputs`, with the shapes the
/// runtime derives from the inputs.
bool allocateOutputs(const attnKernelDescriptor &kernel,
                     std::vector<Tensor> &inputs,
                     std::vector<Tensor> &outputs) {
  const attnKernel *handle;
  if (attnRegisterKernel(&kernel, &handle) != ATTN_SUCCESS)
    return false;
  std::vector<const DLTensor *> views;
  for (Tensor &input : inputs)
    views.push_back(input.dl());
  for (int32_t n = 0; n < kernel.numOutputs; ++n) {
    const attnArgumentSpec &spec = kernel.arguments[kernel.numInputs + n];
    std::vector<int64_t> shape(spec.rank);
    if (attnGetOutputShape(handle, views.data(), kernel.numInputs, n,
                           shape.data()) != ATTN_SUCCESS)
      return false;
    outputs.emplace_back(spec.elementType, shape);
  }
  return true;
}

/// Calls the typed entry point of `function`.
attnStatus call(const std::string &function, std::vector<Tensor> &in,
                std::vector<Tensor> &out) {
  if (function == "prefill")
    return attn_prefill(in[0].dl(), in[1].dl(), in[2].dl(), out[0].dl(),
                        out[1].dl());
  return attn_decode(in[0].dl(), in[1].dl(), in[2].dl(), in[3].dl(),
                     out[0].dl());
}

const attnKernelDescriptor &descriptorOf(const std::string &function) {
  return function == "prefill" ? attn_prefill_kernel : attn_decode_kernel;
}

int report(const char *what) {
  std::fprintf(stderr, "attn-embed-example: %s: %s\n", what,
               attnGetLastError());
  return 1;
}

/// Reads the inputs from `in`, runs `function`, writes its results to `out`.
int runOnFiles(const std::string &function, const std::string &in,
               const std::string &out) {
  const attnKernelDescriptor &kernel = descriptorOf(function);
  std::vector<Tensor> inputs, outputs;
  for (int32_t n = 0; n < kernel.numInputs; ++n) {
    const attnArgumentSpec &spec = kernel.arguments[n];
    std::vector<int64_t> shape;
    std::vector<double> values;
    std::string error;
    if (!readNpy(in + "/" + spec.name + ".npy", shape, values, error)) {
      std::fprintf(stderr, "attn-embed-example: %s\n", error.c_str());
      return 1;
    }
    inputs.emplace_back(spec.elementType, shape);
    for (size_t k = 0; k < values.size(); ++k)
      inputs.back().set(k, values[k]);
  }
  if (!allocateOutputs(kernel, inputs, outputs))
    return report("cannot allocate the outputs");
  if (call(function, inputs, outputs) != ATTN_SUCCESS)
    return report(function.c_str());
  std::error_code error;
  std::filesystem::create_directories(out, error);
  for (size_t n = 0; n < outputs.size(); ++n) {
    std::string path = out + "/result" + std::to_string(n) + ".npy";
    if (!writeNpy(path, outputs[n])) {
      std::fprintf(stderr, "attn-embed-example: cannot write %s\n",
                   path.c_str());
      return 1;
    }
    std::printf("%s: wrote %s %s\n", function.c_str(), path.c_str(),
                shapeText(outputs[n].sizes()).c_str());
  }
  return 0;
}

void fill(Tensor &tensor, double phase) {
  for (int64_t n = 0; n < tensor.size(); ++n)
    tensor.set(n, std::sin(0.37 * n + phase) * 0.8);
}

double checksum(const Tensor &tensor) {
  double sum = 0;
  for (int64_t n = 0; n < tensor.size(); ++n)
    sum += std::isfinite(tensor.get(n)) ? tensor.get(n) : 0.0;
  return sum;
}

/// Runs both kernels on generated inputs, then makes a mistake on purpose.
int demo() {
  const int64_t batch = 2, queries = 300, keys = 300;
  std::vector<Tensor> inputs, outputs;
  inputs.emplace_back(ATTN_ELEMENT_F32,
                      std::vector<int64_t>{batch, 8, queries, 64});
  inputs.emplace_back(ATTN_ELEMENT_F32,
                      std::vector<int64_t>{batch, 2, keys, 64});
  inputs.emplace_back(ATTN_ELEMENT_F32,
                      std::vector<int64_t>{batch, 2, keys, 64});
  for (size_t n = 0; n < inputs.size(); ++n)
    fill(inputs[n], double(n));
  if (!allocateOutputs(attn_prefill_kernel, inputs, outputs))
    return report("cannot allocate the outputs");
  if (call("prefill", inputs, outputs) != ATTN_SUCCESS)
    return report("prefill");
  std::printf("prefill: out %s, lse %s; sum(out) = %.6f, lse[0,0,0] = %.6f\n",
              shapeText(outputs[0].sizes()).c_str(),
              shapeText(outputs[1].sizes()).c_str(), checksum(outputs[0]),
              outputs[1].get(0));

  // One new token per sequence against a cache of 128 slots, 100 and 37 of
  // them valid.
  std::vector<Tensor> step, stepOut;
  step.emplace_back(ATTN_ELEMENT_F32, std::vector<int64_t>{batch, 8, 1, 64});
  step.emplace_back(ATTN_ELEMENT_F32, std::vector<int64_t>{batch, 2, 128, 64});
  step.emplace_back(ATTN_ELEMENT_F32, std::vector<int64_t>{batch, 2, 128, 64});
  step.emplace_back(ATTN_ELEMENT_I32, std::vector<int64_t>{batch});
  for (size_t n = 0; n < 3; ++n)
    fill(step[n], double(n) + 0.5);
  step[3].set(0, 100);
  step[3].set(1, 37);
  if (!allocateOutputs(attn_decode_kernel, step, stepOut))
    return report("cannot allocate the outputs");
  if (call("decode", step, stepOut) != ATTN_SUCCESS)
    return report("decode");
  std::printf("decode: out %s; sum(out) = %.6f\n",
              shapeText(stepOut[0].sizes()).c_str(), checksum(stepOut[0]));

  // A cache length beyond the cache is caught before the kernel reads it.
  step[3].set(1, 129);
  attnStatus status = call("decode", step, stepOut);
  std::printf("a bad call: %s: %s\n", attnGetStatusName(status),
              attnGetLastError());
  return status == ATTN_ERROR_DATA ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t n = 0; n < args.size(); ++n) {
    if (args[n] != "--threads")
      continue;
    if (n + 1 == args.size()) {
      std::fprintf(stderr, "attn-embed-example: --threads needs a count\n");
      return 1;
    }
    if (attnSetNumThreads(std::atoi(args[n + 1].c_str())) != ATTN_SUCCESS)
      return report("--threads");
    args.erase(args.begin() + n, args.begin() + n + 2);
    break;
  }
  int32_t threads = 0;
  attnGetNumThreads(&threads);
  std::printf("attn-embed-example: kernels compiled from %s for %s, %d "
              "thread%s\n",
              attn_prefill_kernel.source, attn_prefill_kernel.images[0].target,
              threads, threads == 1 ? "" : "s");
  if (args.empty())
    return demo();
  if (args.size() == 3 && (args[0] == "prefill" || args[0] == "decode"))
    return runOnFiles(args[0], args[1], args[2]);
  std::fprintf(stderr, "usage: attn-embed-example [--threads N] "
                       "[prefill|decode IN_DIR OUT_DIR]\n");
  return 2;
}
