//===- Fiber.cpp - Cooperative threads for the SIMT emulator --------------===//
//
// On x86-64 a switch pushes the callee-saved registers and the SSE/x87
// control words on the running stack, stores the stack pointer, loads the
// other one and pops. Stacks come from mmap with a guard page below, so an
// overflow faults instead of corrupting a neighbour.
//
//===----------------------------------------------------------------------===//

#include "Fiber.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

using namespace attn::emu;

#if defined(__x86_64__)
extern "C" void attnEmuSwitchStacks(void **save, void *load);
asm(R"(
  .text
  .p2align 4
  .globl attnEmuSwitchStacks
  .hidden attnEmuSwitchStacks
  .type attnEmuSwitchStacks,@function
attnEmuSwitchStacks:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  retq
  .size attnEmuSwitchStacks, .-attnEmuSwitchStacks
)");
#endif

FiberContext::~FiberContext() {
  if (stack)
    munmap(stack, stackBytes);
}

void FiberContext::reset(void (*start)(), size_t bytes) {
  if (!stack) {
    size_t page = size_t(sysconf(_SC_PAGESIZE));
    stackBytes = (bytes + page - 1) / page * page + page;
    void *memory = mmap(nullptr, stackBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
      std::fprintf(stderr, "attn emulator: no memory for a fiber stack\n");
      std::abort();
    }
    stack = static_cast<char *>(memory);
    mprotect(stack, page, PROT_NONE); // The guard page.
  }
#if defined(__x86_64__)
  // The frame attnEmuSwitchStacks pops: control words, r15..r12, rbx, rbp,
  // then `start` as the return address, entered as if called (rsp = 8 mod
  // 16).
  auto top = reinterpret_cast<uintptr_t>(stack + stackBytes) & ~uintptr_t(15);
  auto *slots = reinterpret_cast<uint64_t *>(top) - 9;
  std::memset(slots, 0, 9 * sizeof(uint64_t));
  uint32_t controls[2] = {0x1F80, 0x037F}; // MXCSR and x87 defaults.
  std::memcpy(&slots[0], controls, sizeof(controls));
  slots[7] = reinterpret_cast<uint64_t>(start);
  stackPointer = slots;
#else
  getcontext(&context);
  context.uc_stack.ss_sp = stack;
  context.uc_stack.ss_size = stackBytes;
  context.uc_link = nullptr;
  makecontext(&context, start, 0);
#endif
}

void FiberContext::switchTo(FiberContext &from, FiberContext &to) {
#if defined(__x86_64__)
  attnEmuSwitchStacks(&from.stackPointer, to.stackPointer);
#else
  swapcontext(&from.context, &to.context);
#endif
}
