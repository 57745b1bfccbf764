/*===- runtime.h - attnrt: running compiled attention kernels -----*- C -*-===*
 *
 * The C API of attnrt, the runtime that applications link with the kernels
 * `attn-compile` produces. Tensors are DLPack `DLTensor`s; the runtime finds
 * the device from them, checks every argument against the kernel's signature
 * (element type, rank, shapes and the sizes that must agree across
 * arguments, strides, alignment, null pointers, device), loads the kernel
 * once per device and launches it. A bad argument returns an error code and
 * a message naming the argument and what was expected; it never crashes.
 *
 * Errors: every function that can fail returns an attnStatus, and
 * attnGetLastError() gives the message of the calling thread's last such
 * call ("" after one that succeeded).
 *
 * Kernels: attn-compile writes, for each spec function `@f`, a descriptor
 * `attn_f_kernel` (the signature as static tables, and the code per device)
 * and a typed entry point `attn_f(...)` that registers the descriptor on
 * first use and launches it. The registry is keyed by the kernel's name,
 * "<spec>.<function>".
 *
 * Devices: the CPU, NVIDIA GPUs (kDLCUDA) and AMD GPUs (kDLROCM); the
 * CUDA driver and the HIP runtime are loaded at run time, so the same
 * binary runs where there is neither. The device comes from the tensors'
 * DLDevice.
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTN_RUNTIME_H
#define ATTN_RUNTIME_H

#include <dlpack/dlpack.h>

#include <stddef.h>
#include <stdint.h>

#if defined(ATTN_RUNTIME_BUILDING)
#define ATTN_RUNTIME_EXPORT __attribute__((visibility("default")))
#else
#define ATTN_RUNTIME_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the descriptor layout below. attn-compile writes it into
 * every descriptor; the runtime refuses descriptors of another version. */
#define ATTN_KERNEL_ABI_VERSION 3

/*===--- Status -----------------------------------------------------------===*/

typedef enum attnStatus {
  ATTN_SUCCESS = 0,
  /* A null DLTensor, data, shape or output pointer. */
  ATTN_ERROR_NULL_POINTER = 1,
  /* A bad value that is not a tensor property: argument count, thread count,
   * output index. */
  ATTN_ERROR_INVALID_VALUE = 2,
  /* A tensor's element type (DLDataType) differs from the kernel's. */
  ATTN_ERROR_DTYPE = 3,
  /* A tensor's number of dimensions differs from the kernel's. */
  ATTN_ERROR_RANK = 4,
  /* A size differs from the spec's static size, or from the same size in
   * another argument (batch, sequence lengths, heads), or is negative. */
  ATTN_ERROR_SHAPE = 5,
  /* A tensor is not dense row-major (compact strides). */
  ATTN_ERROR_STRIDES = 6,
  /* A data pointer (data + byte_offset) is not aligned for the element. */
  ATTN_ERROR_ALIGNMENT = 7,
  /* A tensor is on a device this build cannot run the kernel on, or the
   * tensors are on different devices. */
  ATTN_ERROR_DEVICE = 8,
  /* An output overlaps another argument. */
  ATTN_ERROR_ALIASING = 9,
  /* A value read by the kernel as an index is out of range (q_len, kv_len). */
  ATTN_ERROR_DATA = 10,
  /* No kernel of that name is registered. */
  ATTN_ERROR_NOT_FOUND = 11,
  /* Another descriptor is registered under the same name. */
  ATTN_ERROR_ALREADY_REGISTERED = 12,
  /* The descriptor was written for another runtime ABI version, or is
   * malformed. */
  ATTN_ERROR_BAD_DESCRIPTOR = 13,
  /* Not available in this build (OpenMP threads, a device backend). */
  ATTN_ERROR_UNSUPPORTED = 14
} attnStatus;

/* The message of the calling thread's last call that returned an
 * attnStatus: which argument is wrong and what was expected; "" if that call
 * succeeded. The pointer stays valid until the thread's next such call. */
ATTN_RUNTIME_EXPORT const char *attnGetLastError(void);

/* "ATTN_SUCCESS", "ATTN_ERROR_SHAPE", ...; "unknown status" otherwise. */
ATTN_RUNTIME_EXPORT const char *attnGetStatusName(attnStatus status);

/*===--- Kernel signatures, written by attn-compile -----------------------===*/

/* Element types of kernel arguments, with their DLPack encoding. */
typedef enum attnElementType {
  ATTN_ELEMENT_F32 = 0,  /* kDLFloat, 32 bits */
  ATTN_ELEMENT_F16 = 1,  /* kDLFloat, 16 bits */
  ATTN_ELEMENT_BF16 = 2, /* kDLBfloat, 16 bits */
  ATTN_ELEMENT_F64 = 3,  /* kDLFloat, 64 bits */
  ATTN_ELEMENT_I1 = 4,   /* kDLBool (DLPack >= 0.8) or kDLUInt, 8 bits */
  ATTN_ELEMENT_I8 = 5,   /* kDLInt, 8 bits */
  ATTN_ELEMENT_I16 = 6,  /* kDLInt, 16 bits */
  ATTN_ELEMENT_I32 = 7,  /* kDLInt, 32 bits */
  ATTN_ELEMENT_I64 = 8   /* kDLInt, 64 bits (also MLIR's index) */
} attnElementType;

/* One argument of a kernel: the spec function's arguments in order, then
 * its results (outputs the caller allocates and the kernel writes). */
typedef struct attnArgumentSpec {
  /* The C parameter name: the spec's SSA name, or its attn.name. */
  const char *name;
  /* What the argument is to the attention op: "query", "key", "value",
   * "q_len", "kv_len", "segment_ids", "bias", "captures", ..., "output",
   * "lse"; "unused" if nothing reads it. */
  const char *role;
  int32_t isOutput;
  attnElementType elementType;
  /* 0 for a scalar, passed as a 0-d tensor and to the kernel by value. */
  int32_t rank;
  /* `rank` sizes; -1 where the spec leaves the size dynamic. */
  const int64_t *staticSizes;
  /* Bytes the first element's address (data + byte_offset) must be a
   * multiple of. */
  int64_t alignment;
} attnArgumentSpec;

/* A size that several arguments share (B, Hq, Sq, Skv, ...). */
typedef struct attnSymbol {
  const char *name;
  /* The spec's static value, or -1 where it is dynamic. */
  int64_t staticValue;
  /* -1, -1 for a size arguments give; else the two symbols (themselves not
   * products) whose product this size is: a paged cache's key length is
   * max_pages * page_size. */
  int32_t factors[2];
} attnSymbol;

typedef enum attnConstraintKind {
  /* sizes[dim] of `argument` equals `symbol`. The first such argument (in
   * argument order) gives a dynamic symbol its value. */
  ATTN_CONSTRAINT_DIM_EQUALS = 0,
  /* sizes[dim] equals `symbol` or is 1 (NumPy broadcasting). */
  ATTN_CONSTRAINT_DIM_BROADCASTS = 1,
  /* sizes[dim] >= ceil(symbol / value): a captured tensor a region indexes
   * with b, h, i or j (divided by `value`), a block layout or block
   * statistics (blocks of `value` queries or keys). */
  ATTN_CONSTRAINT_DIM_COVERS = 2,
  /* Every element of `argument` lies in [0, symbol] (q_len, kv_len);
   * `dim` is -1. */
  ATTN_CONSTRAINT_VALUES_AT_MOST = 3,
  /* `symbol` is a multiple of symbol `value` (query heads of key/value
   * heads); `argument` and `dim` are -1. */
  ATTN_CONSTRAINT_SYMBOL_MULTIPLE = 4,
  /* Every element of `argument` lies in [0, symbol) (a page table's pages);
   * `dim` is -1. */
  ATTN_CONSTRAINT_VALUES_BELOW = 5
} attnConstraintKind;

typedef struct attnConstraint {
  attnConstraintKind kind;
  int32_t argument;
  int32_t dim;
  int32_t symbol;
  /* The divisor (DIM_COVERS) or the other symbol (SYMBOL_MULTIPLE). */
  int64_t value;
} attnConstraint;

/* Runs a CPU kernel: arguments[i] points to the memref descriptor of tensor
 * argument i ({allocated, aligned, offset, sizes[rank], strides[rank]}), or
 * to the value of scalar argument i. */
typedef void (*attnCpuEntry)(void *const *arguments);

/* How a GPU kernel is launched. Its parameters are those of the CPU entry,
 * flattened: each tensor argument's memref descriptor field by field
 * (allocated, aligned, offset, sizes[rank], strides[rank]), each scalar by
 * value. The grid is (ceil(Sq * group / rowsPerBlock), gridY, B), with B and
 * Sq dimensions 0 and 2 of argument `queryArgument`. */
typedef struct attnGpuLaunch {
  int32_t threadsPerBlock;
  /* Bytes of dynamic shared memory per block. */
  int32_t sharedBytes;
  int32_t queryArgument;
  /* Query heads per key/value head: a block's rows interleave them. */
  int32_t group;
  int32_t rowsPerBlock;
  /* Blocks along y: the key/value heads. */
  int32_t gridY;
} attnGpuLaunch;

/* One kernel of a GPU image whose function has several attention and merge
 * ops: each is a kernel of its own (a step), the steps run in turn, and
 * every step takes the same buffers - the arguments, the outputs, then the
 * descriptor's temporaries - flattened as above. The grid's B and Sq come
 * from buffer `launch.queryArgument`, which may be a temporary. */
typedef struct attnGpuStep {
  const char *entryName;
  attnGpuLaunch launch;
} attnGpuStep;

/* A buffer the steps of a GPU image pass between them (an op's result the
 * function does not return). attnrt allocates it on the device for each
 * launch and frees it after the last step; its strides are compact. */
typedef struct attnTemporarySpec {
  const char *name;
  attnElementType elementType;
  int32_t rank;
  /* `rank` sizes; -1 where the size is that of the same dimension of
   * argument `shapeArgument` (the op's query: B, Hq, Sq). */
  const int64_t *staticSizes;
  int32_t shapeArgument;
} attnTemporarySpec;

/* The code of a kernel for one kind of device. */
typedef struct attnKernelImage {
  /* A DLDeviceType: kDLCPU, kDLCUDA or kDLROCM. */
  int32_t deviceType;
  /* What the code was compiled for, e.g. "znver4 (avx2 fma avx512f)" or
   * "sm_90". */
  const char *target;
  /* kDLCPU: the entry point; NULL otherwise. */
  attnCpuEntry cpuEntry;
  /* GPU images: the kernel's name in its module, the module as PTX text
   * (NUL-terminated; the driver compiles it for the device at load time)
   * and, optionally, as a cubin for `target` (loaded first where the device
   * can run it). kDLROCM images have no PTX: `cubin` holds the HSACO code
   * object for `target` (gfx90a, gfx942). A descriptor may hold several
   * images of one device type (sm_80, sm_90): the runtime takes the first
   * one the device loads. */
  const char *entryName;
  const char *ptx;
  const unsigned char *cubin;
  uint64_t cubinSize;
  attnGpuLaunch launch;
  /* GPU images of a function of several ops: its kernels, run in turn on
   * the arguments, outputs and temporaries (entryName and launch are then
   * unused); 0 and NULL for a function of one kernel. */
  int32_t numSteps;
  const attnGpuStep *steps;
} attnKernelImage;

typedef struct attnKernelDescriptor {
  /* ATTN_KERNEL_ABI_VERSION when it was written. */
  int32_t abiVersion;
  /* The registry key, "<spec>.<function>". */
  const char *name;
  /* The spec function, e.g. "local_layer", and where the spec defines it,
   * e.g. "gemma2.mlir:7". */
  const char *function;
  const char *source;
  int32_t numInputs;
  int32_t numOutputs;
  /* numInputs + numOutputs entries. */
  const attnArgumentSpec *arguments;
  int32_t numSymbols;
  const attnSymbol *symbols;
  int32_t numConstraints;
  const attnConstraint *constraints;
  int32_t numImages;
  const attnKernelImage *images;
  /* The buffers GPU steps pass between them (see attnGpuStep); 0 and NULL
   * for a function of one op. */
  int32_t numTemporaries;
  const attnTemporarySpec *temporaries;
} attnKernelDescriptor;

/*===--- Registry and launch ----------------------------------------------===*/

/* A registered kernel; owned by the runtime, valid until the process ends. */
typedef struct attnKernel attnKernel;

/* Registers `descriptor` under its name (checking that it is well formed)
 * and returns its kernel. Registering the same descriptor again returns the
 * same kernel; another descriptor with the same name is
 * ATTN_ERROR_ALREADY_REGISTERED. The descriptor must outlive the process's
 * use of the kernel (attn-compile's are static). */
ATTN_RUNTIME_EXPORT attnStatus attnRegisterKernel(
    const attnKernelDescriptor *descriptor, const attnKernel **kernel);

/* The kernel registered under `name`, or ATTN_ERROR_NOT_FOUND. */
ATTN_RUNTIME_EXPORT attnStatus attnFindKernel(const char *name,
                                              const attnKernel **kernel);

/* The descriptor a kernel was registered from. */
ATTN_RUNTIME_EXPORT const attnKernelDescriptor *
attnGetKernelDescriptor(const attnKernel *kernel);

/* Checks `arguments` (numInputs inputs, then numOutputs outputs) against the
 * kernel's signature without running it. */
ATTN_RUNTIME_EXPORT attnStatus
attnCheckArguments(const attnKernel *kernel, const DLTensor *const *arguments,
                   int32_t numArguments);

/* Checks the arguments, then runs the kernel on their device, writing the
 * outputs. Returns when the outputs are written (on a GPU too: the launch
 * is followed by a synchronisation). */
ATTN_RUNTIME_EXPORT attnStatus attnLaunch(const attnKernel *kernel,
                                          const DLTensor *const *arguments,
                                          int32_t numArguments);

/* The shape of output `output` (0 for the first) for these inputs, written
 * to `shape` (room for the output's rank), so the caller can allocate it.
 * The inputs are checked as attnCheckArguments checks them. */
ATTN_RUNTIME_EXPORT attnStatus attnGetOutputShape(const attnKernel *kernel,
                                                  const DLTensor *const *inputs,
                                                  int32_t numInputs,
                                                  int32_t output,
                                                  int64_t *shape);

/*===--- Devices and threads ----------------------------------------------===*/

/* How many devices of `type` this build can run kernels on: 1 for kDLCPU;
 * for kDLCUDA the driver's count (the driver library, libcuda.so.1, is
 * loaded at the first call: without it, or without a GPU, the status is
 * ATTN_ERROR_UNSUPPORTED and the message says which); for kDLROCM the HIP
 * runtime's (libamdhip64.so, likewise); ATTN_ERROR_UNSUPPORTED
 * for a device type without a backend in this build. */
ATTN_RUNTIME_EXPORT attnStatus attnGetDeviceCount(DLDeviceType type,
                                                  int32_t *count);

/* The device's name ("NVIDIA H200 (sm_90)", or the CPU's), into `name` of
 * `size` bytes (truncated, always NUL-terminated). */
ATTN_RUNTIME_EXPORT attnStatus attnGetDeviceName(DLDevice device, char *name,
                                                 int32_t size);

/* Memory on a device, for programs without an allocator of their own
 * (attn-run, the GPU check's harness): on kDLCPU malloc, memcpy and free;
 * on kDLCUDA the driver's, on kDLROCM the HIP runtime's. Copies are
 * synchronous. */
ATTN_RUNTIME_EXPORT attnStatus attnDeviceAlloc(DLDevice device, uint64_t bytes,
                                               void **pointer);
ATTN_RUNTIME_EXPORT attnStatus attnDeviceFree(DLDevice device, void *pointer);
ATTN_RUNTIME_EXPORT attnStatus attnCopyToDevice(DLDevice device,
                                                void *destination,
                                                const void *source,
                                                uint64_t bytes);
ATTN_RUNTIME_EXPORT attnStatus attnCopyFromDevice(DLDevice device,
                                                  void *destination,
                                                  const void *source,
                                                  uint64_t bytes);

/* The number of threads CPU kernels use; 0 restores the default (the
 * OpenMP default: OMP_NUM_THREADS, else every core). Applies to launches
 * from every thread. Without OpenMP in this build only 1 is accepted. */
ATTN_RUNTIME_EXPORT attnStatus attnSetNumThreads(int32_t threads);

/* The number of threads the next CPU launch will use. */
ATTN_RUNTIME_EXPORT attnStatus attnGetNumThreads(int32_t *threads);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_RUNTIME_H */
