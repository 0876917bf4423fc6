#include "model/track_health.hpp"

#include <algorithm>

namespace st::model {

std::string_view to_string(CopyHealth h) {
  switch (h) {
    case CopyHealth::healthy: return "healthy";
    case CopyHealth::recovered: return "recovered";
    case CopyHealth::degraded: return "degraded";
    case CopyHealth::dereferenced: return "dereferenced";
  }
  return "healthy";
}

std::optional<CopyHealth> parse_copy_health(std::string_view s) {
  for (auto h : {CopyHealth::healthy, CopyHealth::recovered, CopyHealth::degraded, CopyHealth::dereferenced})
    if (to_string(h) == s) return h;
  return std::nullopt;
}

CopyState after_failure(CopyState s) {
  if (s.admin_dereferenced) return s;  // not ours to judge
  s.failed_attempts = std::min(s.failed_attempts + 1, 1000000);
  if (s.failed_attempts >= kMaxFailedAttempts) {
    s.health = CopyHealth::dereferenced;
    s.is_available = false;
  } else {
    s.health = CopyHealth::degraded;  // still a source, tried after the sound ones
    s.is_available = true;
  }
  return s;
}

CopyState after_success(CopyState s) {
  if (s.admin_dereferenced) return s;  // only an administrator re-references what an administrator removed
  if (s.health == CopyHealth::dereferenced) s.health = CopyHealth::healthy;  // re-referenced: the content is back
  else if (s.failed_attempts > 0 || s.health == CopyHealth::degraded) s.health = CopyHealth::recovered;
  s.failed_attempts = 0;
  s.is_available = true;
  return s;
}

CopyState after_admin_dereference(CopyState s) {
  s.admin_dereferenced = true;
  s.health = CopyHealth::dereferenced;
  s.is_available = false;
  return s;
}

CopyState after_admin_rereference(CopyState s) {
  s.admin_dereferenced = false;
  s.health = CopyHealth::healthy;
  s.failed_attempts = 0;
  s.is_available = true;
  return s;
}

}  // namespace st::model
