#include "library/object_range_reader.hpp"

#include <algorithm>
#include <cstring>

namespace st::library {

std::size_t ObjectRangeReader::read(char* buf, std::size_t n) {
  if (at_ == buf_.size()) {
    if (next_ > last_) return 0;
    std::uint64_t end = std::min<std::uint64_t>(last_, next_ + piece_ - 1);
    buf_.clear();
    at_ = 0;
    std::uint64_t want = end - next_ + 1;
    store_.read(key_, std::pair{next_, end}, [&](std::string_view piece) {
      if (buf_.size() + piece.size() > want) return false;  // more than asked: a store ignoring ranges
      buf_.append(piece);
      return true;
    });
    if (buf_.size() != want)
      throw StorageError(StorageError::Kind::unavailable, "object storage answered " + std::to_string(buf_.size()) +
                                                              " bytes for a range of " + std::to_string(want));
    next_ = end + 1;
  }
  std::size_t len = std::min(n, buf_.size() - at_);
  std::memcpy(buf, buf_.data() + at_, len);
  at_ += len;
  return len;
}

}  // namespace st::library
