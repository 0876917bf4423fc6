#pragma once
// Domain errors: services throw these; each protocol adapter (REST, Subsonic, P2P) maps them in one place.
#include <stdexcept>
#include <string>

namespace st::model {

enum class ErrorKind {
  bad_request,
  unauthorized,
  forbidden,
  not_found,
  conflict,
  payload_too_large,
  too_many_requests,
  unavailable,
  bad_gateway,  // a service we depend on failed (a lyrics provider)
  insufficient_storage,  // the disk is full: nothing was kept, the same request can succeed once space is freed
};

class DomainError : public std::runtime_error {
 public:
  DomainError(ErrorKind kind, std::string message, int retry_after_seconds = 0)
      : std::runtime_error(std::move(message)), kind_(kind), retry_after_(retry_after_seconds) {}
  ErrorKind kind() const noexcept { return kind_; }
  int retry_after_seconds() const noexcept { return retry_after_; }

 private:
  ErrorKind kind_;
  int retry_after_;
};

[[noreturn]] void throw_bad_request(std::string message);
[[noreturn]] void throw_unauthorized(std::string message);
[[noreturn]] void throw_forbidden(std::string message);
[[noreturn]] void throw_not_found(std::string message);
[[noreturn]] void throw_conflict(std::string message);

// A storage failure. Its text is for logs only: clients see a generic message.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A unique constraint refused a write (the text names the constraint, for logs).
class UniqueViolation : public StorageError {
 public:
  using StorageError::StorageError;
};

}  // namespace st::model
