#pragma once
// What every libcurl request of ours shares (internal to lib/curl): a handle after the one global
// initialisation, owners for handles and header lists, and header lines that cannot smuggle another.
#include <curl/curl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace st::lib::curl::detail {

struct EasyFree {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyFree>;
using Slist = std::unique_ptr<curl_slist, SlistFree>;

// A fresh handle; throws TransportError when libcurl cannot make one.
Easy new_easy();

// Appends "name: value" lines to list (which may be null) and returns the list. A header whose name is
// empty or holds a colon or a line break, or whose value holds a line break, would smuggle another
// header: it is dropped. A line libcurl cannot allocate is dropped too; the list stays valid.
curl_slist* append_headers(curl_slist* list, const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace st::lib::curl::detail
