#pragma once
// The one GLib thread of the process (internal to the ICE module): a GMainContext and its loop, started on
// first use. Every NiceAgent lives on it, so agents need no locks of ours; other threads hand work over.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

struct _GMainContext;  // GLib's own names, declared so GLib stays out of this header
struct _GMainLoop;

namespace st::p2p::ice::detail {

// Something the loop must close before it stops (a session still alive at shutdown).
class LoopClient {
 public:
  virtual ~LoopClient() = default;
  virtual void close_now() noexcept = 0;  // called on the loop thread
};

class GlibLoop {
 public:
  // The running loop, started on first use.
  static GlibLoop& get();
  // The running loop or nothing (no start): for destructors after shutdown().
  static GlibLoop* running();
  static void shutdown();

  _GMainContext* context() const { return ctx_; }
  bool on_loop_thread() const { return std::this_thread::get_id() == thread_id_; }
  // Runs fn on the loop thread and waits (directly when already there); rethrows what fn threw.
  void run(const std::function<void()>& fn);
  // Runs fn on the loop thread later (from any thread, including the loop thread itself).
  void post(std::function<void()> fn);

  // Keeps a client alive until release(); closed by shutdown(). Loop thread only.
  void adopt(std::shared_ptr<LoopClient> c);
  void release(LoopClient* c);
  // Agents being closed asynchronously (TURN deallocation): shutdown() waits for them, briefly.
  std::atomic<int> closing_agents{0};

  GlibLoop();
  ~GlibLoop();
  GlibLoop(const GlibLoop&) = delete;
  GlibLoop& operator=(const GlibLoop&) = delete;

 private:
  void thread_main();

  _GMainContext* ctx_ = nullptr;
  _GMainLoop* loop_ = nullptr;
  std::thread thread_;
  std::thread::id thread_id_;
  std::unordered_map<LoopClient*, std::shared_ptr<LoopClient>> clients_;  // loop thread only
};

}  // namespace st::p2p::ice::detail
