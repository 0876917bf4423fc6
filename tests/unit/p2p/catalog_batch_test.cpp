// Catalogue pages gathered for one transaction keep their order: a hash already waiting refuses the page.
#include <gtest/gtest.h>

#include "p2p/catalog_batch.hpp"

using namespace st::p2p;

namespace {
std::vector<TrackAnnouncement> page(std::initializer_list<const char*> hashes) {
  std::vector<TrackAnnouncement> out;
  for (const char* h : hashes) {
    TrackAnnouncement a;
    a.hash = h;
    a.title = std::string("t") + h;
    out.push_back(a);
  }
  return out;
}
}  // namespace

TEST(CatalogBatch, GathersPagesInOrderUntilFull) {
  CatalogBatch b(4);
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(b.accepts(page({"a", "b"})));
  b.add(page({"a", "b"}));
  EXPECT_FALSE(b.full());
  b.add(page({"c", "d"}));
  EXPECT_TRUE(b.full());
  auto got = b.take();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].hash, "a");
  EXPECT_EQ(got[3].hash, "d");
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(b.accepts(page({"a"})));  // taken: no longer waiting
}

TEST(CatalogBatch, AHashAlreadyWaitingRefusesThePage) {
  CatalogBatch b(100);
  b.add(page({"a", "b"}));
  EXPECT_FALSE(b.accepts(page({"c", "b"})));  // b edited during the pull: apply the first version first
  EXPECT_TRUE(b.accepts(page({"c", "d"})));
  EXPECT_EQ(b.size(), 2u);
}
