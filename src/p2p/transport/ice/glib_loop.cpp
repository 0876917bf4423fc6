#include "p2p/transport/ice/glib_loop.hpp"

#include <glib.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <vector>

namespace st::p2p::ice::detail {
namespace {

std::mutex g_mu;
GlibLoop* g_loop = nullptr;  // never a static object: its thread must be joined before exit, not after
bool g_atexit_registered = false;

struct Call {
  const std::function<void()>* fn;
  std::promise<void> done;
};

gboolean run_call(gpointer p) {
  auto* c = static_cast<Call*>(p);
  try {
    (*c->fn)();
    c->done.set_value();
  } catch (...) {
    c->done.set_exception(std::current_exception());
  }
  return G_SOURCE_REMOVE;
}

gboolean run_posted(gpointer p) {
  (*static_cast<std::function<void()>*>(p))();
  return G_SOURCE_REMOVE;
}

void delete_posted(gpointer p) { delete static_cast<std::function<void()>*>(p); }

gboolean tick(gpointer) { return G_SOURCE_CONTINUE; }

}  // namespace

GlibLoop& GlibLoop::get() {
  std::lock_guard lk(g_mu);
  if (!g_loop) {
    g_loop = new GlibLoop();
    if (!g_atexit_registered) {
      std::atexit([] { GlibLoop::shutdown(); });
      g_atexit_registered = true;
    }
  }
  return *g_loop;
}

GlibLoop* GlibLoop::running() {
  std::lock_guard lk(g_mu);
  return g_loop;
}

void GlibLoop::shutdown() {
  GlibLoop* l = nullptr;
  {
    std::lock_guard lk(g_mu);
    std::swap(l, g_loop);
  }
  if (!l) return;
  if (l->on_loop_thread()) {
    // A callback cannot join its own thread: stop the loop and let the thread end by itself.
    g_main_loop_quit(l->loop_);
    l->thread_.detach();
    return;
  }
  delete l;
}

GlibLoop::GlibLoop() {
  ctx_ = g_main_context_new();
  loop_ = g_main_loop_new(ctx_, FALSE);
  std::promise<void> started;
  thread_ = std::thread([this, &started] {
    thread_id_ = std::this_thread::get_id();
    started.set_value();
    thread_main();
  });
  started.get_future().wait();
}

GlibLoop::~GlibLoop() {
  run([this] {
    std::vector<std::shared_ptr<LoopClient>> all;
    for (auto& [k, c] : clients_) all.push_back(c);
    for (auto& c : all) c->close_now();
    clients_.clear();
  });
  g_main_loop_quit(loop_);
  thread_.join();
  g_main_loop_unref(loop_);
  g_main_context_unref(ctx_);
}

void GlibLoop::thread_main() {
  g_main_context_push_thread_default(ctx_);
  g_main_loop_run(loop_);
  // Agents closed just before the stop are still deallocating their TURN relays: give them a moment.
  GSource* t = g_timeout_source_new(20);
  g_source_set_callback(t, tick, nullptr, nullptr);
  g_source_attach(t, ctx_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (closing_agents.load() > 0 && std::chrono::steady_clock::now() < deadline) g_main_context_iteration(ctx_, TRUE);
  g_source_destroy(t);
  g_source_unref(t);
  g_main_context_pop_thread_default(ctx_);
}

void GlibLoop::run(const std::function<void()>& fn) {
  if (on_loop_thread()) {
    fn();
    return;
  }
  Call call{&fn, {}};
  auto done = call.done.get_future();
  g_main_context_invoke_full(ctx_, G_PRIORITY_DEFAULT, run_call, &call, nullptr);
  done.get();
}

void GlibLoop::post(std::function<void()> fn) {
  GSource* s = g_idle_source_new();
  g_source_set_priority(s, G_PRIORITY_DEFAULT);
  g_source_set_callback(s, run_posted, new std::function<void()>(std::move(fn)), delete_posted);
  g_source_attach(s, ctx_);
  g_source_unref(s);
}

void GlibLoop::adopt(std::shared_ptr<LoopClient> c) {
  auto* key = c.get();
  clients_.emplace(key, std::move(c));
}

void GlibLoop::release(LoopClient* c) { clients_.erase(c); }

}  // namespace st::p2p::ice::detail
