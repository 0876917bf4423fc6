#pragma once
// A bound on work in flight that never queues: a caller either gets a slot at once or is told to come
// back later. Used for work that waits on the network, so that it cannot hold every HTTP worker.
#include <atomic>
#include <optional>

namespace st::util {

class ConcurrencyGate {
 public:
  explicit ConcurrencyGate(unsigned max_in_flight) : max_(max_in_flight == 0 ? 1 : max_in_flight) {}
  ConcurrencyGate(const ConcurrencyGate&) = delete;
  ConcurrencyGate& operator=(const ConcurrencyGate&) = delete;

  // Held while the work runs; gives the slot back when destroyed.
  class Slot {
   public:
    explicit Slot(ConcurrencyGate& g) : gate_(&g) {}
    Slot(Slot&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Slot& operator=(Slot&& o) noexcept {
      if (this != &o) {
        release();
        gate_ = o.gate_;
        o.gate_ = nullptr;
      }
      return *this;
    }
    Slot(const Slot&) = delete;
    ~Slot() noexcept { release(); }

   private:
    void release() noexcept {
      if (gate_) gate_->in_flight_.fetch_sub(1, std::memory_order_acq_rel);
      gate_ = nullptr;
    }
    ConcurrencyGate* gate_;
  };

  // A slot, or nothing when max_in_flight are taken.
  std::optional<Slot> try_enter() {
    unsigned n = in_flight_.load(std::memory_order_relaxed);
    do {
      if (n >= max_) return std::nullopt;
    } while (!in_flight_.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel));
    return std::optional<Slot>(std::in_place, *this);
  }
  unsigned in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  unsigned max_in_flight() const { return max_; }

 private:
  const unsigned max_;
  std::atomic<unsigned> in_flight_{0};
};

}  // namespace st::util
