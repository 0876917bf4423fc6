#include "search/term_dictionary.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace st::search {

namespace {
// Words added since the last merge are scanned linearly by with_prefix(); past this many (or a sixteenth
// of the dictionary, whichever is more) they are merged into the ordered list.
constexpr std::size_t kRecentMin = 2048;
}  // namespace

std::size_t TermDictionary::slot_of(std::string_view term) const {
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = std::hash<std::string_view>{}(term) & mask;; i = (i + 1) & mask) {
    auto s = slots_[i];
    if (s == 0 || text(s - 1) == term) return i;
  }
}

std::uint32_t TermDictionary::find(std::string_view term) const {
  if (slots_.empty()) return npos;
  auto s = slots_[slot_of(term)];
  return s == 0 ? npos : s - 1;
}

void TermDictionary::rehash(std::size_t slots) {
  slots_.assign(slots, 0);
  for (std::uint32_t id = 0; id < size(); ++id) slots_[slot_of(text(id))] = id + 1;
}

std::uint32_t TermDictionary::intern(std::string_view term) {
  if (slots_.size() < 2 * (size() + 1)) rehash(std::max<std::size_t>(64, slots_.size() * 2));
  auto slot = slot_of(term);
  if (slots_[slot] != 0) return slots_[slot] - 1;
  if (size() >= npos - 1 || chars_.size() + term.size() >= UINT32_MAX) throw std::length_error("search dictionary full");
  auto id = static_cast<std::uint32_t>(size());
  chars_.append(term);
  starts_.push_back(static_cast<std::uint32_t>(chars_.size()));
  slots_[slot] = id + 1;
  recent_.push_back(id);
  if (recent_.size() > std::max(kRecentMin, sorted_.size() / 16)) merge_recent();
  return id;
}

void TermDictionary::merge_recent() {
  if (recent_.empty()) return;
  auto by_text = [this](std::uint32_t a, std::uint32_t b) { return text(a) < text(b); };
  std::sort(recent_.begin(), recent_.end(), by_text);
  std::vector<std::uint32_t> merged;
  merged.reserve(sorted_.size() + recent_.size());
  std::merge(sorted_.begin(), sorted_.end(), recent_.begin(), recent_.end(), std::back_inserter(merged), by_text);
  sorted_ = std::move(merged);
  recent_.clear();
}

std::vector<std::uint32_t> TermDictionary::with_prefix(std::string_view prefix) const {
  std::vector<std::uint32_t> out;
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), prefix,
                             [this](std::uint32_t id, std::string_view p) { return text(id) < p; });
  for (; it != sorted_.end() && text(*it).starts_with(prefix); ++it) out.push_back(*it);
  for (auto id : recent_)
    if (text(id).starts_with(prefix)) out.push_back(id);
  return out;
}

void TermDictionary::settle() {
  merge_recent();
  chars_.shrink_to_fit();
  starts_.shrink_to_fit();
  sorted_.shrink_to_fit();
}

std::size_t TermDictionary::memory_bytes() const {
  return chars_.capacity() + 4 * (starts_.capacity() + slots_.capacity() + sorted_.capacity() + recent_.capacity());
}

}  // namespace st::search
