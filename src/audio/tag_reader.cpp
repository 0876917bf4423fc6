#include "audio/tag_reader.hpp"

#include <taglib/aifffile.h>
#include <taglib/aiffproperties.h>
#include <taglib/attachedpictureframe.h>
#include <taglib/fileref.h>
#include <taglib/flacfile.h>
#include <taglib/flacproperties.h>
#include <taglib/id3v2tag.h>
#include <taglib/mp4file.h>
#include <taglib/mp4properties.h>
#include <taglib/mpegfile.h>
#include <taglib/opusfile.h>
#include <taglib/tpropertymap.h>
#include <taglib/vorbisfile.h>
#include <taglib/wavfile.h>
#include <taglib/wavproperties.h>
#include <taglib/xiphcomment.h>

#include <charconv>
#include <memory>
#include <cstdlib>

namespace st::audio {

namespace {

std::string trimmed(const TagLib::String& s) {
  std::string v = s.to8Bit(true);
  auto b = v.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = v.find_last_not_of(" \t\r\n");
  return v.substr(b, e - b + 1);
}

std::optional<std::string> first(const TagLib::PropertyMap& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || it->second.isEmpty()) return std::nullopt;
  auto v = trimmed(it->second.front());
  if (v.empty()) return std::nullopt;
  return v;
}

std::vector<std::string> all(const TagLib::PropertyMap& p, const char* key) {
  std::vector<std::string> out;
  auto it = p.find(key);
  if (it == p.end()) return out;
  for (const auto& s : it->second) {
    auto v = trimmed(s);
    if (!v.empty()) out.push_back(v);
  }
  return out;
}

std::optional<int> to_int(const std::string& s) {
  int v = 0;
  auto b = s.find_first_not_of(" ");
  if (b == std::string::npos) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data() + b, s.data() + s.size(), v);
  if (ec != std::errc{} || v < 0) return std::nullopt;
  return v;
}

void pick_picture(const TagLib::ByteVector& data, const TagLib::String& mime, bool front, std::optional<Picture>& out,
                  bool& have_front) {
  if (data.isEmpty() || (out && (have_front || !front))) return;
  out = Picture{mime.to8Bit(), std::string(data.data(), data.size())};
  have_front = front;
}

void id3_pictures(TagLib::ID3v2::Tag* tag, std::optional<Picture>& out, bool& front) {
  if (!tag) return;
  for (auto* f : tag->frameList("APIC")) {
    auto* pic = dynamic_cast<TagLib::ID3v2::AttachedPictureFrame*>(f);
    if (pic)
      pick_picture(pic->picture(), pic->mimeType(), pic->type() == TagLib::ID3v2::AttachedPictureFrame::FrontCover,
                   out, front);
  }
}

void flac_pictures(const TagLib::List<TagLib::FLAC::Picture*>& list, std::optional<Picture>& out, bool& front) {
  for (auto* p : list) pick_picture(p->data(), p->mimeType(), p->type() == TagLib::FLAC::Picture::FrontCover, out, front);
}

std::optional<Picture> extract_picture(TagLib::File* file) {
  std::optional<Picture> out;
  bool front = false;
  if (auto* f = dynamic_cast<TagLib::MPEG::File*>(file)) id3_pictures(f->ID3v2Tag(), out, front);
  else if (auto* f = dynamic_cast<TagLib::FLAC::File*>(file)) {
    flac_pictures(f->pictureList(), out, front);
    if (!out && f->hasXiphComment()) flac_pictures(f->xiphComment()->pictureList(), out, front);
    if (!out) id3_pictures(f->ID3v2Tag(), out, front);
  } else if (auto* f = dynamic_cast<TagLib::Ogg::Vorbis::File*>(file)) {
    if (f->tag()) flac_pictures(f->tag()->pictureList(), out, front);
  } else if (auto* f = dynamic_cast<TagLib::Ogg::Opus::File*>(file)) {
    if (f->tag()) flac_pictures(f->tag()->pictureList(), out, front);
  } else if (auto* f = dynamic_cast<TagLib::MP4::File*>(file)) {
    if (f->tag() && f->tag()->contains("covr")) {
      for (const auto& art : f->tag()->item("covr").toCoverArtList()) {
        const char* mime = art.format() == TagLib::MP4::CoverArt::PNG ? "image/png" : "image/jpeg";
        pick_picture(art.data(), mime, true, out, front);
      }
    }
  } else if (auto* f = dynamic_cast<TagLib::RIFF::WAV::File*>(file)) {
    id3_pictures(f->ID3v2Tag(), out, front);
  } else if (auto* f = dynamic_cast<TagLib::RIFF::AIFF::File*>(file)) {
    id3_pictures(f->tag(), out, front);
  }
  return out;
}

std::optional<int> bit_depth_of(TagLib::AudioProperties* p) {
  int bits = 0;
  if (auto* f = dynamic_cast<TagLib::FLAC::Properties*>(p)) bits = f->bitsPerSample();
  else if (auto* w = dynamic_cast<TagLib::RIFF::WAV::Properties*>(p)) bits = w->bitsPerSample();
  else if (auto* a = dynamic_cast<TagLib::RIFF::AIFF::Properties*>(p)) bits = a->bitsPerSample();
  else if (auto* m = dynamic_cast<TagLib::MP4::Properties*>(p)) bits = m->bitsPerSample();
  if (bits <= 0) return std::nullopt;
  return bits;
}

}  // namespace

std::pair<std::optional<int>, std::optional<int>> parse_number_pair(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return {to_int(s), std::nullopt};
  return {to_int(s.substr(0, slash)), to_int(s.substr(slash + 1))};
}

std::optional<double> parse_gain(const std::string& s) {
  const char* b = s.c_str();
  char* end = nullptr;
  double v = std::strtod(b, &end);
  if (end == b) return std::nullopt;
  return v;
}

std::unique_ptr<TagLib::File> open_as(const std::string& path, AudioFormat format) {
  const char* p = path.c_str();
  constexpr auto style = TagLib::AudioProperties::Average;
  switch (format) {
    case AudioFormat::mp3:
    case AudioFormat::aac_adts: return std::make_unique<TagLib::MPEG::File>(p, true, style);
    case AudioFormat::flac: return std::make_unique<TagLib::FLAC::File>(p, true, style);
    case AudioFormat::ogg_vorbis: return std::make_unique<TagLib::Ogg::Vorbis::File>(p, true, style);
    case AudioFormat::opus: return std::make_unique<TagLib::Ogg::Opus::File>(p, true, style);
    case AudioFormat::m4a: return std::make_unique<TagLib::MP4::File>(p, true, style);
    case AudioFormat::wav: return std::make_unique<TagLib::RIFF::WAV::File>(p, true, style);
    case AudioFormat::aiff: return std::make_unique<TagLib::RIFF::AIFF::File>(p, true, style);
    case AudioFormat::unknown: break;
  }
  return nullptr;
}

bool read_tags(const std::string& path, AudioFormat format, AudioTags& t, std::optional<Picture>* picture) {
  auto owned = open_as(path, format);
  if (!owned || !owned->isValid()) return false;
  TagLib::File* file = owned.get();
  if (auto* props = file->audioProperties()) {
    t.duration_secs = props->lengthInMilliseconds() / 1000.0;
    if (props->bitrate() > 0) t.bitrate_kbps = props->bitrate();
    if (props->sampleRate() > 0) t.sample_rate = props->sampleRate();
    if (props->channels() > 0) t.channels = props->channels();
    t.bit_depth = bit_depth_of(props);
  }
  TagLib::PropertyMap p = file->properties();
  t.title = first(p, "TITLE");
  t.artists = all(p, "ARTISTS");
  if (t.artists.empty()) t.artists = all(p, "ARTIST");
  t.album = first(p, "ALBUM");
  t.album_artist = first(p, "ALBUMARTIST");
  t.genres = all(p, "GENRE");
  if (auto v = first(p, "TRACKNUMBER")) std::tie(t.track_number, t.track_total) = parse_number_pair(*v);
  if (auto v = first(p, "DISCNUMBER")) std::tie(t.disc_number, t.disc_total) = parse_number_pair(*v);
  for (auto key : {"TRACKTOTAL", "TOTALTRACKS"})
    if (!t.track_total)
      if (auto v = first(p, key)) t.track_total = to_int(*v);
  for (auto key : {"DISCTOTAL", "TOTALDISCS"})
    if (!t.disc_total)
      if (auto v = first(p, key)) t.disc_total = to_int(*v);
  t.date = first(p, "DATE");
  if (!t.date) t.date = first(p, "ORIGINALDATE");
  if (t.date && t.date->size() >= 4) {
    auto y = to_int(t.date->substr(0, 4));
    if (y && *y > 0 && *y < 10000) t.year = y;
  }
  t.mb_track_id = first(p, "MUSICBRAINZ_TRACKID");
  t.mb_album_id = first(p, "MUSICBRAINZ_ALBUMID");
  t.mb_artist_id = first(p, "MUSICBRAINZ_ARTISTID");
  t.mb_album_artist_id = first(p, "MUSICBRAINZ_ALBUMARTISTID");
  if (auto v = first(p, "REPLAYGAIN_TRACK_GAIN")) t.rg_track_gain = parse_gain(*v);
  if (auto v = first(p, "REPLAYGAIN_TRACK_PEAK")) t.rg_track_peak = parse_gain(*v);
  if (auto v = first(p, "REPLAYGAIN_ALBUM_GAIN")) t.rg_album_gain = parse_gain(*v);
  if (auto v = first(p, "REPLAYGAIN_ALBUM_PEAK")) t.rg_album_peak = parse_gain(*v);
  t.lyrics = first(p, "LYRICS");
  if (!t.lyrics) t.lyrics = first(p, "UNSYNCEDLYRICS");
  if (auto v = first(p, "COMPILATION")) t.compilation = *v == "1" || *v == "true";
  if (picture) *picture = extract_picture(file);
  return true;
}

}  // namespace st::audio
