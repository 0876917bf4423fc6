// util/heap: which allocator the process runs on, and giving free pages back. The unit tests are not linked
// with jemalloc (only the server binary is): they run on glibc's malloc, where release_free_heap trims.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "util/heap.hpp"

TEST(Heap, TestsRunOnGlibcAndReleaseTheirFreePages) {
  EXPECT_EQ(st::util::heap_allocator(), "glibc");
  {
    std::vector<std::unique_ptr<char[]>> blocks;
    for (int i = 0; i < 256; ++i) blocks.push_back(std::make_unique<char[]>(4096 + i));
  }
  st::util::release_free_heap();  // malloc_trim: nothing to check but that it returns
  auto after = std::make_unique<char[]>(4096);
  EXPECT_NE(after.get(), nullptr);
}
