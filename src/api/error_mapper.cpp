#include "api/error_mapper.hpp"

#include <fmt/format.h>

#include "model/database_unavailable.hpp"
#include "model/errors.hpp"

namespace st::api {

namespace {
int status_of(model::ErrorKind k) {
  switch (k) {
    case model::ErrorKind::bad_request: return 400;
    case model::ErrorKind::unauthorized: return 401;
    case model::ErrorKind::forbidden: return 403;
    case model::ErrorKind::not_found: return 404;
    case model::ErrorKind::conflict: return 409;
    case model::ErrorKind::payload_too_large: return 413;
    case model::ErrorKind::too_many_requests: return 429;
    case model::ErrorKind::unavailable: return 503;
    case model::ErrorKind::bad_gateway: return 502;
    case model::ErrorKind::insufficient_storage: return 507;
  }
  return 500;
}
}  // namespace

http::Response response_for(const model::DomainError& e) {
  auto r = http::Response::error(status_of(e.kind()), e.what());
  if (e.kind() == model::ErrorKind::too_many_requests ||
      (e.kind() == model::ErrorKind::unavailable && e.retry_after_seconds() > 0))
    r.headers.set("Retry-After", std::to_string(e.retry_after_seconds()));
  if (e.kind() == model::ErrorKind::unauthorized) r.headers.set("WWW-Authenticate", "Bearer");
  return r;
}

http::Handler with_error_mapping(http::Handler inner, ErrorLog log) {
  return [inner = std::move(inner), log = std::move(log)](http::Request& req) -> http::Response {
    try {
      return inner(req);
    } catch (const model::DomainError& e) {
      return response_for(e);
    } catch (const model::DatabaseUnavailable& e) {
      // Reported once per outage by the pool: not a line per request.
      auto r = http::Response::error(503, "The service is temporarily unavailable");
      r.headers.set("Retry-After", std::to_string(e.retry_after_seconds()));
      return r;
    } catch (const model::UniqueViolation& e) {
      if (log) log(req.request_id, e.what());
      return http::Response::error(409, "This already exists");
    } catch (const std::exception& e) {
      if (log) log(req.request_id, e.what());
      return http::Response::error(500, "Internal server error");
    }
  };
}

}  // namespace st::api
