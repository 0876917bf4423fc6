#pragma once
// library::ObjectStore on lib/s3's client: STORAGE_BACKEND=s3.
#include <memory>

#include "lib/s3/client.hpp"
#include "library/object_store.hpp"

namespace st::app {

class S3ObjectStore final : public library::ObjectStore {
 public:
  explicit S3ObjectStore(lib::s3::Config config) : client_(std::move(config)) {}

  // At start: the bucket answers with these credentials (created when create_missing and it is absent).
  // Throws library::StorageError naming what to fix.
  void check(bool create_missing);
  // Aborts the multipart uploads under our prefix begun more than `older_than` ago and never completed
  // (a node that died while storing an upload: the store keeps and bills their parts). How many.
  std::size_t abort_abandoned_uploads(std::chrono::hours older_than);

  std::string describe() const override;
  void put_file(const std::string& key, const std::string& local_path, std::string_view content_type) override;
  std::optional<library::ObjectMeta> head(const std::string& key) override;
  void read(const std::string& key, std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
            const std::function<bool(std::string_view)>& sink) override;
  void remove(const std::string& key) override;
  void list(const std::string& prefix,
            const std::function<void(const std::string& key, const library::ObjectMeta&)>& each) override;
  std::string presigned_url(const std::string& key, std::chrono::seconds expires) override;

 private:
  lib::s3::Client client_;
};

}  // namespace st::app
