//===- Simt.cpp - Run lowered GPU kernels on the CPU ----------------------===//
//
// Each CPU worker takes blocks from a shared counter and runs one block at a
// time: its threads are fibers, scheduled round robin, each running until it
// blocks at a barrier or a warp collective (or returns). The last thread to
// reach a barrier releases the others; the last lane to reach a collective
// computes it for the whole warp (shuffle, ldmatrix, mma.sync with the PTX
// ISA's fragment layouts, MFMA with the CDNA ISA's on a wave of 64). A pass in
// which no fiber can run, while some have not returned, is a deadlock: the
// report says who waits where.
//
// Shared memory gets a shadow of 2-byte granules recording the last writer
// and reader and the barrier interval ("epoch") of each access; an access by
// another thread in the same interval is a race. cp.async copies are
// deferred to the wait that covers them, as the hardware may land them at
// any time before it: a read of their destination by another thread while
// they are in flight is a race, and reading it before the wait gets what
// was there before (the buffer starts as NaN bytes).
//
//===----------------------------------------------------------------------===//

#include "attn/Emulator/Simt.h"

#include "Fiber.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

using namespace attn::emu;

namespace {

enum class FiberState { Runnable, AtBarrier, AtCollective, Returned };

/// A cp.async in flight.
struct PendingCopy {
  char *destination;
  const char *source;
  int32_t bytes, sourceBytes;
  int64_t group;
  uint32_t issueEpoch;
  int32_t site;
};

struct Thread {
  FiberContext context;
  int32_t id = 0;
  FiberState state = FiberState::Runnable;
  /// Where it waits (a site id), while at a barrier or collective.
  int32_t site = -1;
  std::vector<PendingCopy> copies;
  int64_t committedGroups = 0;
};

enum class Collective : int32_t { Shuffle, LdMatrix, Mma, Mfma };

/// What one lane brings to a warp collective, and gets back.
struct LaneSlot {
  int32_t site;
  Collective kind;
  // Shuffle.
  uint32_t value, result;
  int32_t offset, width, mode;
  bool valid;
  // ldmatrix: this lane's row address, and where its registers go.
  const char *row;
  uint32_t *registers;
  int32_t tiles;
  bool transpose;
  // mma.sync (a: 4 words, b: 2) and MFMA (a, b: 2 words each).
  int32_t mmaKind;
  const uint32_t *a, *b;
  const float *c;
  float *d;
};

struct Warp {
  int32_t arrived = 0;
  std::vector<LaneSlot> lanes;
};

/// The shadow of two bytes of shared memory.
struct Granule {
  uint32_t writeEpoch, readEpoch;
  uint16_t writer, reader; // Thread id + 1; 0 none; kSeveral.
  int32_t writeSite;
};
constexpr uint16_t kSeveral = 0xFFFF;

/// A fault ends the block: the fiber saying so never runs again.
struct LaunchState {
  const Launch *launch = nullptr;
  std::atomic<int64_t> nextBlock{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::string report;
};

class Worker {
public:
  Worker(LaunchState &state);
  /// Runs blocks until none is left or a fault is found.
  void runBlocks();

  // The kernel's calls, on the running fiber.
  int64_t threadId() const { return running->id; }
  int64_t blockId(int32_t dimension) const { return block[dimension]; }
  void barrier(int32_t site);
  uint64_t shuffle(int32_t site, uint32_t value, int32_t offset, int32_t width,
                   int32_t mode);
  void ldmatrix(int32_t site, const char *row, bool inBounds, int32_t tiles,
                bool transpose, uint32_t *registers);
  void mma(int32_t site, int32_t kind, const uint32_t *a, const uint32_t *b,
           const float *c, float *d);
  void mfma(int32_t site, int32_t kind, const uint32_t *a, const uint32_t *b,
            const float *c, float *d);
  void copyAsync(int32_t site, char *destination, const char *source,
                 int32_t bytes, int32_t sourceBytes, bool inBounds,
                 bool sourceInBounds);
  void checkGlobal(int32_t site, bool write, bool inBounds);
  void commitGroup(int32_t site);
  void waitGroup(int32_t site, int32_t pending);
  void access(int32_t site, const char *address, int32_t bytes, bool write,
              bool inBounds);

  static thread_local Worker *current;

private:
  static void fiberMain();
  bool runBlock(int64_t linear);
  void yield();
  [[noreturn]] void fail(const std::string &what);
  std::string siteName(int32_t site) const;
  std::string describeDeadlock() const;
  LaneSlot &arrive(int32_t site, Collective kind);
  /// Blocks the running lane until every lane of its warp has arrived; the
  /// last one computes the collective for all.
  void waitForWarp(int32_t site);
  void completeCollective(Warp &warp, int32_t warpIndex);
  void checkShared(int32_t site, const char *address, int32_t bytes, bool write,
                   uint32_t since, const char *what);
  void completeCopies(Thread &thread, int64_t beforeGroup);

  LaunchState &state;
  const Launch &launch;
  FiberContext scheduler;
  std::vector<std::unique_ptr<Thread>> threads;
  std::vector<Warp> warps;
  Thread *running = nullptr;
  int64_t block[3] = {0, 0, 0};
  int32_t atBarrier = 0;
  uint32_t epoch = 1;
  std::vector<char> shared;
  std::vector<Granule> shadow;
  int64_t sharedDescriptor[5] = {0, 0, 0, 0, 1};
  void *sharedDescriptorPointer = nullptr;
  std::vector<void *> packed;
  bool aborted = false;
};

thread_local Worker *Worker::current = nullptr;

Worker::Worker(LaunchState &state) : state(state), launch(*state.launch) {
  for (int32_t t = 0; t < launch.threadsPerBlock; ++t) {
    threads.push_back(std::make_unique<Thread>());
    threads.back()->id = t;
  }
  int32_t warpCount =
      (launch.threadsPerBlock + launch.warpSize - 1) / launch.warpSize;
  warps.resize(warpCount);
  for (Warp &warp : warps)
    warp.lanes.resize(launch.warpSize);
  shared.resize(launch.sharedBytes);
  shadow.resize((launch.sharedBytes + 1) / 2);
  sharedDescriptor[0] = sharedDescriptor[1] =
      reinterpret_cast<int64_t>(shared.data());
  sharedDescriptor[3] = launch.sharedBytes;
  sharedDescriptorPointer = sharedDescriptor;
  packed.push_back(&sharedDescriptorPointer);
  packed.insert(packed.end(), launch.arguments.begin(), launch.arguments.end());
}

void Worker::fiberMain() {
  Worker &w = *current;
  w.launch.entry(w.packed.data());
  Thread &thread = *w.running;
  // Copies still in flight land before the block ends.
  w.completeCopies(thread, INT64_MAX);
  thread.state = FiberState::Returned;
  FiberContext::switchTo(thread.context, w.scheduler);
  __builtin_unreachable();
}

void Worker::runBlocks() {
  current = this;
  int64_t blocks = launch.grid[0] * launch.grid[1] * launch.grid[2];
  while (!state.failed.load(std::memory_order_relaxed)) {
    int64_t linear = state.nextBlock.fetch_add(1);
    if (linear >= blocks || !runBlock(linear))
      break;
  }
  current = nullptr;
}

bool Worker::runBlock(int64_t linear) {
  block[0] = linear % launch.grid[0];
  block[1] = linear / launch.grid[0] % launch.grid[1];
  block[2] = linear / (launch.grid[0] * launch.grid[1]);
  // NaN bytes (0xFF..): a read of memory no one wrote shows in the results.
  std::fill(shared.begin(), shared.end(), char(0xFF));
  std::fill(shadow.begin(), shadow.end(), Granule{0, 0, 0, 0, -1});
  epoch = 1;
  atBarrier = 0;
  aborted = false;
  for (Warp &warp : warps)
    warp.arrived = 0;
  for (auto &thread : threads) {
    thread->state = FiberState::Runnable;
    thread->site = -1;
    thread->copies.clear();
    thread->committedGroups = 0;
    thread->context.reset(&Worker::fiberMain, 256 * 1024);
  }
  for (;;) {
    bool progressed = false, live = false;
    for (auto &thread : threads) {
      if (thread->state == FiberState::Runnable) {
        running = thread.get();
        FiberContext::switchTo(scheduler, thread->context);
        running = nullptr;
        progressed = true;
        if (aborted)
          return false;
      }
      live |= thread->state != FiberState::Returned;
    }
    if (!live)
      return true;
    if (!progressed) {
      std::lock_guard<std::mutex> lock(state.mutex);
      if (!state.failed.exchange(true))
        state.report = describeDeadlock();
      return false;
    }
  }
}

void Worker::yield() {
  // The CPU goes straight to the next runnable thread of the block, in the
  // scheduler's round-robin order, sparing a switch through the scheduler
  // per wait (a warp collective makes every lane wait). Only with no thread
  // runnable does the scheduler resume, to find the block done or stuck.
  Thread *from = running;
  size_t count = threads.size();
  for (size_t step = 1; step < count; ++step) {
    Thread *next = threads[(size_t(from->id) + step) % count].get();
    if (next->state == FiberState::Runnable) {
      running = next;
      FiberContext::switchTo(from->context, next->context);
      return;
    }
  }
  FiberContext::switchTo(from->context, scheduler);
}

void Worker::fail(const std::string &what) {
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (!state.failed.exchange(true))
      state.report = "block (" + std::to_string(block[0]) + ", " +
                     std::to_string(block[1]) + ", " +
                     std::to_string(block[2]) + "), thread " +
                     std::to_string(running->id) + ": " + what;
  }
  aborted = true;
  FiberContext::switchTo(running->context, scheduler); // never resumed
  __builtin_unreachable();
}

std::string Worker::siteName(int32_t site) const {
  if (site >= 0 && size_t(site) < launch.sites.size())
    return launch.sites[site];
  return "site " + std::to_string(site);
}

/// "0-31" for a sorted list of ids, ranges joined by commas.
static std::string describeIds(const std::vector<int32_t> &ids) {
  std::string text;
  for (size_t n = 0; n < ids.size();) {
    size_t end = n;
    while (end + 1 < ids.size() && ids[end + 1] == ids[end] + 1)
      ++end;
    if (!text.empty())
      text += ",";
    text += std::to_string(ids[n]);
    if (end > n)
      text += "-" + std::to_string(ids[end]);
    n = end + 1;
  }
  return text;
}

std::string Worker::describeDeadlock() const {
  std::string where = "block (" + std::to_string(block[0]) + ", " +
                      std::to_string(block[1]) + ", " +
                      std::to_string(block[2]) + "): ";
  auto groupOf = [&](const Thread &t) {
    switch (t.state) {
    case FiberState::Returned:
      return std::string("have returned");
    case FiberState::AtBarrier:
      return "wait at " + siteName(t.site);
    default:
      return "wait at " + siteName(t.site);
    }
  };
  // A warp whose lanes wait at a collective while others cannot join it.
  for (size_t w = 0; w < warps.size(); ++w) {
    if (warps[w].arrived == 0)
      continue;
    std::vector<std::pair<std::string, std::vector<int32_t>>> groups;
    for (int32_t l = 0; l < launch.warpSize; ++l) {
      size_t t = w * launch.warpSize + l;
      if (t >= threads.size())
        break;
      std::string group = groupOf(*threads[t]);
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](auto &g) { return g.first == group; });
      if (it == groups.end())
        groups.push_back({group, {l}});
      else
        it->second.push_back(l);
    }
    std::string text = where + "a warp collective with inactive lanes: warp " +
                       std::to_string(w) + ":";
    for (auto &group : groups)
      text += " lanes " + describeIds(group.second) + " " + group.first + ";";
    text.pop_back();
    return text;
  }
  // A barrier not every thread reaches.
  std::vector<std::pair<std::string, std::vector<int32_t>>> groups;
  for (const auto &thread : threads) {
    std::string group = groupOf(*thread);
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](auto &g) { return g.first == group; });
    if (it == groups.end())
      groups.push_back({group, {thread->id}});
    else
      it->second.push_back(thread->id);
  }
  std::string text = where + "a barrier not every thread reaches:";
  for (auto &group : groups)
    text += " threads " + describeIds(group.second) + " " + group.first + ";";
  text.pop_back();
  return text;
}

void Worker::barrier(int32_t site) {
  // Every copy a thread waited for is visible to all after the barrier: the
  // epoch changes, so later reads by others are not races.
  Thread &thread = *running;
  thread.site = site;
  if (++atBarrier < int32_t(threads.size())) {
    thread.state = FiberState::AtBarrier;
    yield();
    return;
  }
  atBarrier = 0;
  ++epoch;
  for (auto &other : threads)
    if (other->state == FiberState::AtBarrier)
      other->state = FiberState::Runnable;
}

LaneSlot &Worker::arrive(int32_t site, Collective kind) {
  int32_t lane = running->id % launch.warpSize;
  LaneSlot &slot = warps[running->id / launch.warpSize].lanes[lane];
  slot.site = site;
  slot.kind = kind;
  return slot;
}

void Worker::waitForWarp(int32_t site) {
  int32_t warpIndex = running->id / launch.warpSize;
  Warp &warp = warps[warpIndex];
  int32_t lanes = std::min<int32_t>(
      launch.warpSize, int32_t(threads.size()) - warpIndex * launch.warpSize);
  running->site = site;
  if (++warp.arrived < lanes) {
    running->state = FiberState::AtCollective;
    yield();
    return;
  }
  completeCollective(warp, warpIndex);
}

/// f16 to f32, exact: 65536 entries, built once.
static float halfToFloat(uint16_t bits) {
  static const std::vector<float> table = [] {
    std::vector<float> values(65536);
    for (uint32_t h = 0; h < 65536; ++h) {
      int32_t exponent = (h >> 10) & 0x1F;
      uint32_t mantissa = h & 0x3FF;
      float value;
      if (exponent == 0)
        value = std::ldexp(float(mantissa), -24);
      else if (exponent == 31)
        value = mantissa ? NAN : INFINITY;
      else
        value = std::ldexp(float(mantissa | 0x400), exponent - 25);
      values[h] = (h & 0x8000) ? -value : value;
    }
    return values;
  }();
  return table[bits];
}

static float bfloatToFloat(uint16_t bits) {
  uint32_t out = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &out, 4);
  return value;
}

/// c += a b for a 16 x 16 a and a 16 x N b (mma.sync's m16n8k16, N = 8;
/// MFMA's 16x16x16, N = 16): each element of c summed over k in order, in
/// f32, one product at a time (c + a0 b0 + a1 b1 + ...).
template <int N>
static void multiplyAccumulate(const float (&a)[16][16],
                               const float (&b)[16][N], float (&c)[16][N]) {
  for (int k = 0; k < 16; ++k)
    for (int row = 0; row < 16; ++row)
      for (int column = 0; column < N; ++column)
        c[row][column] += a[row][k] * b[k][column];
}

void Worker::completeCollective(Warp &warp, int32_t warpIndex) {
  int32_t lanes = std::min<int32_t>(
      launch.warpSize, int32_t(threads.size()) - warpIndex * launch.warpSize);
  warp.arrived = 0;
  const LaneSlot &first = warp.lanes[0];
  for (int32_t l = 1; l < lanes; ++l)
    if (warp.lanes[l].site != first.site)
      fail("the lanes of warp " + std::to_string(warpIndex) +
           " meet at different collectives: lane 0 at " + siteName(first.site) +
           ", lane " + std::to_string(l) + " at " +
           siteName(warp.lanes[l].site));
  switch (first.kind) {
  case Collective::Shuffle:
    for (int32_t l = 0; l < lanes; ++l) {
      LaneSlot &slot = warp.lanes[l];
      int32_t width = slot.width, start = l - l % width, source = l;
      switch (slot.mode) {
      case 0: // xor
        source = l ^ slot.offset;
        break;
      case 1: // up
        source = l - slot.offset;
        break;
      case 2: // down
        source = l + slot.offset;
        break;
      default: // idx
        source = start + slot.offset;
        break;
      }
      slot.valid = source >= start && source < start + width && source < lanes;
      slot.result = slot.valid ? warp.lanes[source].value : slot.value;
    }
    break;
  case Collective::LdMatrix: {
    // Lanes 8m..8m+7 give the rows of matrix m (8 x 8 of 16 bits); lane L
    // gets, of each matrix, row L / 4, columns 2 (L % 4) and 2 (L % 4) + 1
    // (transposed: rows 2 (L % 4) and 2 (L % 4) + 1 of column L / 4).
    for (int32_t l = 0; l < lanes; ++l) {
      LaneSlot &slot = warp.lanes[l];
      for (int32_t m = 0; m < first.tiles; ++m) {
        uint16_t halves[2];
        for (int32_t h = 0; h < 2; ++h) {
          int32_t row = l / 4, column = 2 * (l % 4) + h;
          if (first.transpose)
            std::swap(row, column);
          std::memcpy(&halves[h], warp.lanes[8 * m + row].row + 2 * column, 2);
        }
        std::memcpy(&slot.registers[m], halves, 4);
      }
    }
    break;
  }
  case Collective::Mma: {
    // m16n8k16, row.col (PTX ISA, "Matrix fragments for mma.m16n8k16"):
    // lane L = 4 g + c. A: a0 (g, 2c..), a1 (g + 8, 2c..), a2 (g, 2c + 8..),
    // a3 (g + 8, 2c + 8..). B: b0 (k = 2c.., n = g), b1 (k = 2c + 8..,
    // n = g). C, D: c0 c1 (g, 2c..), c2 c3 (g + 8, 2c..).
    float a[16][16], b[16][8], c[16][8];
    auto unpack = [&](uint32_t word, float out[2]) {
      for (int h = 0; h < 2; ++h) {
        auto bits = uint16_t(word >> (16 * h));
        out[h] = first.mmaKind == 1 ? bfloatToFloat(bits) : halfToFloat(bits);
      }
    };
    for (int32_t l = 0; l < 32; ++l) {
      const LaneSlot &slot = warp.lanes[l];
      int g = l / 4, q = l % 4;
      float pair[2];
      for (int r = 0; r < 4; ++r) {
        unpack(slot.a[r], pair);
        int row = g + 8 * (r % 2), column = 2 * q + 8 * (r / 2);
        a[row][column] = pair[0];
        a[row][column + 1] = pair[1];
      }
      for (int r = 0; r < 2; ++r) {
        unpack(slot.b[r], pair);
        b[2 * q + 8 * r][g] = pair[0];
        b[2 * q + 8 * r + 1][g] = pair[1];
      }
      for (int r = 0; r < 4; ++r)
        c[g + 8 * (r / 2)][2 * q + r % 2] = slot.c[r];
    }
    multiplyAccumulate(a, b, c);
    for (int32_t l = 0; l < 32; ++l) {
      int g = l / 4, q = l % 4;
      for (int r = 0; r < 4; ++r)
        warp.lanes[l].d[r] = c[g + 8 * (r / 2)][2 * q + r % 2];
    }
    break;
  }
  case Collective::Mfma: {
    // v_mfma_f32_16x16x16_{f16,bf16} (CDNA ISA), lane L = 16 q + c: A row
    // c at depths 4q..4q + 3; B column c at depths 4q..4q + 3; C, D column
    // c at rows 4q..4q + 3.
    float a[16][16], b[16][16], c[16][16];
    auto unpack = [&](const uint32_t *words, float out[4]) {
      for (int h = 0; h < 4; ++h) {
        auto bits = uint16_t(words[h / 2] >> (16 * (h % 2)));
        out[h] = first.mmaKind == 1 ? bfloatToFloat(bits) : halfToFloat(bits);
      }
    };
    for (int32_t l = 0; l < 64; ++l) {
      const LaneSlot &slot = warp.lanes[l];
      int q = l / 16, column = l % 16;
      float four[4];
      unpack(slot.a, four);
      for (int i = 0; i < 4; ++i)
        a[column][4 * q + i] = four[i];
      unpack(slot.b, four);
      for (int i = 0; i < 4; ++i)
        b[4 * q + i][column] = four[i];
      for (int i = 0; i < 4; ++i)
        c[4 * q + i][column] = slot.c[i];
    }
    multiplyAccumulate(a, b, c);
    for (int32_t l = 0; l < 64; ++l) {
      int q = l / 16, column = l % 16;
      for (int i = 0; i < 4; ++i)
        warp.lanes[l].d[i] = c[4 * q + i][column];
    }
    break;
  }
  }
  for (int32_t l = 0; l < lanes; ++l) {
    Thread &lane = *threads[warpIndex * launch.warpSize + l];
    if (lane.state == FiberState::AtCollective)
      lane.state = FiberState::Runnable;
  }
}

uint64_t Worker::shuffle(int32_t site, uint32_t value, int32_t offset,
                         int32_t width, int32_t mode) {
  if (width <= 0 || width > launch.warpSize || (width & (width - 1)))
    fail("shuffle width " + std::to_string(width) + " at " + siteName(site) +
         " is not a power of two up to the warp size");
  LaneSlot &slot = arrive(site, Collective::Shuffle);
  slot.value = value;
  slot.offset = offset;
  slot.width = width;
  slot.mode = mode;
  waitForWarp(site);
  return uint64_t(slot.result) | (uint64_t(slot.valid) << 32);
}

void Worker::ldmatrix(int32_t site, const char *row, bool inBounds,
                      int32_t tiles, bool transpose, uint32_t *registers) {
  int32_t lane = running->id % launch.warpSize;
  if (lane < 8 * tiles) {
    if (!inBounds)
      fail("ldmatrix at " + siteName(site) +
           " reads a row outside its shared-memory buffer");
    if (reinterpret_cast<uintptr_t>(row) % 16)
      fail("ldmatrix at " + siteName(site) +
           " reads a row not aligned to 16 bytes");
    checkShared(site, row, 16, /*write=*/false, epoch, "ldmatrix");
  }
  LaneSlot &slot = arrive(site, Collective::LdMatrix);
  slot.row = row;
  slot.tiles = tiles;
  slot.transpose = transpose;
  slot.registers = registers;
  waitForWarp(site);
}

void Worker::mma(int32_t site, int32_t kind, const uint32_t *a,
                 const uint32_t *b, const float *c, float *d) {
  LaneSlot &slot = arrive(site, Collective::Mma);
  slot.mmaKind = kind;
  slot.a = a;
  slot.b = b;
  slot.c = c;
  slot.d = d;
  waitForWarp(site);
}

void Worker::mfma(int32_t site, int32_t kind, const uint32_t *a,
                  const uint32_t *b, const float *c, float *d) {
  if (launch.warpSize != 64)
    fail("MFMA at " + siteName(site) + " runs on wave64, not a warp of " +
         std::to_string(launch.warpSize));
  LaneSlot &slot = arrive(site, Collective::Mfma);
  slot.mmaKind = kind;
  slot.a = a;
  slot.b = b;
  slot.c = c;
  slot.d = d;
  waitForWarp(site);
}

void Worker::checkShared(int32_t site, const char *address, int32_t bytes,
                         bool write, uint32_t since, const char *what) {
  int64_t offset = address - shared.data();
  if (offset < 0 || offset + bytes > int64_t(shared.size()))
    fail(std::string(what) + " at " + siteName(site) + " " +
         (write ? "writes" : "reads") + " " + std::to_string(bytes) +
         " bytes at offset " + std::to_string(offset) +
         " of the block's shared memory, which has " +
         std::to_string(shared.size()) + " bytes");
  auto me = uint16_t(running->id + 1);
  for (int64_t g = offset / 2; g < (offset + bytes + 1) / 2; ++g) {
    Granule &s = shadow[g];
    auto race = [&](const char *kind, uint16_t other, int32_t otherSite) {
      fail("shared-memory race (" + std::string(kind) + ") at byte " +
           std::to_string(2 * g) + ": " + what + " at " + siteName(site) + " " +
           (write ? "writes" : "reads") + " it" +
           (other == kSeveral
                ? std::string(" while several threads read it")
                : " after thread " + std::to_string(other - 1) +
                      (otherSite >= 0 ? " (" + siteName(otherSite) + ")"
                                      : std::string())) +
           ", with no barrier between");
    };
    if (s.writer && s.writer != me && s.writeEpoch >= since)
      race(write ? "write after write" : "read after write", s.writer,
           s.writeSite);
    if (write) {
      if (s.reader && s.reader != me && s.readEpoch >= since)
        race("write after read", s.reader, -1);
      s.writer = me;
      s.writeEpoch = epoch;
      s.writeSite = site;
    } else {
      s.reader =
          s.readEpoch == epoch && s.reader && s.reader != me ? kSeveral : me;
      s.readEpoch = epoch;
    }
  }
}

void Worker::access(int32_t site, const char *address, int32_t bytes,
                    bool write, bool inBounds) {
  if (!inBounds)
    fail(std::string(write ? "a store" : "a load") + " at " + siteName(site) +
         " indexes its shared-memory buffer out of bounds");
  checkShared(site, address, bytes, write, epoch, write ? "a store" : "a load");
}

void Worker::checkGlobal(int32_t site, bool write, bool inBounds) {
  if (!inBounds)
    fail(std::string(write ? "a store" : "a load") + " at " + siteName(site) +
         " indexes its global buffer out of bounds");
}

void Worker::copyAsync(int32_t site, char *destination, const char *source,
                       int32_t bytes, int32_t sourceBytes, bool inBounds,
                       bool sourceInBounds) {
  if (!inBounds)
    fail("cp.async at " + siteName(site) +
         " indexes its shared-memory buffer out of bounds");
  if (!sourceInBounds)
    fail("cp.async at " + siteName(site) +
         " reads its global source out of bounds");
  if (bytes != 4 && bytes != 8 && bytes != 16)
    fail("cp.async at " + siteName(site) + " copies " + std::to_string(bytes) +
         " bytes (4, 8 or 16)");
  if (reinterpret_cast<uintptr_t>(destination) % bytes)
    fail("cp.async at " + siteName(site) + " writes " + std::to_string(bytes) +
         " bytes to an address not aligned to them");
  int64_t offset = destination - shared.data();
  if (offset < 0 || offset + bytes > int64_t(shared.size()))
    fail("cp.async at " + siteName(site) + " writes " + std::to_string(bytes) +
         " bytes at offset " + std::to_string(offset) +
         " of the block's shared memory, which has " +
         std::to_string(shared.size()) + " bytes");
  Thread &thread = *running;
  thread.copies.push_back({destination, source, bytes,
                           std::min(std::max(sourceBytes, 0), bytes),
                           thread.committedGroups, epoch, site});
}

void Worker::commitGroup(int32_t site) { ++running->committedGroups; }

void Worker::completeCopies(Thread &thread, int64_t beforeGroup) {
  auto done = [&](const PendingCopy &copy) { return copy.group < beforeGroup; };
  for (const PendingCopy &copy : thread.copies) {
    if (!done(copy))
      continue;
    checkShared(copy.site, copy.destination, copy.bytes, /*write=*/true,
                copy.issueEpoch, "cp.async");
    std::memcpy(copy.destination, copy.source, copy.sourceBytes);
    std::memset(copy.destination + copy.sourceBytes, 0,
                copy.bytes - copy.sourceBytes);
  }
  thread.copies.erase(
      std::remove_if(thread.copies.begin(), thread.copies.end(), done),
      thread.copies.end());
}

void Worker::waitGroup(int32_t site, int32_t pending) {
  // Every committed group but the newest `pending` ones has landed.
  completeCopies(*running, running->committedGroups - pending);
}

} // namespace

std::string attn::emu::run(const Launch &launch) {
  if (!launch.entry)
    return "no kernel to run";
  if (launch.threadsPerBlock <= 0 || launch.warpSize <= 0 ||
      launch.threadsPerBlock > 1024)
    return "a block of " + std::to_string(launch.threadsPerBlock) +
           " threads cannot be emulated";
  for (int64_t size : launch.grid)
    if (size <= 0)
      return ""; // An empty grid: nothing to run.
  LaunchState state;
  state.launch = &launch;
  int64_t blocks = launch.grid[0] * launch.grid[1] * launch.grid[2];
  unsigned workers = launch.workers
                         ? launch.workers
                         : std::max(1u, std::thread::hardware_concurrency());
  workers = unsigned(std::min<int64_t>(workers, blocks));
  std::vector<std::thread> pool;
  for (unsigned n = 1; n < workers; ++n)
    pool.emplace_back([&] { Worker(state).runBlocks(); });
  Worker(state).runBlocks();
  for (std::thread &thread : pool)
    thread.join();
  return state.report;
}

// The calls of lowered kernels. Sites are the lowering's ids of the kernel's
// operations; addresses come as integers (index), pointers to the lane's
// scratch registers as pointers.
extern "C" {
static int64_t attnEmuThreadId(int32_t dimension) {
  return dimension == 0 ? Worker::current->threadId() : 0;
}
static int64_t attnEmuBlockId(int32_t dimension) {
  return Worker::current->blockId(dimension);
}
static void attnEmuBarrier(int32_t site) { Worker::current->barrier(site); }
static uint64_t attnEmuShuffle(int32_t site, uint32_t value, int32_t offset,
                               int32_t width, int32_t mode) {
  return Worker::current->shuffle(site, value, offset, width, mode);
}
static void attnEmuLdMatrix(int32_t site, int64_t row, int32_t inBounds,
                            int32_t tiles, int32_t transpose,
                            uint32_t *registers) {
  Worker::current->ldmatrix(site, reinterpret_cast<const char *>(row), inBounds,
                            tiles, transpose, registers);
}
static void attnEmuMfma(int32_t site, int32_t kind, const uint32_t *a,
                        const uint32_t *b, const float *c, float *d) {
  Worker::current->mfma(site, kind, a, b, c, d);
}

static void attnEmuMma(int32_t site, int32_t kind, const uint32_t *a,
                       const uint32_t *b, const float *c, float *d) {
  Worker::current->mma(site, kind, a, b, c, d);
}
static void attnEmuCopyAsync(int32_t site, int64_t destination, int64_t source,
                             int32_t bytes, int32_t sourceBytes,
                             int32_t inBounds, int32_t sourceInBounds) {
  Worker::current->copyAsync(site, reinterpret_cast<char *>(destination),
                             reinterpret_cast<const char *>(source), bytes,
                             sourceBytes, inBounds, sourceInBounds);
}
static void attnEmuCheckGlobal(int32_t site, int32_t write, int32_t inBounds) {
  Worker::current->checkGlobal(site, write, inBounds);
}
static void attnEmuCommitGroup(int32_t site) {
  Worker::current->commitGroup(site);
}
static void attnEmuWaitGroup(int32_t site, int32_t pending) {
  Worker::current->waitGroup(site, pending);
}
static void attnEmuAccess(int32_t site, int64_t address, int32_t bytes,
                          int32_t write, int32_t inBounds) {
  Worker::current->access(site, reinterpret_cast<const char *>(address), bytes,
                          write, inBounds);
}
}

std::vector<std::pair<const char *, void *>> attn::emu::runtimeSymbols() {
  return {
      {"__attn_emu_thread_id", reinterpret_cast<void *>(&attnEmuThreadId)},
      {"__attn_emu_block_id", reinterpret_cast<void *>(&attnEmuBlockId)},
      {"__attn_emu_barrier", reinterpret_cast<void *>(&attnEmuBarrier)},
      {"__attn_emu_shuffle", reinterpret_cast<void *>(&attnEmuShuffle)},
      {"__attn_emu_ldmatrix", reinterpret_cast<void *>(&attnEmuLdMatrix)},
      {"__attn_emu_mma", reinterpret_cast<void *>(&attnEmuMma)},
      {"__attn_emu_mfma", reinterpret_cast<void *>(&attnEmuMfma)},
      {"__attn_emu_cp_async", reinterpret_cast<void *>(&attnEmuCopyAsync)},
      {"__attn_emu_cp_commit", reinterpret_cast<void *>(&attnEmuCommitGroup)},
      {"__attn_emu_cp_wait", reinterpret_cast<void *>(&attnEmuWaitGroup)},
      {"__attn_emu_access", reinterpret_cast<void *>(&attnEmuAccess)},
      {"__attn_emu_check_global",
       reinterpret_cast<void *>(&attnEmuCheckGlobal)},
  };
}
