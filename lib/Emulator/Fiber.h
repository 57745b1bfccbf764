//===- Fiber.h - Cooperative threads for the SIMT emulator ----*- C++ -*-===//
//
// A fiber is a stack and a saved context; switching between two is a few
// register moves (x86-64), or swapcontext elsewhere. The emulator switches
// fibers at every warp collective, so the switch must be cheap: one kernel
// run makes millions of them.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_EMULATOR_FIBER_H
#define ATTN_EMULATOR_FIBER_H

#include <cstddef>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace attn::emu {

class FiberContext {
public:
  FiberContext() = default;
  FiberContext(const FiberContext &) = delete;
  FiberContext &operator=(const FiberContext &) = delete;
  ~FiberContext();

  /// Gives this context a stack of `bytes` (once) and makes it start at
  /// `start()` when next switched to; `start` must never return.
  void reset(void (*start)(), size_t bytes);
  /// Saves the running context in `from` and continues `to`.
  static void switchTo(FiberContext &from, FiberContext &to);

private:
  char *stack = nullptr;
  size_t stackBytes = 0;
#if defined(__x86_64__)
  void *stackPointer = nullptr;
#else
  ucontext_t context;
#endif
};

} // namespace attn::emu

#endif // ATTN_EMULATOR_FIBER_H
