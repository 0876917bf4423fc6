#include "app/theme_wiring.hpp"

#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "db/theme_repository.hpp"
#include "lib/archive/extract.hpp"
#include "lib/git/clone.hpp"

namespace st::app {

namespace {

std::vector<std::string> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::vector<std::string> out;
  if (getaddrinfo(host.c_str(), "443", &hints, &res) != 0) return out;
  for (auto* a = res; a; a = a->ai_next) {
    char buf[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0) out.emplace_back(buf);
  }
  freeaddrinfo(res);
  return out;
}

}  // namespace

ThemeParts make_theme_parts(const Config& c, db::Pool& pool) {
  ThemeParts p;
  p.repo = db::make_theme_repository(pool);
  if (!c.theme_git_ca_file.empty()) lib::git::set_ca_file(c.theme_git_ca_file);
  themes::ThemeServiceOptions o;
  o.theme_dir = c.theme_dir;
  o.limits.max_bytes = static_cast<std::uint64_t>(c.theme_max_size_mb) * 1024 * 1024;
  o.allow_private_hosts = c.theme_allow_private_hosts;
  if (o.allow_private_hosts) spdlog::warn("THEME_ALLOW_PRIVATE_HOSTS=true: themes may be cloned from local hosts");
  o.clone = [](const std::string& url, const std::string& dest, const themes::TreeLimits& l) {
    return lib::git::clone(url, dest, lib::git::CloneLimits{l.max_bytes, l.max_files});
  };
  o.extract = [](const std::string& archive, const std::string& dest, const themes::TreeLimits& l,
                 const std::function<bool(std::string_view)>& name_ok) {
    // Folders count as entries too: allow some beside the files.
    return lib::archive::extract(archive, dest, lib::archive::ExtractLimits{l.max_bytes, l.max_files * 4}, name_ok);
  };
  o.resolve = resolve;
  p.service = std::make_unique<themes::ThemeService>(*p.repo, std::move(o));
  p.service->sweep();
  p.install_rate = std::make_unique<auth::RateLimiter>(c.theme_install_rate_burst, std::chrono::seconds(12));
  return p;
}

}  // namespace st::app
