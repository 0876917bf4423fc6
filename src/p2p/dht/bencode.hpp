#pragma once
// Bencode (BEP 3) values: integers, byte strings, lists, dictionaries. Decoding takes untrusted bytes with
// hard limits; encoding is canonical (dictionary keys sorted), as BEP 44 signatures and KRPC expect.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace st::p2p::dht {

struct BValue;
using BList = std::vector<BValue>;
// Kept in the order decoded (peers may send unsorted keys); encode() sorts.
using BDict = std::vector<std::pair<std::string, BValue>>;

struct BValue {
  std::variant<std::int64_t, std::string, BList, BDict> v;

  BValue() : v(std::int64_t{0}) {}
  BValue(std::int64_t i) : v(i) {}
  BValue(int i) : v(std::int64_t{i}) {}
  BValue(std::string s) : v(std::move(s)) {}
  BValue(const char* s) : v(std::string(s)) {}
  BValue(BList l) : v(std::move(l)) {}
  BValue(BDict d) : v(std::move(d)) {}

  const std::int64_t* integer() const { return std::get_if<std::int64_t>(&v); }
  const std::string* string() const { return std::get_if<std::string>(&v); }
  const BList* list() const { return std::get_if<BList>(&v); }
  const BDict* dict() const { return std::get_if<BDict>(&v); }
  // The first value under key when this is a dictionary; nullptr otherwise.
  const BValue* find(std::string_view key) const;
  const std::string* find_string(std::string_view key) const;
  const std::int64_t* find_integer(std::string_view key) const;
  const BDict* find_dict(std::string_view key) const;
};

struct DecodeLimits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_depth = 16;   // nesting of lists/dictionaries
  std::size_t max_items = 4096;  // values of any kind in the whole document
};

// The whole input must be exactly one value. Errors: a short reason in `why`.
std::optional<BValue> bdecode(std::string_view in, std::string& why, const DecodeLimits& limits = {});
std::string bencode(const BValue& value);
// The bencoding of a byte string: "<len>:<bytes>".
std::string bencode_string(std::string_view s);

}  // namespace st::p2p::dht
