#include "library/object_file.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace st::library {

namespace fs = std::filesystem;

ObjectReader whole_reads(ObjectStore& store) {
  return [&store](const std::string& key, const std::function<bool(std::string_view)>& sink) {
    store.read(key, std::nullopt, sink);
  };
}

std::uint64_t save_object(const ObjectReader& read, const std::string& key, const std::string& dest,
                          const SaveOptions& options) {
  const std::string& part = options.part;
  auto refused = [&] { return StorageError(StorageError::Kind::unavailable, "cannot write " + part + " (disk full?)"); };
  std::uint64_t size = 0;
  try {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(part.c_str(), "wb"), &std::fclose);
    if (!out) throw refused();
    bool short_write = false;
    read(key, [&](std::string_view piece) {
      short_write = std::fwrite(piece.data(), 1, piece.size(), out.get()) != piece.size();
      size += piece.size();
      return !short_write;
    });
    if (short_write || std::fflush(out.get()) != 0 || (options.durable && ::fsync(::fileno(out.get())) != 0))
      throw refused();
    if (std::fclose(out.release()) != 0) throw refused();
    if (options.expect && size != *options.expect)
      throw StorageError(StorageError::Kind::unavailable, "the copy of " + key + " is not whole");
    std::error_code ec;
    fs::rename(part, dest, ec);
    if (ec) throw StorageError(StorageError::Kind::unavailable, "cannot write " + dest + ": " + ec.message());
  } catch (...) {
    std::error_code ec;
    fs::remove(part, ec);
    throw;
  }
  return size;
}

}  // namespace st::library
