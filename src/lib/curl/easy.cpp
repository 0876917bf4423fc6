#include "lib/curl/easy.hpp"

#include <mutex>

#include "lib/curl/http_get.hpp"

namespace st::lib::curl::detail {

Easy new_easy() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  Easy c(curl_easy_init());
  if (!c) throw TransportError("cannot start an HTTP client");
  return c;
}

curl_slist* append_headers(curl_slist* list, const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty() || name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      continue;
    if (curl_slist* grown = curl_slist_append(list, (name + ": " + value).c_str())) list = grown;
  }
  return list;
}

}  // namespace st::lib::curl::detail
