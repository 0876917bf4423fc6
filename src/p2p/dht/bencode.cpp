#include "p2p/dht/bencode.hpp"

#include <algorithm>
#include <charconv>

namespace st::p2p::dht {

const BValue* BValue::find(std::string_view key) const {
  const auto* d = dict();
  if (!d) return nullptr;
  for (const auto& [k, val] : *d)
    if (k == key) return &val;
  return nullptr;
}

const std::string* BValue::find_string(std::string_view key) const {
  const auto* x = find(key);
  return x ? x->string() : nullptr;
}

const std::int64_t* BValue::find_integer(std::string_view key) const {
  const auto* x = find(key);
  return x ? x->integer() : nullptr;
}

const BDict* BValue::find_dict(std::string_view key) const {
  const auto* x = find(key);
  return x ? x->dict() : nullptr;
}

namespace {

class Decoder {
 public:
  Decoder(std::string_view in, const DecodeLimits& limits) : in_(in), limits_(limits) {}

  std::optional<BValue> value(std::size_t depth, std::string& why) {
    if (++items_ > limits_.max_items) return fail(why, "too many items");
    if (pos_ >= in_.size()) return fail(why, "truncated");
    char c = in_[pos_];
    if (c == 'i') {
      ++pos_;
      auto end = in_.find('e', pos_);
      if (end == std::string_view::npos) return fail(why, "unterminated integer");
      auto digits = in_.substr(pos_, end - pos_);
      if (!valid_integer(digits)) return fail(why, "malformed integer");
      std::int64_t i = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
      if (ec != std::errc() || p != digits.data() + digits.size()) return fail(why, "integer out of range");
      pos_ = end + 1;
      return BValue(i);
    }
    if (c >= '0' && c <= '9') {
      std::string s;
      if (!string(s, why)) return std::nullopt;
      return BValue(std::move(s));
    }
    if (c == 'l' || c == 'd') {
      if (depth >= limits_.max_depth) return fail(why, "nested too deeply");
      ++pos_;
      if (c == 'l') {
        BList list;
        while (pos_ < in_.size() && in_[pos_] != 'e') {
          auto item = value(depth + 1, why);
          if (!item) return std::nullopt;
          list.push_back(std::move(*item));
        }
        if (pos_ >= in_.size()) return fail(why, "unterminated list");
        ++pos_;
        return BValue(std::move(list));
      }
      BDict dict;
      while (pos_ < in_.size() && in_[pos_] != 'e') {
        if (++items_ > limits_.max_items) return fail(why, "too many items");
        std::string key;
        if (in_[pos_] < '0' || in_[pos_] > '9') return fail(why, "dictionary key is not a string");
        if (!string(key, why)) return std::nullopt;
        auto item = value(depth + 1, why);
        if (!item) return std::nullopt;
        dict.emplace_back(std::move(key), std::move(*item));
      }
      if (pos_ >= in_.size()) return fail(why, "unterminated dictionary");
      ++pos_;
      return BValue(std::move(dict));
    }
    return fail(why, "unexpected byte");
  }

  bool at_end() const { return pos_ == in_.size(); }

 private:
  static std::nullopt_t fail(std::string& why, const char* reason) {
    why = reason;
    return std::nullopt;
  }

  // Canonical integers only: no "-0", no leading zeros, no empty digits.
  static bool valid_integer(std::string_view d) {
    if (d.empty()) return false;
    std::size_t start = d[0] == '-' ? 1 : 0;
    if (start == d.size()) return false;
    for (std::size_t i = start; i < d.size(); ++i)
      if (d[i] < '0' || d[i] > '9') return false;
    if (d[start] == '0' && (d.size() - start > 1 || start == 1)) return false;
    return true;
  }

  bool string(std::string& out, std::string& why) {
    auto colon = in_.find(':', pos_);
    if (colon == std::string_view::npos || colon - pos_ > 10) return fail(why, "malformed string length"), false;
    auto digits = in_.substr(pos_, colon - pos_);
    for (char d : digits)
      if (d < '0' || d > '9') return fail(why, "malformed string length"), false;
    if (digits.size() > 1 && digits[0] == '0') return fail(why, "string length has leading zeros"), false;
    std::size_t len = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), len);
    std::size_t start = colon + 1;
    if (len > in_.size() - start) return fail(why, "string longer than the input"), false;
    out.assign(in_.substr(start, len));
    pos_ = start + len;
    return true;
  }

  std::string_view in_;
  const DecodeLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
};

void encode_into(const BValue& value, std::string& out) {
  if (const auto* i = value.integer()) {
    out += 'i';
    out += std::to_string(*i);
    out += 'e';
  } else if (const auto* s = value.string()) {
    out += bencode_string(*s);
  } else if (const auto* l = value.list()) {
    out += 'l';
    for (const auto& item : *l) encode_into(item, out);
    out += 'e';
  } else if (const auto* d = value.dict()) {
    std::vector<const std::pair<std::string, BValue>*> sorted;
    sorted.reserve(d->size());
    for (const auto& kv : *d) sorted.push_back(&kv);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    out += 'd';
    for (const auto* kv : sorted) {
      out += bencode_string(kv->first);
      encode_into(kv->second, out);
    }
    out += 'e';
  }
}

}  // namespace

std::optional<BValue> bdecode(std::string_view in, std::string& why, const DecodeLimits& limits) {
  if (in.size() > limits.max_bytes) {
    why = "input too large";
    return std::nullopt;
  }
  Decoder d(in, limits);
  auto v = d.value(0, why);
  if (!v) return std::nullopt;
  if (!d.at_end()) {
    why = "trailing bytes";
    return std::nullopt;
  }
  return v;
}

std::string bencode(const BValue& value) {
  std::string out;
  encode_into(value, out);
  return out;
}

std::string bencode_string(std::string_view s) {
  std::string out = std::to_string(s.size());
  out += ':';
  out += s;
  return out;
}

}  // namespace st::p2p::dht
