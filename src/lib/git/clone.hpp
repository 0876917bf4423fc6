#pragma once
// libgit2 (1.5): HTTPS clone of a small repository with limits, for themes.
#include <cstdint>
#include <string>

namespace st::lib::git {

struct CloneLimits {
  std::uint64_t max_bytes = 20ull * 1024 * 1024;  // received pack bytes, and the checked-out files' total
  std::uint64_t max_files = 1000;                 // files in the checked-out tree
};

// Trust these CA certificates (PEM file) for HTTPS, instead of the system's. Call once, before clone().
void set_ca_file(const std::string& pem_file);

// Clones url into dest (absent). The transfer is stopped as soon as it passes max_bytes; the tree of HEAD is
// checked (sizes, file count, no symlinks or submodules) before any file is written. Redirects are not
// followed (the URL's host was checked, its redirect target was not). "" on success, else the reason.
std::string clone(const std::string& url, const std::string& dest, const CloneLimits& limits);

}  // namespace st::lib::git
