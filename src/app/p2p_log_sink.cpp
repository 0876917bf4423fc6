#include "app/p2p_log_sink.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

namespace st::app {

namespace {

class P2pLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit P2pLogSink(std::shared_ptr<util::LogRing> ring) : ring_(std::move(ring)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    constexpr std::string_view kPrefix = "p2p: ";
    if (text.substr(0, kPrefix.size()) != kPrefix) return;
    util::LogEvent e;
    e.timestamp = std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
    switch (msg.level) {
      case spdlog::level::trace: e.level = "TRACE"; break;
      case spdlog::level::debug: e.level = "DEBUG"; break;
      case spdlog::level::info: e.level = "INFO"; break;
      case spdlog::level::warn: e.level = "WARN"; break;
      default: e.level = "ERROR"; break;
    }
    e.target = "soundtime::p2p";
    e.message = std::string(text.substr(kPrefix.size()));
    ring_->push(std::move(e));
  }
  void flush_() override {}

 private:
  std::shared_ptr<util::LogRing> ring_;
};

}  // namespace

void attach_p2p_log_sink(std::shared_ptr<util::LogRing> ring) {
  auto sink = std::make_shared<P2pLogSink>(std::move(ring));
  sink->set_level(spdlog::level::debug);  // TRACE is dropped, as in the original
  spdlog::default_logger()->sinks().push_back(std::move(sink));
}

}  // namespace st::app
