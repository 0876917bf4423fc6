#pragma once
// Rendered bodies shared between requests (subsonic/node.hpp: Prerendered), for answers that are large,
// asked for whole and seldom changed (getArtists). An entry is found by the data it was made from (a shared
// list, held by the entry so that its address cannot be reused while the entry lives) and a key for what
// else went into it (the asking user's stars and ratings); entries of a replaced list are dropped when the
// next lookup meets them. A rendering made from several lists (getIndexes: one per music folder) is found by
// all of them. A few entries at most: each can be megabytes.
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "subsonic/node.hpp"

namespace st::subsonic {

class RenderCache {
 public:
  static constexpr std::size_t kEntries = 4;

  // The entry for (source, key), made with `build` when there is none. `source` is the current one: entries
  // of any other source are dropped.
  std::shared_ptr<const Prerendered> get(std::shared_ptr<const void> source, const std::string& key,
                                         std::function<Node()> build);
  using Sources = std::vector<std::shared_ptr<const void>>;
  std::shared_ptr<const Prerendered> get(Sources sources, const std::string& key, std::function<Node()> build);
  std::size_t size();
  void clear();  // a quiet server's memory (db/idle_memory.hpp); the next request renders again

 private:
  struct Entry {
    Sources sources;
    std::string key;
    std::shared_ptr<const Prerendered> render;
  };
  std::mutex mu_;
  std::list<Entry> entries_;  // the most recently used first
};

}  // namespace st::subsonic
