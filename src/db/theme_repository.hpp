#pragma once
#include <memory>

#include "db/pool.hpp"
#include "model/theme.hpp"

namespace st::db {

std::unique_ptr<model::ThemeRepository> make_theme_repository(Pool& pool);

}  // namespace st::db
