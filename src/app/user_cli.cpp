#include "app/user_cli.hpp"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "app/services.hpp"
#include "model/errors.hpp"

namespace st::app {

namespace {

std::string read_password(const char* prompt) {
  std::string line;
  if (::isatty(STDIN_FILENO)) {
    std::cerr << prompt << std::flush;
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, line);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  } else {
    std::getline(std::cin, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

model::User find_user(Services& s, const std::string& username) {
  auto u = s.users->find_by_username(username);
  if (!u) throw model::DomainError(model::ErrorKind::not_found, fmt::format("no user named '{}'", username));
  return *u;
}

std::optional<model::Role> role_or_error(const std::string& role) {
  auto r = model::parse_role(role);
  if (!r) std::cerr << "error: role must be 'admin' or 'user'\n";
  return r;
}

template <typename Fn>
int run(Fn&& fn) {
  try {
    return fn();
  } catch (const model::DomainError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int user_create(const Config& c, const std::string& username, const std::string& email,
                std::optional<std::string> password, const std::string& role) {
  auto r = role_or_error(role);
  if (!r) return 2;
  return run([&] {
    Services s = open_services(c);
    if (!password) password = read_password("Password: ");
    auth::NewAccount a{username, email, *password, std::nullopt, *r};
    auto u = s.accounts->create_by_admin(std::move(a));
    std::cout << fmt::format("created {} '{}' ({})\n", model::to_string(u.role), u.username, u.id);
    return 0;
  });
}

int user_passwd(const Config& c, const std::string& username, std::optional<std::string> password) {
  return run([&] {
    Services s = open_services(c);
    auto u = find_user(s, username);
    if (!password) password = read_password("New password: ");
    s.accounts->reset_password(u.id, *password);
    std::cout << fmt::format("password changed for '{}'; their sessions were ended\n", u.username);
    return 0;
  });
}

int user_role(const Config& c, const std::string& username, const std::string& role) {
  auto r = role_or_error(role);
  if (!r) return 2;
  return run([&] {
    Services s = open_services(c);
    auto u = find_user(s, username);
    s.accounts->set_role(u.id, *r);
    std::cout << fmt::format("'{}' is now {}\n", u.username, model::to_string(*r));
    return 0;
  });
}

}  // namespace st::app
