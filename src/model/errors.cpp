#include "model/errors.hpp"

namespace st::model {

void throw_bad_request(std::string m) { throw DomainError(ErrorKind::bad_request, std::move(m)); }
void throw_unauthorized(std::string m) { throw DomainError(ErrorKind::unauthorized, std::move(m)); }
void throw_forbidden(std::string m) { throw DomainError(ErrorKind::forbidden, std::move(m)); }
void throw_not_found(std::string m) { throw DomainError(ErrorKind::not_found, std::move(m)); }
void throw_conflict(std::string m) { throw DomainError(ErrorKind::conflict, std::move(m)); }

}  // namespace st::model
