#pragma once
// Bytes [first, last] of an object read in pieces (one ranged GET per MiB) as a response body pulls them:
// a seeking player's range is proxied without fetching the whole object first, and without a thread.
#include <cstddef>
#include <cstdint>
#include <string>

#include "library/object_store.hpp"

namespace st::library {

class ObjectRangeReader {
 public:
  ObjectRangeReader(ObjectStore& store, std::string key, std::uint64_t first, std::uint64_t last,
                    std::size_t piece = 1024 * 1024)
      : store_(store), key_(std::move(key)), next_(first), last_(last), size_(last - first + 1), piece_(piece) {}

  // Throws StorageError, also when the object holds fewer bytes than the range promised.
  std::size_t read(char* buf, std::size_t n);
  std::uint64_t size() const { return size_; }

 private:
  ObjectStore& store_;
  std::string key_;
  std::uint64_t next_;  // the first byte not yet fetched
  std::uint64_t last_;
  std::uint64_t size_;
  std::size_t piece_;
  std::string buf_;
  std::size_t at_ = 0;  // read position in buf_
};

}  // namespace st::library
