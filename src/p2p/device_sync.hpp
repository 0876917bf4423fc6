#pragma once
// Device sync over a P2P link (ours; the original has no such message): a user's playlists and
// favorites kept the same on their own instances. Each side registered the other (model::Device), so
// a `DeviceSync` from node N naming remote user R and local user L is accepted only when L registered
// (N, R); the answer carries L's state back, so one round trip syncs both ways.
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "library/p2p_service.hpp"
#include "model/device.hpp"
#include "p2p/transport/transport.hpp"

namespace st::p2p {

struct DeviceSyncMessage {
  std::string from_user, to_user;  // account names on the sender and on the receiver
  model::DeviceState state;
};

// Whether a request payload is a DeviceSync (its top-level key), without parsing the rest.
bool is_device_sync(std::string_view payload);
std::string encode_device_sync(const DeviceSyncMessage& m);
// Bounded like every P2P message (sizes, counts, hashes, ids); throws std::invalid_argument with the reason.
DeviceSyncMessage decode_device_sync(std::string_view payload, std::size_t max_bytes);

class DeviceSyncRefused : public std::runtime_error {
 public:
  DeviceSyncRefused(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

class DeviceSyncer {
 public:
  // `call` sends a payload to a node and returns its reply (throws when it cannot).
  using Call = std::function<Reply(const std::string& node, const std::string& payload)>;
  DeviceSyncer(model::DeviceRepository& repo, std::size_t max_frame) : repo_(repo), max_frame_(max_frame) {}

  // Answers a DeviceSync from `from_node`: the merged user's state. Throws DeviceSyncRefused.
  std::string answer(const std::string& from_node, std::string_view payload);
  // Syncs every registered device (of one user when `user_id` is given) with `call`.
  std::vector<library::DeviceSyncResult> sync(const Call& call, std::string_view user_id = {});

 private:
  model::DeviceRepository& repo_;
  std::size_t max_frame_;
};

}  // namespace st::p2p
