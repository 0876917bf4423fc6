#pragma once
// An object's bytes written to a local file whole or not at all: the media cache's copies, transcodes
// shared by other nodes, and a migration back to local storage all land objects this way.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "library/object_store.hpp"

namespace st::library {

// Reads a whole object into sink (false from the sink stops). Throws StorageError.
using ObjectReader = std::function<void(const std::string& key, const std::function<bool(std::string_view)>& sink)>;
ObjectReader whole_reads(ObjectStore& store);  // the store outlives the reader

struct SaveOptions {
  std::string part;                     // where the bytes go first (beside dest, on its filesystem)
  bool durable = false;                 // synced to disk before the rename
  std::optional<std::uint64_t> expect;  // the size the object must have
};

// Writes key's bytes to options.part, flushed, then renames it to dest; returns their size. A failure
// (the store's, a disk that refuses, a size other than expected) leaves no part file and throws
// StorageError.
std::uint64_t save_object(const ObjectReader& read, const std::string& key, const std::string& dest,
                          const SaveOptions& options);

}  // namespace st::library
