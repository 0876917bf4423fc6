#pragma once
// Last.fm API request signing and form encoding.
#include <map>
#include <string>
#include <string_view>

namespace st::scrobble {

using Params = std::map<std::string, std::string>;  // sorted by key, as the signature wants

// api_sig: lowercase hex MD5 of every key+value concatenated in key order (without `format` and
// `callback`, which Last.fm leaves out), followed by the shared secret.
std::string lastfm_signature(const Params& params, std::string_view secret);

// application/x-www-form-urlencoded (and query string) form of params.
std::string form_encode(const Params& params);

}  // namespace st::scrobble
