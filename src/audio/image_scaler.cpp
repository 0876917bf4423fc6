#include "audio/image_scaler.hpp"

extern "C" {
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>

#include "audio/decoder.hpp"
#include "audio/image_header.hpp"
#include "lib/ffmpeg/handles.hpp"

namespace st::audio {

namespace {

namespace ff = st::lib::ffmpeg;

struct SwsDeleter {
  void operator()(SwsContext* s) const noexcept { sws_freeContext(s); }
};

[[noreturn]] void fail(const std::string& what, int code = 0) {
  throw AudioError(code ? what + ": " + ff::error_text(code) : what);
}

// The header of an image file: enough for any real cover's metadata segments before its frame header.
std::string read_head(const std::string& path) {
  constexpr std::size_t kHead = 4 * 1024 * 1024;
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("cannot open image");
  std::string head(kHead, '\0');
  f.read(head.data(), static_cast<std::streamsize>(kHead));
  head.resize(static_cast<std::size_t>(f.gcount()));
  return head;
}

ff::Frame decode_first_frame(const std::string& path) {
  // The size is checked before FFmpeg sees the file: probing alone would decode a frame.
  if (auto why = image_refusal(read_head(path)); !why.empty()) fail("refused: " + why);
  AVDictionary* opts = nullptr;
  // Only the still-image demuxers: the path's content is a stranger's and must never be read as a playlist.
  av_dict_set(&opts, "format_whitelist", "image2,jpeg_pipe,png_pipe,webp_pipe,gif,gif_pipe", 0);
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, path.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (rc < 0) fail("cannot open image", rc);
  ff::Input in(raw);
  if (int rc = avformat_find_stream_info(in.get(), nullptr); rc < 0) fail("cannot read image", rc);
  int idx = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (idx < 0) fail("no image in file");
  const AVCodec* codec = avcodec_find_decoder(in->streams[idx]->codecpar->codec_id);
  if (!codec) fail("no decoder for this image type");
  ff::Codec dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), in->streams[idx]->codecpar);
  dec->max_pixels = static_cast<std::int64_t>(kMaxImagePixels);  // a frame larger than its header said
  if (int rc = avcodec_open2(dec.get(), codec, nullptr); rc < 0) fail("cannot open image decoder", rc);
  ff::Packet pkt(av_packet_alloc());
  ff::Frame frame(av_frame_alloc());
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    bool ours = pkt->stream_index == idx;
    if (ours) avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
    if (ours && avcodec_receive_frame(dec.get(), frame.get()) == 0) return frame;
  }
  avcodec_send_packet(dec.get(), nullptr);
  if (avcodec_receive_frame(dec.get(), frame.get()) == 0) return frame;
  fail("the image could not be decoded");
}

}  // namespace

void scale_image(const std::string& in_path, const std::string& out_path, int max_side) {
  auto src = decode_first_frame(in_path);
  if (src->width <= 0 || src->height <= 0) fail("the image has no size");
  double k = std::min(1.0, static_cast<double>(max_side) / std::max(src->width, src->height));
  int w = std::max(1, static_cast<int>(src->width * k + 0.5)), h = std::max(1, static_cast<int>(src->height * k + 0.5));

  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) fail("no JPEG encoder");
  ff::Codec enc(avcodec_alloc_context3(codec));
  enc->width = w;
  enc->height = h;
  enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc->time_base = AVRational{1, 25};
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  enc->global_quality = FF_QP2LAMBDA * 3;  // high quality
  if (int rc = avcodec_open2(enc.get(), codec, nullptr); rc < 0) fail("cannot open JPEG encoder", rc);

  std::unique_ptr<SwsContext, SwsDeleter> sws(sws_getContext(src->width, src->height,
                                                             static_cast<AVPixelFormat>(src->format), w, h,
                                                             AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) fail("cannot scale this image");
  ff::Frame dst(av_frame_alloc());
  dst->format = AV_PIX_FMT_YUVJ420P;
  dst->width = w;
  dst->height = h;
  if (int rc = av_frame_get_buffer(dst.get(), 0); rc < 0) fail("out of memory", rc);
  sws_scale(sws.get(), src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
  dst->quality = enc->global_quality;
  dst->pts = 0;

  if (int rc = avcodec_send_frame(enc.get(), dst.get()); rc < 0) fail("cannot encode JPEG", rc);
  avcodec_send_frame(enc.get(), nullptr);
  ff::Packet pkt(av_packet_alloc());
  if (int rc = avcodec_receive_packet(enc.get(), pkt.get()); rc < 0) fail("cannot encode JPEG", rc);
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(out_path.c_str(), "wb"), &std::fclose);
  if (!f) fail("cannot write " + out_path);
  if (std::fwrite(pkt->data, 1, static_cast<std::size_t>(pkt->size), f.get()) != static_cast<std::size_t>(pkt->size))
    fail("cannot write " + out_path);
  if (std::fflush(f.get()) != 0) fail("cannot write " + out_path);
}

}  // namespace st::audio
