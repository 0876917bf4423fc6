#pragma once
// Web themes wired to libgit2, libarchive and the system resolver (the composition root's part).
#include <memory>

#include "app/config.hpp"
#include "auth/rate_limiter.hpp"
#include "db/pool.hpp"
#include "model/theme.hpp"
#include "themes/theme_service.hpp"

namespace st::app {

struct ThemeParts {
  std::unique_ptr<model::ThemeRepository> repo;
  std::unique_ptr<themes::ThemeService> service;
  std::unique_ptr<auth::RateLimiter> install_rate;  // the original's: a burst of 5, then one per 12 s
};

// Also sweeps what an interrupted install left in THEME_DIR.
ThemeParts make_theme_parts(const Config& c, db::Pool& pool);

}  // namespace st::app
