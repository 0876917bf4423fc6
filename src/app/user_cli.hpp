#pragma once
#include <optional>
#include <string>

#include "app/config.hpp"

namespace st::app {

// `soundtime user create|passwd|role`. A missing password is read from the terminal (without echo)
// or from one line of standard input. Each returns the process exit code and prints what it did.
int user_create(const Config& c, const std::string& username, const std::string& email,
                std::optional<std::string> password, const std::string& role);
int user_passwd(const Config& c, const std::string& username, std::optional<std::string> password);
int user_role(const Config& c, const std::string& username, const std::string& role);

}  // namespace st::app
