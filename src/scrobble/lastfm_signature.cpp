#include "scrobble/lastfm_signature.hpp"

#include "crypto/md5.hpp"
#include "util/strings.hpp"

namespace st::scrobble {

std::string lastfm_signature(const Params& params, std::string_view secret) {
  std::string text;
  for (const auto& [key, value] : params) {
    if (key == "format" || key == "callback" || key == "api_sig") continue;
    text += key;
    text += value;
  }
  text += secret;
  return crypto::md5_hex(text);
}

std::string form_encode(const Params& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += util::percent_encode(key);
    out += '=';
    out += util::percent_encode(value);
  }
  return out;
}

}  // namespace st::scrobble
