#include "subsonic/render_cache.hpp"

namespace st::subsonic {

std::shared_ptr<const Prerendered> RenderCache::get(std::shared_ptr<const void> source, const std::string& key,
                                                    std::function<Node()> build) {
  return get(Sources{std::move(source)}, key, std::move(build));
}

std::shared_ptr<const Prerendered> RenderCache::get(Sources sources, const std::string& key,
                                                    std::function<Node()> build) {
  std::lock_guard lk(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->sources != sources) {
      it = entries_.erase(it);
    } else if (it->key == key) {
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().render;
    } else {
      ++it;
    }
  }
  // Rendered by the first request that asks for a format, outside this lock (Prerendered's own once_flag).
  entries_.push_front({std::move(sources), key, std::make_shared<const Prerendered>(std::move(build))});
  if (entries_.size() > kEntries) entries_.pop_back();
  return entries_.front().render;
}

void RenderCache::clear() {
  std::list<Entry> gone;
  {
    std::lock_guard lk(mu_);
    gone.swap(entries_);
  }
}

std::size_t RenderCache::size() {
  std::lock_guard lk(mu_);
  return entries_.size();
}

}  // namespace st::subsonic
