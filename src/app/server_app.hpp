#pragma once
#include "app/config.hpp"

namespace st::app {

// `soundtime serve`: runs until SIGTERM/SIGINT; returns the process exit code.
int serve(const Config& config);

}  // namespace st::app
