#include "util/log_ring.hpp"

#include <cctype>

namespace st::util {

namespace {
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

void LogRing::push(LogEvent e) {
  std::lock_guard l(mu_);
  if (events_.size() >= capacity_) events_.pop_front();
  events_.push_back(std::move(e));
}

std::vector<LogEvent> LogRing::recent(const std::optional<std::string>& level, std::optional<std::size_t> limit) const {
  std::string want = level ? upper(*level) : std::string();
  std::vector<LogEvent> out;
  std::lock_guard l(mu_);
  for (const auto& e : events_)
    if (want.empty() || e.level == want) out.push_back(e);
  if (limit && out.size() > *limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(*limit));
  return out;
}

std::size_t LogRing::size() const {
  std::lock_guard l(mu_);
  return events_.size();
}

void LogRing::clear() {
  std::lock_guard l(mu_);
  events_.clear();
}

}  // namespace st::util
