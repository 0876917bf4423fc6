#pragma once
// The users columns every query selects, and the row reader that goes with them.
#include <algorithm>
#include <cstddef>
#include <string_view>

#include "db/sql.hpp"
#include "model/user.hpp"

namespace st::db {

inline constexpr const char* kUserColumns =
    "u.id, u.username, u.email, u.password_hash, u.display_name, u.avatar_url, u.role, u.is_banned, "
    "u.ban_reason, u.banned_at, u.created_at, u.updated_at";
// How many cells kUserColumns gives (and read_user reads): a query that selects more after them starts there.
inline constexpr std::size_t kUserColumnCount = 12;
static_assert(static_cast<std::size_t>(std::ranges::count(std::string_view(kUserColumns), ',')) + 1 == kUserColumnCount,
              "kUserColumnCount must name as many columns as kUserColumns");

model::User read_user(const Row& r);

}  // namespace st::db
