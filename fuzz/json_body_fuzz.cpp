// JSON request bodies: parsing and typed field access either succeed or throw DomainError.
#include <cstdint>
#include <string>

#include "api/json.hpp"
#include "model/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  st::http::Request req;
  req.headers.set("Content-Type", "application/json");
  req.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    auto o = st::api::parse_object(req, true);
    try { (void)st::api::require_string(o, "username"); } catch (const st::model::DomainError&) {}
    try { (void)st::api::optional_bool(o, "p2p_enabled"); } catch (const st::model::DomainError&) {}
    try { (void)st::api::require_int(o, "max_upload_size_mb"); } catch (const st::model::DomainError&) {}
  } catch (const st::model::DomainError&) {
  }
  return 0;
}
