#pragma once
// The public directory listing service, wired to the settings, the counts and libcurl.
#include <memory>
#include <string_view>

#include "app/config.hpp"
#include "app/services.hpp"
#include "library/listing_service.hpp"

namespace st::app {

std::unique_ptr<library::ListingService> make_listing_service(const Config& c, Services& s, std::string_view version);

}  // namespace st::app
