#pragma once
#include <string>
#include <string_view>

namespace st::util {

// For text that goes into a log line: control characters become \n, \r, \t or \xHH and a backslash
// becomes \\, so a client cannot start a forged line (a decoded "%0a" in a path) or hide one.
std::string escape_for_log(std::string_view s);

}  // namespace st::util
