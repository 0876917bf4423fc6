#pragma once
// An ICE byte stream between two nodes behind NATs (libnice reliable mode = PseudoTCP over the selected
// UDP pair, STUN and TURN), handed to the caller as a connected non-blocking AF_UNIX stream socket so the
// TLS link code runs over it unchanged. GLib/libnice stay in the .cpp files: one process-wide GLib thread
// runs every agent; the calls below marshal onto it and block the calling thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace st::p2p::ice {

struct TurnServer {
  std::string host;  // an IP address or a name (resolved when the session starts)
  std::uint16_t port = 3478;
  std::string username, password;  // long-term or TURN REST API credentials
  bool tcp = false;                // TURN over TCP (networks that drop UDP); UDP otherwise
};

struct IceOptions {
  std::string stun_host;  // "" = none; an IP address or a name
  std::uint16_t stun_port = 3478;
  std::vector<TurnServer> turn;
  bool controlling = false;
  // Host candidates only on these IPs. Empty: every interface but loopback (libnice's own choice);
  // loopback is used when listed explicitly (unit tests), and only then are loopback remote candidates kept.
  std::vector<std::string> local_addresses;
  std::chrono::milliseconds gather_timeout{5000};
  std::chrono::milliseconds connect_timeout{15000};
  // RFC 6544 ICE-TCP candidates beside UDP (kernel TCP when a TCP pair wins). Off by default: it rarely
  // passes NATs, and a TCP pair carries no PseudoTCP FIN, so EOF there is only the agent's close.
  bool ice_tcp = false;
  bool ice_udp = true;  // false only to measure ICE-TCP alone
};

// What one side tells the other through the rendezvous signal. Candidates are SDP attribute values
// without "a=": "candidate:<foundation> 1 UDP <priority> <ip> <port> typ host|srflx|prflx|relay
// [raddr <ip> rport <port>] [tcptype active|passive|so]".
struct IceDescription {
  std::string ufrag, pwd;
  std::vector<std::string> candidates;
};

inline constexpr std::size_t kMaxDescriptionBytes = 4096;
inline constexpr std::size_t kMaxCandidates = 32;

// Text form: "ice-ufrag:<u>\nice-pwd:<p>\n" then one "candidate:..." line each.
std::string encode_description(const IceDescription& d);
// Parses the text form (≤ 4 KiB, ≤ 32 candidates, numeric addresses only, every field checked);
// nothing and a reason when malformed. Never throws on bad input.
std::optional<IceDescription> decode_description(std::string_view text, std::string& why);
// Checks one candidate line (as in IceDescription::candidates); a reason when malformed.
bool valid_candidate(std::string_view line, std::string& why);

class IceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class PathKind { direct, relayed };
struct PathInfo {
  PathKind kind = PathKind::direct;
  std::string local, remote;            // "ip:port" ("[v6]:port")
  std::string local_type, remote_type;  // host / srflx / prflx / relay
  std::string transport = "udp";        // udp, or tcp for an ICE-TCP pair
};

class IceSession {
 public:
  explicit IceSession(IceOptions o);  // creates the agent and starts gathering; throws IceError
  ~IceSession();                      // if wait_connected never succeeded: tears everything down
  IceSession(const IceSession&) = delete;
  IceSession& operator=(const IceSession&) = delete;

  // Blocks until gathering is done (or gather_timeout since construction: what was gathered so far).
  // Throws IceError when nothing at all was gathered.
  IceDescription local_description();
  // Throws IceError on bad credentials or candidates (no candidate is applied then).
  void set_remote(const IceDescription& d);
  // Blocks until the reliable stream is writable on a selected pair (at most connect_timeout from this
  // call); returns our end of the bridge: a connected, non-blocking, CLOEXEC AF_UNIX stream socket owned by
  // the caller. From then on the session lives on the GLib thread until the caller closes the fd (pending
  // bytes are delivered, then the peer reads EOF) or the ICE path fails (the fd reads EOF), so this object
  // may be destroyed at once. Closing is a full close, not a half close: once the peer's EOF arrives,
  // bytes still unsent towards it are dropped. Throws IceError ("no candidate pair succeeded",
  // "timed out", "no remote description").
  int wait_connected();
  PathInfo path() const;  // the selected pair; valid after wait_connected

  struct State;  // shared with the GLib thread (ice_session.cpp)

 private:
  std::shared_ptr<State> s_;
};

// Stops the GLib thread after closing every session still alive (tests, process exit: it is also
// registered with atexit). A later IceSession starts a new thread.
void shutdown();

}  // namespace st::p2p::ice
