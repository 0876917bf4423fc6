#include "http/headers.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace st::http {

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : fields_)
    if (util::iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

void Headers::set(std::string name, std::string value) {
  erase(name);
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::erase(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return util::iequals(f.first, name); });
}

}  // namespace st::http
