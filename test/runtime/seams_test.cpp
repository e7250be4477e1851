// The seams later work builds on: the one dtype table, the thread pool and run context,
// functions sharing state across calls (with reset), and session options.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "edgec/dtype_table.h"
#include "edgec/package_builder.h"
#include "edgec/runtime.hpp"
#include "edgepkg_generated.h"
#include "kernel.h"
#include "kernel_test_util.h"
#include "model.h"
#include "thread_pool.h"

namespace {

using namespace edgec;

// ---- the dtype table -------------------------------------------------------------

TEST(DTypeTable, AgreesWithThePackageSchemaAndTheCApi) {
  for (const DTypeInfo &d : kDTypeTable) {
    const std::string schemaName = pkg::EnumNameDType(static_cast<pkg::DType>(d.code));
    EXPECT_EQ(schemaName, std::string(d.name) == "bool" ? "bool_" : d.name) << "code " << int(d.code);
    EXPECT_STREQ(edgec_dtype_name(static_cast<edgec_dtype>(d.code)), d.name);
    EXPECT_EQ(dtypeInfoByName(d.name), &d);
    if (d.ggmlType >= 0) {
      EXPECT_EQ(dtypeInfoByGgmlType(d.ggmlType), &d);
    }
  }
  // Every value of the schema's enum has a row.
  for (pkg::DType t : pkg::EnumValuesDType()) EXPECT_NE(dtypeInfo(unsigned(t)), nullptr) << pkg::EnumNameDType(t);
  EXPECT_EQ(dtypeInfo(200), nullptr);
}

uint64_t storage(const char *name, std::vector<int64_t> shape) {
  uint64_t bytes = 0;
  std::string why;
  EXPECT_TRUE(tensorStorageBytes(*dtypeInfoByName(name), shape.data(), shape.size(), &bytes, &why)) << why;
  return bytes;
}

TEST(DTypeTable, StorageBytes) {
  EXPECT_EQ(storage("f32", {2, 3}), 24u);
  EXPECT_EQ(storage("bool", {5}), 5u);
  EXPECT_EQ(storage("i4", {7}), 4u);  // two per byte, the last half byte padded
  EXPECT_EQ(storage("u4", {2, 8}), 8u);
  EXPECT_EQ(storage("q4_0", {3, 64}), 3u * 2 * 18);
  EXPECT_EQ(storage("q8_0", {32}), 34u);
  EXPECT_EQ(storage("q4_k", {2, 512}), 2u * 2 * 144);
  EXPECT_EQ(storage("q6_k", {256}), 210u);
  EXPECT_EQ(storage("f32", {0, 3}), 0u);

  uint64_t bytes = 0;
  std::string why;
  std::vector<int64_t> misfit = {4, 100};
  EXPECT_FALSE(tensorStorageBytes(*dtypeInfoByName("q4_k"), misfit.data(), 2, &bytes, &why));
  EXPECT_NE(why.find("q4_k stores whole blocks of 256 elements, but the innermost dimension is 100"),
            std::string::npos)
      << why;
  std::vector<int64_t> huge = {int64_t(1) << 40, int64_t(1) << 40};
  EXPECT_FALSE(tensorStorageBytes(*dtypeInfoByName("f32"), huge.data(), 2, &bytes, &why));
}

TEST(DTypeTable, TensorViewUsesIt) {
  rt::TensorView v;
  v.dtype = pkg::DType::i4;
  v.shape = {3, 3};
  EXPECT_EQ(v.nbytes(), 5u);  // was 9 (one byte per element) before the table
  v.dtype = pkg::DType::q8_0;
  v.shape = {2, 64};
  EXPECT_EQ(v.nbytes(), 4u * 34);
  v.shape = {2, 60};
  EXPECT_THROW(v.nbytes(), rt::Error);
}

// ---- threads -----------------------------------------------------------------------

// A pool of `threads` and a RunContext on it, as a session holds them.
struct PoolContext {
  explicit PoolContext(int threads) : pool(threads) {
    ctx.pool = &pool;
    ctx.threads = threads;
  }
  rt::ThreadPool pool;
  rt::RunContext ctx;
};

TEST(ThreadPool, ParallelForCoversEveryItemOnce) {
  for (int threads : {1, 2, 3, 8}) {
    PoolContext pc(threads);
    const rt::RunContext &ctx = pc.ctx;
    for (int64_t n : {0, 1, 5, 64, 1000}) {
      for (int64_t grain : {1, 7, 100}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        std::atomic<int> badThread{0};
        ctx.parallelFor(n, grain, [&](int64_t b, int64_t e, int thread) {
          if (thread < 0 || thread >= threads) ++badThread;
          for (int64_t i = b; i < e; ++i) ++hits[size_t(i)];
        });
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)], 1) << n << " " << grain << " " << threads;
        EXPECT_EQ(badThread, 0);
      }
    }
  }
}

// Thousands of small runs back to back, as a model's kernels come: a worker that wakes
// late for one run must not claim a task of the next, whichever way the threads are
// scheduled. Some runs follow a pause long enough for the workers to fall asleep, and
// some end with a long task, so that the caller sleeps waiting for it.
TEST(ThreadPool, BackToBackRunsRunEachTaskOnceInItsOwnRun) {
  for (int threads : {2, 3}) {
    rt::ThreadPool pool(threads);
    for (int run = 0; run < 4000; ++run) {
      const int64_t n = 1 + run % 9;
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<int> foreign{0};
      pool.run(n, [&, run](int64_t i, int) {
        if (i >= n) ++foreign;
        ++hits[size_t(i)];
        if (run % 101 == 0 && i == n - 1) std::this_thread::sleep_for(std::chrono::microseconds(300));
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)], 1) << "run " << run << " task " << i;
      ASSERT_EQ(foreign, 0) << "run " << run;
      if (run % 53 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  }
}

TEST(ThreadPool, RethrowsTheFirstErrorAndStaysUsable) {
  rt::ThreadPool pool(3);
  EXPECT_THROW(pool.run(10, [](int64_t i, int) { if (i == 4) throw rt::Error("task 4 failed"); }), rt::Error);
  std::atomic<int> count{0};
  pool.run(10, [&](int64_t, int) { ++count; });
  EXPECT_EQ(count, 10);
  // Runs of one task a thread (each thread's own task): a worker's error and the
  // caller's, then the pool still runs every task once.
  for (int64_t failing : {0, 1, 2}) {
    EXPECT_THROW(pool.run(3, [&](int64_t i, int) { if (i == failing) throw rt::Error("task failed"); }), rt::Error);
    count = 0;
    pool.run(3, [&](int64_t, int) { ++count; });
    EXPECT_EQ(count, 3);
  }
  // An error is rethrown by its own run only, whichever kind of run comes next.
  EXPECT_THROW(pool.run(10, [](int64_t i, int) { if (i == 7) throw rt::Error("task 7 failed"); }), rt::Error);
  EXPECT_NO_THROW(pool.run(3, [](int64_t, int) {}));
  EXPECT_THROW(pool.run(3, [](int64_t i, int) { if (i == 2) throw rt::Error("task 2 failed"); }), rt::Error);
  EXPECT_NO_THROW(pool.run(10, [](int64_t, int) {}));
}

// parallelItems: every item once, on a valid thread, whatever the thread count and
// however unevenly the items run (some spin, so that threads finish their own ranges at
// different times and steal from each other); thousands of runs back to back, as a
// model's kernels come, so that no run takes a range word left by another.
TEST(ThreadPool, ParallelItemsTakesEveryItemOnce) {
  for (int threads : {1, 2, 3, 8}) {
    PoolContext pc(threads);
    const rt::RunContext &ctx = pc.ctx;
    for (int run = 0; run < 600; ++run) {
      const int64_t n = std::vector<int64_t>{0, 1, 2, 5, 7, 64, 333}[size_t(run % 7)];
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<int> badThread{0};
      ctx.parallelItems(n, [&](rt::WorkItems &items, int thread) {
        if (thread < 0 || thread >= threads) ++badThread;
        for (int64_t i; items.next(i);) {
          ++hits[size_t(i)];
          // Items of one thread slow in some runs, of another in others.
          if ((i + run) % (threads + 1) == 0)
            for (volatile int spin = 0; spin < 2000; spin = spin + 1) {
            }
        }
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)], 1) << "run " << run << " item " << i << " threads " << threads;
      ASSERT_EQ(badThread, 0);
    }
  }
}

// A thread held up in its first item (as by another process on its core) leaves the
// rest of its range to the other: thread 0 takes items 0-31 and then all of thread 1's
// but the one it holds. Task 0 runs on the caller (thread 0) and waits until thread 1
// has taken its first item, so that thread 1's range is there to take from.
TEST(ThreadPool, ParallelItemsHandsAHeldThreadsItemsToTheOther) {
  PoolContext pc(2);
  const rt::RunContext &ctx = pc.ctx;
  std::atomic<bool> secondStarted{false}, firstDone{false};
  std::vector<int> by(64, -1);
  ctx.parallelItems(64, [&](rt::WorkItems &items, int thread) {
    for (int64_t i; items.next(i);) {
      by[size_t(i)] = thread;
      if (i == 0)
        while (!secondStarted) std::this_thread::yield();
      if (i == 32) {
        secondStarted = true;
        while (!firstDone) std::this_thread::yield();
      }
    }
    if (thread == 0) firstDone = true;
  });
  for (int64_t i = 0; i < 64; ++i) EXPECT_EQ(by[size_t(i)], i == 32 ? 1 : 0) << "item " << i;
}

TEST(ThreadPool, ParallelItemsRethrowsAndStaysUsable) {
  PoolContext pc(3);
  const rt::RunContext &ctx = pc.ctx;
  EXPECT_THROW(ctx.parallelItems(90,
                                 [](rt::WorkItems &items, int) {
                                   for (int64_t i; items.next(i);)
                                     if (i == 50) throw rt::Error("item 50 failed");
                                 }),
               rt::Error);
  for (int run = 0; run < 100; ++run) {
    std::atomic<int> count{0};
    ctx.parallelItems(90, [&](rt::WorkItems &items, int) {
      for (int64_t i; items.next(i);) ++count;
    });
    ASSERT_EQ(count, 90) << "run " << run;
  }
}

// ---- functions and state -----------------------------------------------------------

class PackageFile {
public:
  PackageFile() : path_(::testing::TempDir() + "edgec_seams_" + std::to_string(::getpid()) + ".edgepkg") {}
  ~PackageFile() { std::remove(path_.c_str()); }
  const std::string &write(const std::vector<uint8_t> &bytes) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
    return path_;
  }

private:
  std::string path_;
};

// Two functions over shared state:
//   accumulate(x: f32[4]) -> sum:  acc += x; sum = acc      (acc starts at 1, 2, 3, 4)
//   write(item: f32[1,2], pos: i64[2]) -> ring_out:  ring[pos] = item; ring_out = ring
// `write` updates its 3x2 ring buffer in place (DynamicUpdateSlice with the state as both
// operand and output), as a KV cache is.
std::vector<uint8_t> statefulPackage(const char *firstFunction = "accumulate", int32_t accInit = 2) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int64_t> s4 = {4}, s12 = {1, 2}, s2 = {2}, s32 = {3, 2};
  using pkg::Storage;
  auto tensor = [&](const char *name, pkg::DType t, std::vector<int64_t> *shape, Storage storage, uint64_t offset,
                    uint64_t size, int32_t init = -1) {
    return pkg::CreateTensorDirect(fbb, name, t, shape, storage, offset, size, 0, init);
  };
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensors = {
      tensor("x", pkg::DType::f32, &s4, Storage::Arena, 0, 16),                  // 0
      tensor("acc", pkg::DType::f32, &s4, Storage::State, 0, 16, accInit),            // 1
      tensor("acc_init", pkg::DType::f32, &s4, Storage::Constant, 0, 16),        // 2
      tensor("sum", pkg::DType::f32, &s4, Storage::Arena, 64, 16),               // 3
      tensor("item", pkg::DType::f32, &s12, Storage::Arena, 0, 8),               // 4
      tensor("pos", pkg::DType::i64, &s2, Storage::Arena, 64, 16),               // 5
      tensor("ring", pkg::DType::f32, &s32, Storage::State, 64, 24),             // 6
      tensor("ring_out", pkg::DType::f32, &s32, Storage::Arena, 128, 24),        // 7
  };
  std::vector<flatbuffers::Offset<pkg::Attr>> none;
  auto kernel = [&](const char *op, const char *name, std::vector<int32_t> in, std::vector<int32_t> out) {
    return pkg::CreateKernelDirect(fbb, op, name, &in, &out, &none);
  };
  std::vector<int32_t> accIn = {0}, accOut = {3}, writeIn = {4, 5}, writeOut = {7};
  std::vector<flatbuffers::Offset<pkg::Kernel>> accKernels = {kernel("Add", "add", {1, 0}, {3}),
                                                              kernel("Copy", "store", {3}, {1})};
  std::vector<flatbuffers::Offset<pkg::Kernel>> writeKernels = {
      kernel("DynamicUpdateSlice", "update", {6, 4, 5}, {6}), kernel("Copy", "read", {6}, {7})};
  auto acc = pkg::CreateFunctionDirect(fbb, firstFunction, &accIn, &accOut, &accKernels, 128);
  auto write = pkg::CreateFunctionDirect(fbb, "write", &writeIn, &writeOut, &writeKernels, 192);
  std::vector<flatbuffers::Offset<pkg::Function>> fns = {acc, write};
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;
  auto package = pkg::CreatePackageDirect(fbb, "test", "state", "host", &features, &tensors, &fns, 192, 128);
  pkg::FinishPackageBuffer(fbb, package);
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  std::vector<uint8_t> constants(16);
  const float init[4] = {1, 2, 3, 4};
  std::memcpy(constants.data(), init, sizeof init);
  return pkg::assemblePackage(plan, constants);
}

std::vector<float> outputOf(Session &s) {
  auto [data, bytes] = s.output(0);
  const float *f = static_cast<const float *>(data);
  return std::vector<float>(f, f + bytes / sizeof(float));
}

TEST(Functions, StateAccumulatesAcrossCallsAndResets) {
  PackageFile file;
  Model model(file.write(statefulPackage()));
  EXPECT_EQ(model.functions(), (std::vector<std::string>{"accumulate", "write"}));
  EXPECT_EQ(model.defaultFunction(), 0);  // no "main": the first
  const int32_t accumulate = model.findFunction("accumulate"), write = model.findFunction("write");
  EXPECT_EQ(model.inputs(write).size(), 2u);
  EXPECT_EQ(model.inputs(write)[1].name, "pos");

  Session s(model, 2);
  EXPECT_EQ(s.threads(), 2);
  const float ones[4] = {1, 1, 1, 1};
  s.selectFunction(accumulate);
  s.setInput(0, ones, sizeof ones);
  for (int call = 1; call <= 3; ++call) {
    s.run();
    EXPECT_EQ(outputOf(s), (std::vector<float>{1.f + call, 2.f + call, 3.f + call, 4.f + call})) << "call " << call;
  }

  // Another function in between keeps this one's state and inputs.
  s.selectFunction(write);
  const float rows[4][2] = {{1, 2}, {3, 4}, {5, 6}, {7, 8}};
  for (int64_t i = 0; i < 4; ++i) {
    const int64_t pos[2] = {i % 3, 0};
    s.setInput(0, rows[i], sizeof rows[i]);
    s.setInput(1, pos, sizeof pos);
    s.run();
  }
  EXPECT_EQ(outputOf(s), (std::vector<float>{7, 8, 3, 4, 5, 6}));  // the 4th row overwrote the 1st
  const int64_t farOut[2] = {99, -5};  // clamped so that the row fits: the last row
  s.setInput(1, farOut, sizeof farOut);
  s.run();
  EXPECT_EQ(outputOf(s), (std::vector<float>{7, 8, 3, 4, 7, 8}));

  s.selectFunction(accumulate);
  s.run();
  EXPECT_EQ(outputOf(s), (std::vector<float>{5, 6, 7, 8}));

  s.resetState();
  s.run();
  EXPECT_EQ(outputOf(s), (std::vector<float>{2, 3, 4, 5}));
  s.selectFunction(write);
  const float row[2] = {9, 9};
  const int64_t pos[2] = {1, 0};
  s.setInput(0, row, sizeof row);
  s.setInput(1, pos, sizeof pos);
  s.run();
  EXPECT_EQ(outputOf(s), (std::vector<float>{0, 0, 9, 9, 0, 0}));  // zeros after reset
}

TEST(Functions, BadFunctionAndThreadRequestsAreClearErrors) {
  PackageFile file;
  Model model(file.write(statefulPackage("main")));
  EXPECT_EQ(model.defaultFunction(), 0);
  try {
    model.findFunction("decode");
    FAIL() << "no error";
  } catch (const RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find("no function 'decode' (the package has: main, write)"), std::string::npos)
        << e.what();
  }
  try {
    Session s(model, 300);
    FAIL() << "no error";
  } catch (const RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find("1 to 256 threads, not 300"), std::string::npos) << e.what();
  }
  Session s(model, 1);
  EXPECT_THROW(s.selectFunction(5), RuntimeError);
  const float too[3] = {};
  EXPECT_THROW(s.setInput(0, too, sizeof too), RuntimeError);
}

TEST(Functions, LoaderRejectsBadInitializers) {
  PackageFile file;
  // A state whose initializer is itself (not a constant) is damage.
  edgec_model *m = nullptr;
  ASSERT_NE(edgec_model_load(file.write(statefulPackage("main", 1)).c_str(), &m), EDGEC_OK);
  EXPECT_NE(std::string(edgec_last_error()).find("state tensor 'acc' has a bad initializer"), std::string::npos)
      << edgec_last_error();
}

}  // namespace

// ---- kernels over threads ---------------------------------------------------------------

namespace threaded {
using namespace edgec::rt;
using namespace edgec::rt::testing;

// Runs `op` with 1, 2 and 3 threads on the best kernels this CPU has.
std::vector<std::vector<float>> runOverThreads(const std::string &op, std::vector<Tensor *> in, Tensor &out,
                                               AttrList &attrs) {
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    runKernel(op, in, {&out}, attrs, hostIsas(), threads);
    results.push_back(out.values<float>());
  }
  return results;
}

// Each thread count gave the bits one thread gave.
void expectSameBits(const std::vector<std::vector<float>> &results, const char *what) {
  for (size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i], results[0]) << what << ", run " << i;
}

TEST(ThreadedKernels, ElementwiseIsBitIdenticalForAnyThreadCount) {
  Tensor a = Tensor::of<float>({64, 700}, randomFloats(64 * 700, 1));
  Tensor b = Tensor::of<float>({700}, randomFloats(700, 2));
  Tensor y(DType::f32, {64, 700});
  AttrList none;
  auto sums = runOverThreads("Add", {&a, &b}, y, none);
  expectSameBits(sums, "Add");
  EXPECT_EQ(sums[0][700 + 3], a.values<float>()[700 + 3] + b.values<float>()[3]);
  AttrList none2;
  auto sig = runOverThreads("Sigmoid", {&a}, y, none2);
  expectSameBits(sig, "Sigmoid");
}

TEST(ThreadedKernels, RowKernelsAndReductionsAreBitIdenticalForAnyThreadCount) {
  Tensor x = Tensor::of<float>({300, 512}, randomFloats(300 * 512, 12));
  Tensor y(DType::f32, {300, 512});
  AttrList softmax;
  softmax.i("axis", 1);
  auto sm = runOverThreads("Softmax", {&x}, y, softmax);
  expectSameBits(sm, "Softmax");

  Tensor scale = Tensor::of<float>({512}, randomFloats(512, 13));
  Tensor bias = Tensor::of<float>({512}, randomFloats(512, 14));
  AttrList ln;
  ln.i("axis", 1).f("epsilon", 1e-5f);
  auto norm = runOverThreads("LayerNormalization", {&x, &scale, &bias}, y, ln);
  expectSameBits(norm, "LayerNormalization");

  // Kept outermost dimension: split; reduced outermost dimension: one thread. Both exact.
  Tensor rows(DType::f32, {300, 1});
  AttrList inner;
  inner.ints("axes", {1}).i("keepdims", 1);
  auto sums = runOverThreads("ReduceSum", {&x}, rows, inner);
  expectSameBits(sums, "ReduceSum");
  Tensor cols(DType::f32, {1, 512});
  AttrList outer;
  outer.ints("axes", {0}).i("keepdims", 1);
  auto means = runOverThreads("ReduceMean", {&x}, cols, outer);
  expectSameBits(means, "ReduceMean");
  double want = 0;
  for (int64_t c = 0; c < 512; ++c) want += x.values<float>()[size_t(7 * 512 + c)];
  EXPECT_NEAR(sums[0][7], want, 1e-3);
}

// Gemm/MatMul split blocks of output rows and columns (or columns of a single row) over
// threads; the K blocks and the order of each element's multiply-adds do not depend on the
// split, so the results are the same bits.
TEST(ThreadedKernels, MatMulAndGemmAreBitIdenticalForAnyThreadCount) {
  Tensor a = Tensor::of<float>({3, 100, 64}, randomFloats(3 * 100 * 64, 3));
  Tensor b = Tensor::of<float>({64, 80}, randomFloats(64 * 80, 4));
  Tensor y(DType::f32, {3, 100, 80});
  AttrList none;
  auto mm = runOverThreads("MatMul", {&a, &b}, y, none);
  expectSameBits(mm, "MatMul");

  Tensor x = Tensor::of<float>({1, 512}, randomFloats(512, 5));
  Tensor w = Tensor::of<float>({1000, 512}, randomFloats(1000 * 512, 6));
  Tensor c = Tensor::of<float>({1000}, randomFloats(1000, 7));
  Tensor head(DType::f32, {1, 1000});
  AttrList gemm;
  gemm.i("transA", 0).i("transB", 1).f("alpha", 1.f).f("beta", 1.f);
  auto g = runOverThreads("Gemm", {&x, &w, &c}, head, gemm);
  expectSameBits(g, "Gemm head");

  Tensor x2 = Tensor::of<float>({200, 96}, randomFloats(200 * 96, 8));
  Tensor w2 = Tensor::of<float>({96, 120}, randomFloats(96 * 120, 9));
  Tensor y2(DType::f32, {200, 120});
  AttrList gemm2;
  gemm2.i("transA", 0).i("transB", 0).f("alpha", 0.5f).f("beta", 1.f);
  auto g2 = runOverThreads("Gemm", {&x2, &w2, nullptr}, y2, gemm2);
  expectSameBits(g2, "Gemm");
}
}  // namespace threaded

// ---- attributes --------------------------------------------------------------------

namespace attrs {
using namespace edgec::rt;
using namespace edgec::rt::testing;

std::string prepareError(const std::string &op, std::vector<Tensor *> in, Tensor &out, AttrList &attrs) {
  try {
    runKernel(op, in, {&out}, attrs);
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

// A required attribute that is missing, or any attribute of the wrong kind, is an error
// naming it; neither silently becomes its default.
TEST(KernelAttributes, MissingOrWrongKindIsAnError) {
  Tensor x = Tensor::of<float>({2, 3}, randomFloats(6, 11));
  Tensor y(DType::f32, {1, 3});
  AttrList none;
  EXPECT_NE(prepareError("Slice", {&x}, y, none).find("attribute 'starts' is missing"), std::string::npos);

  Tensor t(DType::f32, {3, 2});
  AttrList floatPerm;
  floatPerm.f("perm", 1.f);
  EXPECT_NE(prepareError("Transpose", {&x}, t, floatPerm).find("attribute 'perm' is Float, expected Ints"),
            std::string::npos);

  Tensor z(DType::f32, {2, 3});
  AttrList intAlpha;
  intAlpha.i("alpha", 1);
  EXPECT_NE(prepareError("LeakyRelu", {&x}, z, intAlpha).find("attribute 'alpha' is Int, expected Float"),
            std::string::npos);
}
}  // namespace attrs

// ---- streaming a package from pieces ------------------------------------------------

TEST(PackageWriter, PiecesStreamTheSameBytesAsTheImage) {
  const std::vector<uint8_t> good = statefulPackage();
  // Take the plan back out of an assembled package and rebuild it from constant pieces
  // with zero gaps between them, as the compiler streams its weights.
  pkg::FileHeader h;
  std::memcpy(&h, good.data(), sizeof h);
  pkg::SectionEntry e[2];
  std::memcpy(e, good.data() + h.section_table_offset, sizeof e);
  const std::vector<uint8_t> plan(good.begin() + int64_t(e[0].offset), good.begin() + int64_t(e[0].offset + e[0].size));
  std::vector<uint8_t> constants(300, 0);
  const uint8_t a[5] = {1, 2, 3, 4, 5}, b[7] = {9, 8, 7, 6, 5, 4, 3};
  std::memcpy(constants.data() + 64, a, sizeof a);
  std::memcpy(constants.data() + 192, b, sizeof b);
  const std::vector<uint8_t> image = pkg::assemblePackage(plan, constants);
  std::vector<uint8_t> streamed;
  ASSERT_TRUE(pkg::writePackagePieces(
      plan.data(), plan.size(), constants.size(),
      [&](const auto &emit) { emit(64, a, sizeof a) && emit(192, b, sizeof b); },
      [&](const void *data, size_t size) {
        streamed.insert(streamed.end(), static_cast<const uint8_t *>(data), static_cast<const uint8_t *>(data) + size);
        return true;
      }));
  EXPECT_EQ(streamed, image);
}
