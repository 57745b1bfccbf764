//===- EmulatorTests.cpp - The SIMT emulator's semantics and reports ------===//
//
// Small kernels written against the emulator's runtime calls (as lowered
// kernels make them): barriers and shuffles give every thread what the GPU
// would, cp.async lands at its wait, and each fault the emulator promises
// to report - a barrier not every thread reaches, a collective with
// inactive lanes, a shared-memory race, an access out of bounds - is
// reported with who and where, instead of hanging or passing.
//
//===----------------------------------------------------------------------===//

#include "attn/Emulator/Simt.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <string>

namespace {

using namespace attn::emu;

/// The runtime's functions, as a lowered kernel calls them.
struct Runtime {
  int64_t (*threadId)(int32_t);
  int64_t (*blockId)(int32_t);
  void (*barrier)(int32_t);
  uint64_t (*shuffle)(int32_t, uint32_t, int32_t, int32_t, int32_t);
  void (*copyAsync)(int32_t, int64_t, int64_t, int32_t, int32_t, int32_t,
                    int32_t);
  void (*checkGlobal)(int32_t, int32_t, int32_t);
  void (*commit)(int32_t);
  void (*wait)(int32_t, int32_t);
  void (*access)(int32_t, int64_t, int32_t, int32_t, int32_t);

  Runtime() {
    for (auto [name, address] : runtimeSymbols()) {
      std::string n = name;
      if (n == "__attn_emu_thread_id")
        threadId = reinterpret_cast<decltype(threadId)>(address);
      else if (n == "__attn_emu_block_id")
        blockId = reinterpret_cast<decltype(blockId)>(address);
      else if (n == "__attn_emu_barrier")
        barrier = reinterpret_cast<decltype(barrier)>(address);
      else if (n == "__attn_emu_shuffle")
        shuffle = reinterpret_cast<decltype(shuffle)>(address);
      else if (n == "__attn_emu_cp_async")
        copyAsync = reinterpret_cast<decltype(copyAsync)>(address);
      else if (n == "__attn_emu_cp_commit")
        commit = reinterpret_cast<decltype(commit)>(address);
      else if (n == "__attn_emu_cp_wait")
        wait = reinterpret_cast<decltype(wait)>(address);
      else if (n == "__attn_emu_check_global")
        checkGlobal = reinterpret_cast<decltype(checkGlobal)>(address);
      else if (n == "__attn_emu_access")
        access = reinterpret_cast<decltype(access)>(address);
    }
  }
};
const Runtime runtime;

/// The block's shared memory, from the packed arguments.
char *sharedOf(void **packed) {
  auto *descriptor = *static_cast<int64_t **>(packed[0]);
  return reinterpret_cast<char *>(descriptor[1]);
}

/// What the test kernels write, per (block, thread).
int64_t observed[4][128];

Launch launchOf(PackedEntry entry, int32_t threads, int64_t sharedBytes) {
  Launch launch;
  launch.entry = entry;
  launch.threadsPerBlock = threads;
  launch.sharedBytes = sharedBytes;
  launch.grid[0] = 2;
  launch.sites = {"the first site", "the second site", "the third site"};
  launch.workers = 1;
  std::memset(observed, 0, sizeof(observed));
  return launch;
}

int32_t load(char *shared, int64_t offset, int32_t site = 1) {
  runtime.access(site, reinterpret_cast<int64_t>(shared + offset), 4, 0, 1);
  int32_t value;
  std::memcpy(&value, shared + offset, 4);
  return value;
}

void store(char *shared, int64_t offset, int32_t value, int32_t site = 0) {
  runtime.access(site, reinterpret_cast<int64_t>(shared + offset), 4, 1, 1);
  std::memcpy(shared + offset, &value, 4);
}

/// Each thread writes its id, waits at a barrier, reads its neighbour's.
void exchangeThroughShared(void **packed) {
  char *shared = sharedOf(packed);
  int64_t t = runtime.threadId(0), b = runtime.blockId(0);
  store(shared, 4 * t, int32_t(100 * b + t));
  runtime.barrier(2);
  observed[b][t] = load(shared, 4 * ((t + 1) % 128));
}

TEST(Emulator, BarrierMakesEveryWriteVisible) {
  EXPECT_EQ(run(launchOf(&exchangeThroughShared, 128, 512)), "");
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 128; ++t)
      EXPECT_EQ(observed[b][t], 100 * b + (t + 1) % 128) << b << ", " << t;
}

/// The same without the barrier: a read after another thread's write.
void exchangeWithoutBarrier(void **packed) {
  char *shared = sharedOf(packed);
  int64_t t = runtime.threadId(0);
  if (t == 1)
    store(shared, 0, 7);
  if (t == 2)
    observed[0][t] = load(shared, 0);
}

TEST(Emulator, ReportsAReadAfterWriteRace) {
  std::string report = run(launchOf(&exchangeWithoutBarrier, 128, 512));
  EXPECT_NE(report.find("block (0, 0, 0), thread 2: shared-memory race (read "
                        "after write) at byte 0: a load at the second site "
                        "reads it after thread 1 (the first site), with no "
                        "barrier between"),
            std::string::npos)
      << report;
}

/// Threads 64.. return before the barrier the others wait at.
void partialBarrier(void **packed) {
  if (runtime.threadId(0) >= 64)
    return;
  runtime.barrier(2);
}

TEST(Emulator, ReportsABarrierNotEveryThreadReaches) {
  std::string report = run(launchOf(&partialBarrier, 128, 0));
  EXPECT_EQ(report, "block (0, 0, 0): a barrier not every thread reaches: "
                    "threads 0-63 wait at the third site; threads 64-127 "
                    "have returned");
}

/// Lanes 0-15 of warp 1 return; the others shuffle.
void shuffleWithInactiveLanes(void **packed) {
  int64_t t = runtime.threadId(0);
  if (t >= 32 && t < 48)
    return;
  runtime.shuffle(1, uint32_t(t), 1, 32, 0);
}

TEST(Emulator, ReportsACollectiveWithInactiveLanes) {
  std::string report = run(launchOf(&shuffleWithInactiveLanes, 64, 0));
  EXPECT_EQ(report, "block (0, 0, 0): a warp collective with inactive lanes: "
                    "warp 1: lanes 0-15 have returned; lanes 16-31 wait at "
                    "the second site");
}

/// Every shuffle mode, from lane values 1000 + lane.
void shuffleModes(void **packed) {
  int64_t t = runtime.threadId(0);
  auto value = uint32_t(1000 + t % 32);
  uint64_t xor3 = runtime.shuffle(0, value, 3, 32, 0);
  uint64_t up2 = runtime.shuffle(0, value, 2, 32, 1);
  uint64_t down5 = runtime.shuffle(0, value, 5, 16, 2);
  uint64_t idx = runtime.shuffle(0, value, 7, 8, 3);
  observed[0][t] = int64_t(uint32_t(xor3));
  observed[1][t] = int64_t(uint32_t(up2)) + 10000 * int64_t(up2 >> 32);
  observed[2][t] = int64_t(uint32_t(down5)) + 10000 * int64_t(down5 >> 32);
  observed[3][t] = int64_t(uint32_t(idx));
}

TEST(Emulator, ShufflesAsPtxShflSync) {
  Launch launch = launchOf(&shuffleModes, 64, 0);
  launch.grid[0] = 1;
  ASSERT_EQ(run(launch), "");
  for (int64_t t = 0; t < 64; ++t) {
    int64_t lane = t % 32;
    EXPECT_EQ(observed[0][t], 1000 + (lane ^ 3));
    // Out of the segment: the lane's own value, not valid.
    EXPECT_EQ(observed[1][t], lane >= 2 ? 11000 + lane - 2 : 1000 + lane);
    int64_t segment = lane / 16 * 16;
    EXPECT_EQ(observed[2][t],
              lane + 5 < segment + 16 ? 11000 + lane + 5 : 1000 + lane);
    EXPECT_EQ(observed[3][t], 1000 + lane / 8 * 8 + 7);
  }
}

/// cp.async lands at the wait that covers it, not before.
void copyThenWait(void **packed) {
  char *shared = sharedOf(packed);
  int64_t t = runtime.threadId(0);
  static const int32_t source[4] = {11, 12, 13, 14};
  char *destination = shared + 16 * t;
  runtime.copyAsync(0, reinterpret_cast<int64_t>(destination),
                    reinterpret_cast<int64_t>(source), 16, 8, 1, 1);
  runtime.commit(0);
  int32_t before;
  std::memcpy(&before, destination, 4);
  runtime.wait(0, 0);
  observed[0][t] = before;
  observed[1][t] = load(shared, 16 * t);
  observed[2][t] = load(shared, 16 * t + 12); // Past the 8 source bytes.
}

TEST(Emulator, CopiesLandAtTheirWait) {
  Launch launch = launchOf(&copyThenWait, 32, 512);
  launch.grid[0] = 1;
  ASSERT_EQ(run(launch), "");
  for (int64_t t = 0; t < 32; ++t) {
    EXPECT_EQ(observed[0][t], -1); // The buffer's NaN bytes.
    EXPECT_EQ(observed[1][t], 11);
    EXPECT_EQ(observed[2][t], 0); // Zero-filled.
  }
}

/// Thread 5 reads past the end of 256 bytes of shared memory.
void readPastTheEnd(void **packed) {
  if (runtime.threadId(0) == 5)
    load(sharedOf(packed), 254);
}

TEST(Emulator, ReportsSharedAccessesOutOfBounds) {
  std::string report = run(launchOf(&readPastTheEnd, 32, 256));
  EXPECT_EQ(report, "block (0, 0, 0), thread 5: a load at the second site "
                    "reads 4 bytes at offset 254 of the block's shared "
                    "memory, which has 256 bytes");
}

/// A store whose indices the lowering found out of their buffer's bounds.
void storeOutOfItsBuffer(void **packed) {
  char *shared = sharedOf(packed);
  if (runtime.threadId(0) == 3)
    runtime.access(2, reinterpret_cast<int64_t>(shared), 4, 1, 0);
}

TEST(Emulator, ReportsIndicesOutOfTheirBuffer) {
  std::string report = run(launchOf(&storeOutOfItsBuffer, 32, 256));
  EXPECT_EQ(report, "block (0, 0, 0), thread 3: a store at the third site "
                    "indexes its shared-memory buffer out of bounds");
}

/// Thread 9 stores past the end of a global buffer (as the lowering finds
/// its indices); the store must not happen.
int32_t globalBuffer[4];
void storeOutOfGlobalBuffer(void **packed) {
  int64_t t = runtime.threadId(0);
  bool inBounds = t < 4;
  runtime.checkGlobal(1, 1, inBounds);
  globalBuffer[t] = 1; // Reached by threads 0-3 only, or the test crashes.
}

TEST(Emulator, ReportsGlobalAccessesOutOfBoundsBeforeTheyHappen) {
  Launch launch = launchOf(&storeOutOfGlobalBuffer, 32, 0);
  launch.grid[0] = 1;
  std::string report = run(launch);
  EXPECT_EQ(report, "block (0, 0, 0), thread 4: a store at the second site "
                    "indexes its global buffer out of bounds");
}

} // namespace
