#pragma once
#include <string>

namespace st::app {

// Sets up the process logger (stderr, with timestamps) at the given level name.
void init_logging(const std::string& level);

}  // namespace st::app
