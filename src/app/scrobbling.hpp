#pragma once
// Builds the scrobbler (Last.fm, ListenBrainz) from the configuration, with libcurl as its network.
#include <memory>

#include "app/config.hpp"
#include "app/services.hpp"
#include "scrobble/scrobbler.hpp"

namespace st::app {

std::unique_ptr<scrobble::Scrobbler> make_scrobbler(const Config& c, Services& s);

}  // namespace st::app
