#pragma once
// Owning handles for FFmpeg objects (each freed by its own FFmpeg function) and an error formatter.
// Only audio/ includes this: FFmpeg's headers stay out of the rest of the program.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <memory>
#include <string>

namespace st::lib::ffmpeg {

struct InputDeleter {
  void operator()(AVFormatContext* c) const noexcept { avformat_close_input(&c); }
};
struct OutputDeleter {
  void operator()(AVFormatContext* c) const noexcept { avformat_free_context(c); }
};
struct CodecDeleter {
  void operator()(AVCodecContext* c) const noexcept { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const noexcept { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
struct SwrDeleter {
  void operator()(SwrContext* s) const noexcept { swr_free(&s); }
};
struct IoDeleter {
  void operator()(AVIOContext* io) const noexcept {
    if (io) av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

using Input = std::unique_ptr<AVFormatContext, InputDeleter>;
using Output = std::unique_ptr<AVFormatContext, OutputDeleter>;
using Codec = std::unique_ptr<AVCodecContext, CodecDeleter>;
using Frame = std::unique_ptr<AVFrame, FrameDeleter>;
using Packet = std::unique_ptr<AVPacket, PacketDeleter>;
using Resampler = std::unique_ptr<SwrContext, SwrDeleter>;
using Io = std::unique_ptr<AVIOContext, IoDeleter>;

inline std::string error_text(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

}  // namespace st::lib::ffmpeg
