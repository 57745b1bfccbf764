# -*- Python -*-
# lit configuration for the attn tests: FileCheck tests of the dialect and
# passes, tool tests, the example specs and the unit tests (through lit's
# googletest format).

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "ATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "Inputs", "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%attn_src_root", config.attn_src_root))
config.substitutions.append(("%attn_obj_root", config.attn_obj_root))
config.substitutions.append(("%python", config.python_executable))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.attn_tools_dir, append_path=True)

tool_dirs = [config.attn_tools_dir, config.llvm_tools_dir]
tools = ["attn-opt", "attn-run"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The CUDA toolkit (libdevice for the NVIDIA pipeline's math functions, ptxas
# for cubins): tests that need it say `REQUIRES: cuda-toolkit` or
# `REQUIRES: ptxas` and are reported as unsupported where it is missing.
for variable in ["CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"]:
    if variable in os.environ:
        config.environment[variable] = os.environ[variable]
cuda_toolkit = next(
    (path for path in [os.environ.get(v) for v in ["CUDA_HOME", "CUDA_PATH",
                                                    "CUDA_ROOT"]]
     + ["/usr/local/cuda"]
     if path and os.path.isdir(os.path.join(path, "nvvm", "libdevice"))),
    None)
if cuda_toolkit:
    config.available_features.add("cuda-toolkit")
    ptxas = os.path.join(cuda_toolkit, "bin", "ptxas")
    if os.access(ptxas, os.X_OK):
        config.available_features.add("ptxas")
        config.substitutions.append(("%ptxas", ptxas))

# The ROCm toolkit folder the build makes (build/rocm-toolkit: Debian's
# rocm-device-libs and ld.lld) for HSACO: tests that link HSACO say
# `REQUIRES: amdgpu-toolkit`.
if os.path.isdir(os.path.join(config.attn_obj_root, "rocm-toolkit", "amdgcn",
                              "bitcode")):
    config.available_features.add("amdgpu-toolkit")

# A CUDA driver (and so perhaps a GPU) on this machine: the tests of what
# happens without one do not apply there.
# (What attnrt opens: libcuda.so.1 on the loader's path, not the toolkit's
# link-time stub.)
import ctypes
try:
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
# Likewise the HIP runtime attnrt opens for AMD GPUs.
for library in ["libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5"]:
    try:
        ctypes.CDLL(library)
        config.available_features.add("hip-runtime")
        break
    except OSError:
        pass
