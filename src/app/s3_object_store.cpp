#include "app/s3_object_store.hpp"

#include <fmt/chrono.h>

#include <cstdio>
#include <memory>

namespace st::app {

namespace {

using library::StorageError;

[[noreturn]] void rethrow(const lib::s3::Error& e) {
  using K = lib::s3::Error::Kind;
  StorageError::Kind kind = e.kind == K::NotFound      ? StorageError::Kind::not_found
                            : e.kind == K::Unavailable ? StorageError::Kind::unavailable
                                                       : StorageError::Kind::refused;
  throw StorageError(kind, e.what());
}

template <typename F>
auto mapped(F f) {
  try {
    return f();
  } catch (const lib::s3::Error& e) {
    rethrow(e);
  }
}

}  // namespace

void S3ObjectStore::check(bool create_missing) {
  mapped([&] {
    try {
      client_.check_bucket();
    } catch (const lib::s3::Error& e) {
      if (!create_missing || e.kind != lib::s3::Error::Kind::NotFound) throw;
      client_.create_bucket();
    }
  });
}

std::size_t S3ObjectStore::abort_abandoned_uploads(std::chrono::hours older_than) {
  // Initiated times are ISO 8601 in UTC ("2026-12-05T01:02:03.000Z"): as text they sort as they happened.
  auto cutoff = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() - older_than);
  std::string before = fmt::format("{:%Y-%m-%dT%H:%M:%S}", cutoff);
  std::size_t aborted = 0;
  mapped([&] {
    for (const auto& u : client_.pending_uploads().uploads) {
      if (u.initiated.substr(0, before.size()) > before) continue;  // maybe still in progress
      client_.abort_upload(u.key, u.upload_id);
      ++aborted;
    }
  });
  return aborted;
}

std::string S3ObjectStore::describe() const {
  return "s3://" + client_.config().bucket + "/" + client_.config().prefix;
}

void S3ObjectStore::put_file(const std::string& key, const std::string& local_path, std::string_view content_type) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(local_path.c_str(), "rb"), &std::fclose);
  if (!in) throw StorageError(StorageError::Kind::unavailable, "cannot read " + local_path);
  mapped([&] {
    client_.put_stream(key, [&](char* buf, std::size_t n) {
      std::size_t got = std::fread(buf, 1, n, in.get());
      if (got == 0 && std::ferror(in.get())) throw StorageError(StorageError::Kind::unavailable, "cannot read " + local_path);
      return got;
    }, content_type);
  });
}

std::optional<library::ObjectMeta> S3ObjectStore::head(const std::string& key) {
  return mapped([&]() -> std::optional<library::ObjectMeta> {
    auto info = client_.head(key);
    if (!info) return std::nullopt;
    return library::ObjectMeta{info->size, info->etag};
  });
}

void S3ObjectStore::read(const std::string& key, std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
                         const std::function<bool(std::string_view)>& sink) {
  mapped([&] { client_.get(key, range, sink); });
}

void S3ObjectStore::remove(const std::string& key) {
  mapped([&] { client_.remove(key); });
}

void S3ObjectStore::list(const std::string& prefix,
                         const std::function<void(const std::string& key, const library::ObjectMeta&)>& each) {
  mapped([&] {
    std::string token;
    do {
      auto page = client_.list(prefix, token);
      for (const auto& o : page.objects) each(o.key, library::ObjectMeta{o.size, o.etag});
      token = page.truncated ? page.next_token : "";
    } while (!token.empty());
  });
}

std::string S3ObjectStore::presigned_url(const std::string& key, std::chrono::seconds expires) {
  return client_.presigned_get(key, expires);
}

}  // namespace st::app
