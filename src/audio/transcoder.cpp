#include "audio/transcoder.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "audio/decoder.hpp"
#include "lib/ffmpeg/handles.hpp"

namespace st::audio {

namespace ff = lib::ffmpeg;

std::string_view codec_mime(Codec c) {
  return c == Codec::opus ? "audio/ogg; codecs=opus" : c == Codec::mp3 ? "audio/mpeg" : "audio/flac";
}
std::string_view codec_extension(Codec c) { return c == Codec::opus ? "opus" : c == Codec::mp3 ? "mp3" : "flac"; }

struct Transcoder::Impl {
  std::unique_ptr<Decoder> decoder;
  ff::Codec enc;
  ff::Output out;
  ff::Io io;
  ff::Frame frame{av_frame_alloc()};
  ff::Packet packet{av_packet_alloc()};
  AVStream* stream = nullptr;
  int channels = 2;
  int frame_size = 0;
  bool planar = false;
  std::int64_t next_pts = 0;
  std::vector<float> samples;  // interleaved, waiting for a full encoder frame (from samples_pos on)
  std::size_t samples_pos = 0;
  std::string produced;        // muxed bytes not yet read
  std::size_t produced_pos = 0;
  bool finished = false;
  bool file_output = false;  // oc->pb opened by avio_open: closed with avio_closep

  // Decoding (and resampling) runs on its own thread, a few blocks ahead of the encoder: on more than
  // one core the encoder, the slow part, never waits for it.
  static constexpr std::size_t kBlockFrames = 4096;
  static constexpr std::size_t kBlocksAhead = 8;
  std::thread decode_thread;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<float>> blocks;  // decoded, not yet taken; an empty block marks the end
  std::exception_ptr decode_error;
  bool stopping = false;

  ~Impl() {
    {
      std::lock_guard l(mu);
      stopping = true;
    }
    cv.notify_all();
    if (decode_thread.joinable()) decode_thread.join();
    if (file_output && out) avio_closep(&out->pb);
  }

  void start_decoding() {
    decode_thread = std::thread([this] {
      auto ch = static_cast<std::size_t>(channels);
      try {
        for (;;) {
          std::vector<float> block(kBlockFrames * ch);
          std::size_t got = decoder->read(block.data(), kBlockFrames);
          block.resize(got * ch);
          std::unique_lock l(mu);
          cv.wait(l, [&] { return stopping || blocks.size() < kBlocksAhead; });
          if (stopping) return;
          blocks.push_back(std::move(block));
          cv.notify_all();
          if (got == 0) return;
        }
      } catch (...) {
        std::lock_guard l(mu);
        decode_error = std::current_exception();
        cv.notify_all();
      }
    });
  }

  // The next decoded block (empty at the end); rethrows a decoding failure.
  std::vector<float> next_block() {
    std::unique_lock l(mu);
    cv.wait(l, [&] { return !blocks.empty() || decode_error; });
    if (blocks.empty()) std::rethrow_exception(decode_error);
    auto b = std::move(blocks.front());
    blocks.pop_front();
    cv.notify_all();
    return b;
  }

  static int on_write(void* opaque, std::uint8_t* buf, int size) {
    static_cast<Impl*>(opaque)->produced.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(size));
    return size;
  }

  void drain_packets() {
    for (;;) {
      int rc = avcodec_receive_packet(enc.get(), packet.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
      if (rc < 0) throw AudioError("encoding failed: " + ff::error_text(rc));
      av_packet_rescale_ts(packet.get(), enc->time_base, stream->time_base);
      packet->stream_index = stream->index;
      rc = av_interleaved_write_frame(out.get(), packet.get());
      if (rc < 0) throw AudioError("muxing failed: " + ff::error_text(rc));
    }
  }

  // Encodes one frame of `count` frames from the front of `samples` (padded with silence).
  void encode_frame(std::size_t count) {
    av_frame_unref(frame.get());
    frame->nb_samples = frame_size;
    frame->format = enc->sample_fmt;
    av_channel_layout_copy(&frame->ch_layout, &enc->ch_layout);
    frame->sample_rate = enc->sample_rate;
    if (av_frame_get_buffer(frame.get(), 0) < 0) throw AudioError("out of memory");
    auto ch = static_cast<std::size_t>(channels);
    const float* in = samples.data() + samples_pos;
    for (std::size_t i = 0; i < static_cast<std::size_t>(frame_size); ++i) {
      for (std::size_t c = 0; c < ch; ++c) {
        float v = i < count ? in[i * ch + c] : 0.0f;
        if (enc->sample_fmt == AV_SAMPLE_FMT_S16) {
          reinterpret_cast<std::int16_t*>(frame->data[0])[i * ch + c] =
              static_cast<std::int16_t>(std::lrint(std::clamp(v * 32768.0f, -32768.0f, 32767.0f)));
        } else if (enc->sample_fmt == AV_SAMPLE_FMT_S32) {
          double x = std::clamp(static_cast<double>(v) * 2147483648.0, -2147483648.0, 2147483647.0);
          reinterpret_cast<std::int32_t*>(frame->data[0])[i * ch + c] = static_cast<std::int32_t>(std::llrint(x));
        } else if (planar) {
          reinterpret_cast<float*>(frame->data[c])[i] = v;
        } else {
          reinterpret_cast<float*>(frame->data[0])[i * ch + c] = v;
        }
      }
    }
    samples_pos += std::min(count, pending() / ch) * ch;
    frame->pts = next_pts;
    next_pts += frame_size;
    int rc = avcodec_send_frame(enc.get(), frame.get());
    if (rc < 0) throw AudioError("encoding failed: " + ff::error_text(rc));
    drain_packets();
  }

  std::size_t pending() const { return samples.size() - samples_pos; }

  // One step of work: take a decoded block and encode what fills whole frames; at the end, flush.
  void step() {
    auto ch = static_cast<std::size_t>(channels);
    auto block = next_block();
    samples.erase(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(samples_pos));  // less than a frame
    samples_pos = 0;
    samples.insert(samples.end(), block.begin(), block.end());
    auto fs = static_cast<std::size_t>(frame_size);
    while (pending() >= fs * ch) encode_frame(fs);
    if (block.empty()) {
      if (pending() > 0) encode_frame(pending() / ch);
      avcodec_send_frame(enc.get(), nullptr);
      drain_packets();
      int rc = av_write_trailer(out.get());
      if (rc < 0) throw AudioError("finishing the stream failed: " + ff::error_text(rc));
      avio_flush(out->pb);
      finished = true;
    }
  }
};

Transcoder::Transcoder(const std::string& path, const TranscodeSpec& spec) : Transcoder(path, spec, nullptr) {}

Transcoder::Transcoder(const std::string& path, const TranscodeSpec& spec, const std::string* out_path)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  bool opus = spec.codec == Codec::opus;
  bool flac = spec.codec == Codec::flac;
  int rate = opus ? 48000 : 44100;
  int bits = 16;
  std::vector<std::pair<std::string, std::string>> tags;
  {
    Decoder probe(path, rate, 2);
    m.channels = flac ? std::clamp(probe.source_channels(), 1, 8) : std::clamp(probe.source_channels(), 1, 2);
    if (flac) {
      rate = probe.source_rate();
      bits = probe.source_bits() > 16 ? 24 : 16;
      tags = probe.tags();
    }
  }
  m.decoder = std::make_unique<Decoder>(path, rate, m.channels);
  m.decoder->seek(spec.offset_secs);

  const char* encoder = opus ? "libopus" : flac ? "flac" : "libmp3lame";
  const AVCodec* codec = avcodec_find_encoder_by_name(encoder);
  if (!codec) throw AudioError(std::string("the encoder ") + encoder + " is not available");
  m.enc.reset(avcodec_alloc_context3(codec));
  m.enc->sample_rate = rate;
  av_channel_layout_default(&m.enc->ch_layout, m.channels);
  m.planar = spec.codec == Codec::mp3;
  if (flac) {
    m.enc->sample_fmt = bits > 16 ? AV_SAMPLE_FMT_S32 : AV_SAMPLE_FMT_S16;
    m.enc->bits_per_raw_sample = bits;
    m.enc->compression_level = 8;
  } else {
    m.enc->sample_fmt = opus ? AV_SAMPLE_FMT_FLT : AV_SAMPLE_FMT_FLTP;
    // libopus takes at most 256 kbps per channel: "high" on a mono file is its best, not an error.
    int max_kbps = opus ? 256 * m.channels : 320;
    m.enc->bit_rate = static_cast<std::int64_t>(std::clamp(spec.bitrate_kbps, 16, std::min(320, max_kbps))) * 1000;
  }
  m.enc->time_base = AVRational{1, rate};

  const char* muxer = opus ? "ogg" : flac ? "flac" : "mp3";
  AVFormatContext* oc = nullptr;
  if (avformat_alloc_output_context2(&oc, nullptr, muxer, nullptr) < 0) throw AudioError("no muxer");
  m.out.reset(oc);
  if (oc->oformat->flags & AVFMT_GLOBALHEADER) m.enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  int rc = avcodec_open2(m.enc.get(), codec, nullptr);
  if (rc < 0) throw AudioError("cannot open the encoder: " + ff::error_text(rc));
  m.frame_size = m.enc->frame_size > 0 ? m.enc->frame_size : 1152;

  m.stream = avformat_new_stream(oc, nullptr);
  avcodec_parameters_from_context(m.stream->codecpar, m.enc.get());
  m.stream->time_base = m.enc->time_base;

  if (out_path) {
    rc = avio_open(&oc->pb, out_path->c_str(), AVIO_FLAG_WRITE);
    if (rc < 0) throw AudioError("cannot create " + *out_path + ": " + ff::error_text(rc));
    m.file_output = true;
  } else {
    constexpr int kIoBuffer = 32 * 1024;
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
    m.io.reset(avio_alloc_context(buffer, kIoBuffer, 1, &m, nullptr, &Impl::on_write, nullptr));
    if (!m.io) throw AudioError("out of memory");
    oc->pb = m.io.get();
    oc->flags |= AVFMT_FLAG_CUSTOM_IO;
  }
  for (const auto& [k, v] : tags) av_dict_set(&oc->metadata, k.c_str(), v.c_str(), 0);
  rc = avformat_write_header(oc, nullptr);
  if (rc < 0) throw AudioError("cannot start the stream: " + ff::error_text(rc));
  m.start_decoding();
}

Transcoder::~Transcoder() = default;

void Transcoder::convert_file(const std::string& path, const TranscodeSpec& spec, const std::string& out_path) {
  Transcoder t(path, spec, &out_path);
  while (!t.impl_->finished) t.impl_->step();
  if (avio_closep(&t.impl_->out->pb) < 0) throw AudioError("cannot finish writing " + out_path);
  t.impl_->file_output = false;
}

std::size_t Transcoder::read(char* buf, std::size_t n) {
  auto& m = *impl_;
  while (m.produced.size() - m.produced_pos < n && !m.finished) m.step();
  std::size_t take = std::min(n, m.produced.size() - m.produced_pos);
  std::memcpy(buf, m.produced.data() + m.produced_pos, take);
  m.produced_pos += take;
  if (m.produced_pos == m.produced.size()) {
    m.produced.clear();
    m.produced_pos = 0;
  }
  return take;
}

}  // namespace st::audio
