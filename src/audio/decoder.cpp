#include "audio/decoder.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "audio/format_sniffer.hpp"
#include "lib/ffmpeg/handles.hpp"

namespace st::audio {

namespace ff = lib::ffmpeg;

namespace {

// The one demuxer for a sniffed format: FFmpeg never probes a stranger's file itself (a file that starts
// "#EXTM3U" with an MP3 frame after it would otherwise be opened as an HLS playlist and fetch its URLs).
const AVInputFormat* demuxer_for(AudioFormat f) {
  switch (f) {
    case AudioFormat::mp3: return av_find_input_format("mp3");
    case AudioFormat::flac: return av_find_input_format("flac");
    case AudioFormat::ogg_vorbis:
    case AudioFormat::opus: return av_find_input_format("ogg");
    case AudioFormat::m4a: return av_find_input_format("mp4");
    case AudioFormat::aac_adts: return av_find_input_format("aac");
    case AudioFormat::wav: return av_find_input_format("wav");
    case AudioFormat::aiff: return av_find_input_format("aiff");
    case AudioFormat::unknown: break;
  }
  return nullptr;
}

}  // namespace

struct Decoder::Impl {
  ff::Input input;
  ff::Codec codec;
  ff::Resampler swr;
  ff::Frame frame{av_frame_alloc()};
  ff::Packet packet{av_packet_alloc()};
  int stream = -1;
  int out_rate = 0;
  int out_channels = 0;
  bool input_done = false;
  bool codec_done = false;
  std::vector<float> pending;  // resampled but not yet returned
  std::size_t pending_pos = 0;
  double seek_target = -1;     // after a seek: samples before this time are dropped (exact seeking)

  // Decodes the next frame into `pending`; false at the end of the stream.
  bool decode_more() {
    for (;;) {
      int rc = avcodec_receive_frame(codec.get(), frame.get());
      if (rc == 0) {
        std::size_t before = pending.size();
        convert(frame.get());
        drop_before_target(frame.get(), before);
        av_frame_unref(frame.get());
        return true;
      }
      if (rc == AVERROR_EOF) {
        if (!codec_done) {
          codec_done = true;
          return flush_resampler();
        }
        return false;
      }
      if (rc != AVERROR(EAGAIN)) throw AudioError("decoding failed: " + ff::error_text(rc));
      if (input_done) {
        avcodec_send_packet(codec.get(), nullptr);
        continue;
      }
      rc = av_read_frame(input.get(), packet.get());
      if (rc < 0) {
        input_done = true;
        avcodec_send_packet(codec.get(), nullptr);
        continue;
      }
      if (packet->stream_index == stream) {
        // A damaged packet is skipped, as players do, rather than ending the stream.
        avcodec_send_packet(codec.get(), packet.get());
      }
      av_packet_unref(packet.get());
    }
  }

  void convert(AVFrame* f) {
    int max_out = swr_get_out_samples(swr.get(), f->nb_samples);
    std::size_t base = pending.size();
    pending.resize(base + static_cast<std::size_t>(max_out) * static_cast<std::size_t>(out_channels));
    auto* out = reinterpret_cast<std::uint8_t*>(pending.data() + base);
    int got = swr_convert(swr.get(), &out, max_out, const_cast<const std::uint8_t**>(f->extended_data), f->nb_samples);
    if (got < 0) throw AudioError("resampling failed: " + ff::error_text(got));
    pending.resize(base + static_cast<std::size_t>(got) * static_cast<std::size_t>(out_channels));
  }

  // Demuxers seek to the packet at or before the target; drop what precedes it.
  void drop_before_target(const AVFrame* f, std::size_t start) {
    if (seek_target < 0) return;
    std::int64_t ts = f->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) {
      seek_target = -1;
      return;
    }
    double t = static_cast<double>(ts) * av_q2d(input->streams[stream]->time_base);
    std::size_t ch = static_cast<std::size_t>(out_channels);
    std::size_t produced = (pending.size() - start) / ch;
    auto drop = static_cast<std::size_t>(std::max(0.0, (seek_target - t) * out_rate));
    if (drop >= produced) {
      pending.resize(start);
      return;  // the whole frame is before the target
    }
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(start),
                  pending.begin() + static_cast<std::ptrdiff_t>(start + drop * ch));
    seek_target = -1;
  }

  bool flush_resampler() {
    int max_out = swr_get_out_samples(swr.get(), 0);
    if (max_out <= 0) return false;
    std::size_t base = pending.size();
    pending.resize(base + static_cast<std::size_t>(max_out) * static_cast<std::size_t>(out_channels));
    auto* out = reinterpret_cast<std::uint8_t*>(pending.data() + base);
    int got = swr_convert(swr.get(), &out, max_out, nullptr, 0);
    pending.resize(base + static_cast<std::size_t>(std::max(got, 0)) * static_cast<std::size_t>(out_channels));
    return got > 0;
  }
};

Decoder::Decoder(const std::string& path, int out_rate, int out_channels) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.out_rate = out_rate;
  m.out_channels = out_channels;
  const AVInputFormat* demuxer = demuxer_for(sniff_file(path));
  if (!demuxer) throw AudioError("cannot open audio: not a format we play");
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, path.c_str(), demuxer, nullptr);
  if (rc < 0) throw AudioError("cannot open audio: " + ff::error_text(rc));
  m.input.reset(raw);
  rc = avformat_find_stream_info(raw, nullptr);
  if (rc < 0) throw AudioError("cannot read audio stream information: " + ff::error_text(rc));
  const AVCodec* dec = nullptr;
  m.stream = av_find_best_stream(raw, AVMEDIA_TYPE_AUDIO, -1, -1, &dec, 0);
  if (m.stream < 0 || !dec) throw AudioError("no audio stream");
  m.codec.reset(avcodec_alloc_context3(dec));
  avcodec_parameters_to_context(m.codec.get(), raw->streams[m.stream]->codecpar);
  rc = avcodec_open2(m.codec.get(), dec, nullptr);
  if (rc < 0) throw AudioError("cannot open decoder: " + ff::error_text(rc));
  AVChannelLayout out_layout;
  av_channel_layout_default(&out_layout, out_channels);
  AVChannelLayout in_layout = m.codec->ch_layout;
  if (in_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&in_layout, in_layout.nb_channels);
  SwrContext* swr = nullptr;
  rc = swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_FLT, out_rate, &in_layout, m.codec->sample_fmt,
                           m.codec->sample_rate, 0, nullptr);
  if (rc < 0 || swr_init(swr) < 0) {
    swr_free(&swr);
    throw AudioError("cannot set up resampling");
  }
  m.swr.reset(swr);
}

Decoder::~Decoder() = default;

void Decoder::seek(double seconds) {
  auto& m = *impl_;
  if (seconds <= 0) return;
  auto ts = static_cast<std::int64_t>(seconds * AV_TIME_BASE);
  int rc = av_seek_frame(m.input.get(), -1, ts, AVSEEK_FLAG_BACKWARD);
  if (rc < 0) throw AudioError("cannot seek: " + ff::error_text(rc));
  avcodec_flush_buffers(m.codec.get());
  m.pending.clear();
  m.pending_pos = 0;
  m.input_done = m.codec_done = false;
  m.seek_target = seconds;
}

std::size_t Decoder::read(float* out, std::size_t max_frames) {
  auto& m = *impl_;
  std::size_t ch = static_cast<std::size_t>(m.out_channels);
  std::size_t written = 0;
  while (written < max_frames) {
    if (m.pending_pos >= m.pending.size()) {
      m.pending.clear();
      m.pending_pos = 0;
      if (!m.decode_more()) break;
      continue;
    }
    std::size_t avail = (m.pending.size() - m.pending_pos) / ch;
    std::size_t take = std::min(avail, max_frames - written);
    std::memcpy(out + written * ch, m.pending.data() + m.pending_pos, take * ch * sizeof(float));
    m.pending_pos += take * ch;
    written += take;
  }
  return written;
}

int Decoder::source_channels() const { return impl_->codec->ch_layout.nb_channels; }
int Decoder::source_rate() const { return impl_->codec->sample_rate; }

int Decoder::source_bits() const {
  int bits = impl_->codec->bits_per_raw_sample;
  if (bits <= 0) bits = av_get_bytes_per_sample(impl_->codec->sample_fmt) * 8;
  return bits;
}

std::vector<std::pair<std::string, std::string>> Decoder::tags() const {
  std::vector<std::pair<std::string, std::string>> out;
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(impl_->input->metadata, "", e, AV_DICT_IGNORE_SUFFIX))) out.emplace_back(e->key, e->value);
  return out;
}

double Decoder::duration_secs() const {
  auto* in = impl_->input.get();
  return in->duration > 0 ? static_cast<double>(in->duration) / AV_TIME_BASE : 0.0;
}

}  // namespace st::audio
