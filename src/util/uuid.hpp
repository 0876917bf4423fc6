#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace st::util {

// A random (version 4) UUID in lowercase hyphenated form.
std::string new_uuid();

// A time-ordered (version 7) UUID: 48 bits of Unix milliseconds, then 74 random bits. Rows created
// together get neighbouring keys, so their primary-key index grows at its end instead of at random
// pages (what a million replicated tracks cost). For catalogue rows, never for secrets.
std::string new_time_uuid();

// A UUID (version 8) derived from a name: the same name always gives the same id. Not secret.
std::string name_uuid(std::string_view name);

// True when s is a hyphenated UUID (any version, either case).
bool is_uuid(std::string_view s);

// The canonical lowercase form of s, or nothing when s is not a UUID.
std::optional<std::string> normalize_uuid(std::string_view s);

}  // namespace st::util
