#pragma once
// JSON shapes shared by several route groups (field names are the original's).
#include <string_view>

#include "api/json.hpp"
#include "auth/account_service.hpp"
#include "auth/session_service.hpp"
#include "model/user.hpp"

namespace st::api {

// UserResponse: id, username, email, display_name, avatar_url, role, instance_id.
json::object user_response(const model::User& u, std::string_view domain);
// TokenPair: access_token, refresh_token, token_type, expires_in.
json::object token_pair(const auth::TokenPair& p);
// AuthResponse: {user, tokens}.
json::object auth_response(const model::User& u, const auth::TokenPair& p, std::string_view domain);
// The account fields of a registration-like body: username, email, password, display_name?.
auth::NewAccount new_account(const json::object& body);
// The admin view of a user.
json::object admin_user(const model::User& u);

}  // namespace st::api
