#pragma once
// The one place REST errors become responses: DomainError kinds to statuses, everything else to a
// generic 500 whose detail goes to the log only.
#include <functional>
#include <string_view>

#include "http/router.hpp"
#include "model/errors.hpp"

namespace st::api {

using ErrorLog = std::function<void(std::string_view request_id, std::string_view message)>;

http::Handler with_error_mapping(http::Handler inner, ErrorLog log);
// The response for a domain error (status, Retry-After, WWW-Authenticate), as with_error_mapping gives it.
http::Response response_for(const model::DomainError& e);

}  // namespace st::api
