// The transcoding extension: the client describes what it can play (ClientInfo, JSON); the server
// decides between direct play and a transcode, and getTranscodeStream serves that decision.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "audio/format_sniffer.hpp"
#include "subsonic/items.hpp"
#include "subsonic/media.hpp"
#include "subsonic/sections.hpp"
#include "util/strings.hpp"

namespace st::subsonic {

namespace {

namespace json = boost::json;

struct Source {
  std::string container, codec;
};

// Our formats as (container, codec).
Source source_of(const model::Track& t) {
  auto f = util::to_lower(t.format);
  if (f == "mp3") return {"mp3", "mp3"};
  if (f == "flac") return {"flac", "flac"};
  if (f == "ogg") return {"ogg", "vorbis"};
  if (f == "opus") return {"ogg", "opus"};
  if (f == "aac" || f == "m4a") return {"mp4", "aac"};
  if (f == "wav") return {"wav", "pcm"};
  if (f == "aiff") return {"aiff", "pcm"};
  return {f, f};
}

std::vector<std::string> strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto* v = o.if_contains(key); v && v->is_array())
    for (const auto& x : v->as_array())
      if (x.is_string()) out.push_back(util::to_lower(std::string(x.as_string())));
  return out;
}

std::int64_t integer(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_int64()) return v->as_int64();
  if (auto* v = o.if_contains(key); v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return 0;
}

bool any_or_contains(const std::vector<std::string>& list, const std::string& x) {
  return list.empty() || std::find(list.begin(), list.end(), x) != list.end();
}

// One limitation of a codec profile, against the source's values.
bool limitation_ok(const json::object& lim, const model::Track& t) {
  auto name = lim.if_contains("name") && lim.at("name").is_string() ? std::string(lim.at("name").as_string()) : "";
  auto cmp = lim.if_contains("comparison") && lim.at("comparison").is_string() ? std::string(lim.at("comparison").as_string()) : "";
  std::optional<std::int64_t> have;
  if (name == "audioChannels") have = t.channels;
  else if (name == "audioBitrate") have = t.bitrate ? std::optional<std::int64_t>(*t.bitrate * 1000) : std::nullopt;
  else if (name == "audioSamplerate") have = t.sample_rate;
  else if (name == "audioBitdepth") have = t.bit_depth;
  else return true;  // audioProfile: we do not know it; do not refuse on it
  if (!have) return true;
  std::vector<std::int64_t> values;
  if (auto* v = lim.if_contains("values"); v && v->is_array())
    for (const auto& x : v->as_array())
      if (x.is_string())
        if (auto n = util::parse_int(x.as_string())) values.push_back(*n);
  if (values.empty()) return true;
  if (cmp == "Equals") return std::find(values.begin(), values.end(), *have) != values.end();
  if (cmp == "NotEquals") return std::find(values.begin(), values.end(), *have) == values.end();
  if (cmp == "LessThanEqual") return *have <= values.front();
  if (cmp == "GreaterThanEqual") return *have >= values.front();
  return true;
}

Node details(const std::string& container, const std::string& codec, std::optional<int> channels,
             std::optional<int> bitrate_kbps, std::optional<int> rate, std::optional<int> depth) {
  Node n;
  n.set("protocol", "http");
  n.set("container", container);
  n.set("codec", codec);
  n.set("audioChannels", channels);
  if (bitrate_kbps) n.set("audioBitrate", static_cast<std::int64_t>(*bitrate_kbps) * 1000);
  n.set("audioSamplerate", rate);
  n.set("audioBitdepth", depth);
  return n;
}

model::Track require_media(Call& c) {
  if (c.str("mediaType") != "song") fail(Code::generic, "Only songs can be transcoded (mediaType=song)");
  return require_song(c, c.str("mediaId"));
}

Reply decision(Call& c) {
  auto t = require_media(c);
  json::object info;
  try {
    auto v = json::parse(c.req.body);
    if (!v.is_object()) throw std::invalid_argument("not an object");
    info = v.as_object();
  } catch (const std::exception&) {
    fail(Code::generic, "The request body must be a ClientInfo JSON object");
  }
  auto src = source_of(t);
  auto max_bitrate = integer(info, "maxAudioBitrate");  // bits per second
  auto max_transcoding = integer(info, "maxTranscodingAudioBitrate");
  std::vector<std::string> reasons;
  bool direct = false;
  if (auto* v = info.if_contains("directPlayProfiles"); v && v->is_array()) {
    for (const auto& p : v->as_array()) {
      if (!p.is_object()) continue;
      const auto& o = p.as_object();
      if (!any_or_contains(strings(o, "containers"), src.container) || !any_or_contains(strings(o, "audioCodecs"), src.codec) ||
          !any_or_contains(strings(o, "protocols"), "http"))
        continue;
      if (auto ch = integer(o, "maxAudioChannels"); ch > 0 && t.channels && *t.channels > ch) continue;
      direct = true;
      break;
    }
  }
  if (!direct) reasons.push_back("ContainerOrCodecNotSupported");
  if (direct && max_bitrate > 0 && t.bitrate && static_cast<std::int64_t>(*t.bitrate) * 1000 > max_bitrate) {
    direct = false;
    reasons.push_back("AudioBitrateNotSupported");
  }
  if (direct) {
    if (auto* v = info.if_contains("codecProfiles"); v && v->is_array())
      for (const auto& p : v->as_array()) {
        if (!p.is_object()) continue;
        const auto& o = p.as_object();
        auto name = o.if_contains("name") && o.at("name").is_string() ? util::to_lower(std::string(o.at("name").as_string())) : "";
        if (name != src.codec) continue;
        if (auto* lims = o.if_contains("limitations"); lims && lims->is_array())
          for (const auto& l : lims->as_array())
            if (l.is_object() && !limitation_ok(l.as_object(), t)) {
              direct = false;
              reasons.push_back("CodecLimitationNotMet");
            }
      }
  }
  Node body;
  auto& d = body.object("transcodeDecision");
  d.set("canDirectPlay", direct);
  bool can_transcode = false;
  std::string params;
  std::optional<Node> target;
  if (!direct) {
    if (auto* v = info.if_contains("transcodingProfiles"); v && v->is_array()) {
      for (const auto& p : v->as_array()) {
        if (!p.is_object()) continue;
        const auto& o = p.as_object();
        auto codec = o.if_contains("audioCodec") && o.at("audioCodec").is_string() ? util::to_lower(std::string(o.at("audioCodec").as_string())) : "";
        auto protocol = o.if_contains("protocol") && o.at("protocol").is_string() ? std::string(o.at("protocol").as_string()) : "http";
        if (protocol != "http" || (codec != "mp3" && codec != "opus" && codec != "flac")) continue;
        std::int64_t limit = max_transcoding > 0 ? max_transcoding : max_bitrate;
        int kbps = codec == "opus" ? 160 : 320;
        if (limit > 0) kbps = static_cast<int>(std::clamp<std::int64_t>(limit / 1000, 32, kbps));
        if (codec == "flac") kbps = 0;
        params = fmt::format("{}:{}", codec, kbps);
        target = details(codec == "opus" ? "ogg" : codec, codec, t.channels, kbps ? std::optional<int>(kbps) : std::nullopt,
                         codec == "opus" ? std::optional<int>(48000) : t.sample_rate, codec == "flac" ? t.bit_depth : std::nullopt);
        can_transcode = true;
        break;
      }
    }
  }
  d.set("canTranscode", can_transcode);
  auto& r = d.scalars("transcodeReason");
  for (auto& x : reasons) r.push_back(x);
  if (!direct && !can_transcode) d.set("errorReason", "No direct play profile matches and no transcoding profile is supported (mp3, opus or flac over http)");
  if (can_transcode) d.set("transcodeParams", params);
  d.object("sourceStream") = details(src.container, src.codec, t.channels, t.bitrate, t.sample_rate, t.bit_depth);
  if (target) d.object("transcodeStream") = std::move(*target);
  return body;
}

Reply transcode_stream(Call& c) {
  auto t = require_media(c);
  auto params = c.str("transcodeParams");
  auto colon = params.find(':');
  auto codec = params.substr(0, colon);
  auto kbps = colon == std::string::npos ? std::nullopt : util::parse_int(std::string_view(params).substr(colon + 1));
  if ((codec != "mp3" && codec != "opus" && codec != "flac") || !kbps || *kbps < 0 || *kbps > 320)
    fail(Code::generic, "transcodeParams is not one this server gave");
  auto offset = static_cast<double>(c.int_or("offset", 0, 0, 1'000'000));
  if (t.duration_secs > 0 && offset >= t.duration_secs) fail(Code::generic, "offset is past the end of the song");
  audio::TranscodeSpec spec;
  spec.codec = codec == "mp3" ? audio::Codec::mp3 : codec == "opus" ? audio::Codec::opus : audio::Codec::flac;
  spec.bitrate_kbps = *kbps > 0 ? static_cast<int>(std::max<long long>(32, *kbps)) : 0;
  spec.offset_secs = offset;
  return stream_track(c.d, c.req, t, spec, false);
}

}  // namespace

void add_transcoding_methods(MethodTable& t) {
  t.push_back({"getTranscodeDecision", {decision}});
  t.push_back({"getTranscodeStream", {transcode_stream}});
}

}  // namespace st::subsonic
