#include "lib/git/clone.hpp"

#include <git2.h>

#include <chrono>
#include <memory>
#include <mutex>

namespace st::lib::git {

namespace {

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });  // never shut down: clones may run until exit
}

std::string last_error(const char* what) {
  const git_error* e = git_error_last();
  std::string m = e && e->message ? e->message : "unknown error";
  if (m.size() > 300) m.resize(300);
  return std::string(what) + ": " + m;
}

struct Progress {
  std::uint64_t max_bytes;
  std::chrono::steady_clock::time_point deadline;
  bool too_large = false;
  bool too_slow = false;
};

int on_transfer(const git_indexer_progress* stats, void* payload) {
  auto* p = static_cast<Progress*>(payload);
  if (stats->received_bytes > p->max_bytes) {
    p->too_large = true;
    return -1;  // aborts the fetch
  }
  if (std::chrono::steady_clock::now() > p->deadline) {
    p->too_slow = true;
    return -1;
  }
  return 0;
}

struct Walk {
  git_repository* repo;
  git_odb* odb;
  CloneLimits limits;
  std::uint64_t files = 0, bytes = 0;
  std::string error;
};

int on_entry(const char* root, const git_tree_entry* entry, void* payload) {
  auto* w = static_cast<Walk*>(payload);
  std::string path = std::string(root) + git_tree_entry_name(entry);
  switch (git_tree_entry_filemode(entry)) {
    case GIT_FILEMODE_TREE: return 0;
    case GIT_FILEMODE_LINK: w->error = path + ": symlinks are not allowed"; return -1;
    case GIT_FILEMODE_COMMIT: w->error = path + ": submodules are not allowed"; return -1;
    default: break;
  }
  if (++w->files > w->limits.max_files) {
    w->error = "the repository has more than " + std::to_string(w->limits.max_files) + " files";
    return -1;
  }
  std::size_t size = 0;
  git_object_t type{};
  if (git_odb_read_header(&size, &type, w->odb, git_tree_entry_id(entry)) != 0) {
    w->error = last_error("reading the repository");
    return -1;
  }
  w->bytes += size;
  if (w->bytes > w->limits.max_bytes) {
    w->error = "the repository is larger than " + std::to_string(w->limits.max_bytes / (1024 * 1024)) + " MB";
    return -1;
  }
  return 0;
}

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Freer<T, Free>>;

}  // namespace

void set_ca_file(const std::string& pem_file) {
  init_once();
  git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, pem_file.c_str(), nullptr);
}

std::string clone(const std::string& url, const std::string& dest, const CloneLimits& limits) {
  init_once();
  Progress progress{limits.max_bytes, std::chrono::steady_clock::now() + std::chrono::minutes(2)};
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  opts.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;  // files are written after the tree is checked
  opts.fetch_opts.callbacks.transfer_progress = on_transfer;
  opts.fetch_opts.callbacks.payload = &progress;
  opts.fetch_opts.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
  opts.fetch_opts.proxy_opts.type = GIT_PROXY_NONE;
  opts.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  git_repository* raw = nullptr;
  int rc = git_clone(&raw, url.c_str(), dest.c_str(), &opts);
  Owned<git_repository, git_repository_free> repo(raw);
  if (progress.too_large)
    return "the repository is larger than " + std::to_string(limits.max_bytes / (1024 * 1024)) + " MB";
  if (progress.too_slow) return "the clone took too long";
  if (rc != 0) return last_error("clone");

  git_object* head_raw = nullptr;
  if (git_revparse_single(&head_raw, repo.get(), "HEAD^{tree}") != 0) return last_error("the repository has no files");
  Owned<git_object, git_object_free> head(head_raw);
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, repo.get()) != 0) return last_error("reading the repository");
  Owned<git_odb, git_odb_free> odb(odb_raw);
  Walk walk{repo.get(), odb.get(), limits, 0, 0, {}};
  if (git_tree_walk(reinterpret_cast<git_tree*>(head.get()), GIT_TREEWALK_PRE, on_entry, &walk) != 0)
    return walk.error.empty() ? last_error("reading the repository") : walk.error;

  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_checkout_head(repo.get(), &co) != 0) return last_error("checkout");
  return "";
}

}  // namespace st::lib::git
