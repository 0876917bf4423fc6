#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace st::util {

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
bool starts_with(std::string_view s, std::string_view prefix);

std::string to_hex(const unsigned char* data, std::size_t len);
// Decodes lowercase or uppercase hex; nothing when the input is not hex of even length.
std::optional<std::string> from_hex(std::string_view hex);

// Parses a whole string as a base-10 integer; nothing on any stray character or overflow.
std::optional<long long> parse_int(std::string_view s);
// "true"/"false"/"1"/"0"/"yes"/"no"/"on"/"off", case-insensitive.
std::optional<bool> parse_bool(std::string_view s);

// Decodes %XX escapes (and '+' as space when plus_is_space); nothing on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
// Escapes everything but RFC 3986 unreserved characters (for a query value or a path segment).
std::string percent_encode(std::string_view s);

// Appends the UTF-8 encoding of a Unicode code point (the caller has checked it is one: <= 0x10FFFF).
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace st::util
