// LAN announcements: only a well-formed, fresh packet signed by the key it names is accepted; Avahi's
// parsable browse lines give a peer only for our service with a NodeId in its TXT record.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "p2p/lan_discovery.hpp"

using namespace st;
using namespace st::p2p;

namespace {

crypto::Identity identity(std::uint8_t seed) {
  crypto::Ed25519Seed s{};
  s.fill(seed);
  return crypto::Identity(s);
}

constexpr std::uint64_t kNow = 1795000000;

namespace fs = std::filesystem;

bool eventually(const std::function<bool()>& f, std::chrono::milliseconds within = std::chrono::seconds(8)) {
  auto end = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return f();
}

}  // namespace

TEST(LanAnnouncement, RoundTripsWhenSignedAndFresh) {
  auto a = identity(3);
  auto p = encode_lan_announcement(a, 11204, kNow);
  ASSERT_EQ(p.size(), kLanAnnouncementSize);
  EXPECT_EQ(p.substr(0, 4), "STLA");
  std::string why;
  auto d = decode_lan_announcement(p, kNow + 10, &why);
  ASSERT_TRUE(d) << why;
  EXPECT_EQ(d->node_id, a.node_id());
  EXPECT_EQ(d->port, 11204);
  EXPECT_EQ(d->timestamp, kNow);
}

TEST(LanAnnouncement, RefusesTamperingStalenessAndJunk) {
  auto a = identity(3), b = identity(4);
  auto p = encode_lan_announcement(a, 11204, kNow);
  std::string why;
  auto port = p;
  port[38] = static_cast<char>(port[38] ^ 1);  // another port, same signature
  EXPECT_FALSE(decode_lan_announcement(port, kNow, &why));
  EXPECT_EQ(why, "bad signature");
  auto key = p;
  auto pb = b.public_key();
  key.replace(5, 32, reinterpret_cast<const char*>(pb.data()), 32);  // B's key on A's signature
  EXPECT_FALSE(decode_lan_announcement(key, kNow, &why));
  EXPECT_EQ(why, "bad signature");
  EXPECT_FALSE(decode_lan_announcement(p, kNow + kLanMaxSkewSeconds + 1, &why));
  EXPECT_EQ(why, "stale timestamp");
  EXPECT_FALSE(decode_lan_announcement(p, kNow - kLanMaxSkewSeconds - 1, &why));
  EXPECT_FALSE(decode_lan_announcement(p.substr(0, 110), kNow, &why));
  EXPECT_EQ(why, "wrong size");
  EXPECT_FALSE(decode_lan_announcement(p + "x", kNow, &why));
  auto magic = p;
  magic[0] = 'X';
  EXPECT_FALSE(decode_lan_announcement(magic, kNow, &why));
  EXPECT_EQ(why, "not a SoundTime announcement");
  auto version = p;
  version[4] = 2;
  EXPECT_FALSE(decode_lan_announcement(version, kNow, &why));
  EXPECT_EQ(why, "unknown version");
  EXPECT_FALSE(decode_lan_announcement(encode_lan_announcement(a, 0, kNow), kNow, &why));
  EXPECT_EQ(why, "port 0");
}

TEST(LanGroup, OnlyAdministrativelyScopedIpv4Groups) {
  EXPECT_EQ(parse_lan_group("239.255.41.204:11205"), std::make_pair(std::string("239.255.41.204"), std::uint16_t(11205)));
  EXPECT_FALSE(parse_lan_group("224.0.0.251:5353"));  // link-local mDNS group: not ours
  EXPECT_FALSE(parse_lan_group("192.168.1.1:11205"));
  EXPECT_FALSE(parse_lan_group("239.1.1.1"));
  EXPECT_FALSE(parse_lan_group("239.1.1.1:0"));
  EXPECT_FALSE(parse_lan_group("nonsense:1"));
}

TEST(AvahiBrowse, ParsesResolvedLinesOfOurServiceOnly) {
  std::string id(64, 'a');
  auto p = parse_avahi_browse_line("=;eth0;IPv4;SoundTime\\032aaaaaaaa;_soundtime-p2p._tcp;local;box.local;192.168.1.5;11204;\"node_id=" +
                                   id + "\"");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->node_id, id);
  EXPECT_EQ(p->address, "192.168.1.5:11204");
  auto v6 = parse_avahi_browse_line("=;eth0;IPv6;X;_soundtime-p2p._tcp;local;box.local;2001:db8::5;11204;\"v=1\" \"node_id=" + id + "\"");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, "[2001:db8::5]:11204");
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv6;X;_soundtime-p2p._tcp;local;box.local;fe80::1;11204;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("+;eth0;IPv4;X;_soundtime-p2p._tcp;local"));  // not resolved
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_http._tcp;local;box.local;192.168.1.5;80;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;192.168.1.5;99999;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;not-an-ip;11204;\"node_id=" + id + "\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;192.168.1.5;11204;\"node_id=xyz\""));
  EXPECT_FALSE(parse_avahi_browse_line("=;eth0;IPv4;X;_soundtime-p2p._tcp;local;box.local;192.168.1.5;11204;\"node_id=" + id + "b\""));
  EXPECT_FALSE(parse_avahi_browse_line(""));
}

// The Avahi side of LAN discovery, with stand-in avahi-publish / avahi-browse scripts first on PATH and
// multicast off: no daemon and no packet on any network. The real tools against real daemons are
// exercised by tests/integration/test_p2p_mesh.py (AvahiDiscoveryTest, inside network namespaces).
class LanAvahiTools : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("st-lan-avahi-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const char* path = std::getenv("PATH");
    old_path_ = path ? path : "";
    ::setenv("PATH", dir_.c_str(), 1);
  }
  void TearDown() override {
    ::setenv("PATH", old_path_.c_str(), 1);
    fs::remove_all(dir_);
  }
  void script(const std::string& name, const std::string& body) {
    auto p = dir_ / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    fs::permissions(p, fs::perms::owner_all);
  }
  // A browse that reports a peer, a service of ours, a line to ignore and another service.
  void browse_reports(const std::string& peer, const std::string& self) {
    script("avahi-browse", "echo \"$@\" >> \"${0%/*}/browse.args\"\n"
                           "printf '%s\\n' '+;veth0;IPv4;SoundTime\\032bbbbbbbb;_soundtime-p2p._tcp;local'\n"
                           "printf '%s\\n' '=;veth0;IPv4;SoundTime\\032bbbbbbbb;_soundtime-p2p._tcp;local;b.local;192.0.2.7;11204;\"node_id=" +
                               peer + "\"'\n"
                           "printf '%s\\n' '=;veth0;IPv4;SoundTime\\032cccccccc;_soundtime-p2p._tcp;local;a.local;192.0.2.6;11204;\"node_id=" +
                               self + "\"'\n"
                           "printf '%s\\n' '=;veth0;IPv4;Printer;_ipp._tcp;local;p.local;192.0.2.9;631;\"rp=x\"'\n");
  }
  pid_t pid_in(const std::string& name) {
    pid_t pid = -1;
    std::ifstream(dir_ / name) >> pid;
    return pid;
  }
  static bool gone(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }  // a zombie still answers
  static LanOptions mdns_only() {
    LanOptions o;
    o.multicast = false;
    o.interval = std::chrono::seconds(1);
    return o;
  }

  fs::path dir_;
  std::string old_path_;
  std::mutex mu_;
  std::vector<std::tuple<std::string, std::string, LanVia>> heard_;
  LanDiscovery::OnPeer record() {
    return [this](const std::string& node, const std::string& address, LanVia via) {
      std::lock_guard l(mu_);
      heard_.emplace_back(node, address, via);
    };
  }
  std::size_t heard_count() {
    std::lock_guard l(mu_);
    return heard_.size();
  }
};

TEST_F(LanAvahiTools, PublishesBrowsesAndReapsItsChildren) {
  auto self = identity(5), peer = identity(6);
  script("avahi-publish", "echo $$ > \"${0%/*}/publish.pid\"\necho \"$@\" > \"${0%/*}/publish.args\"\n"
                          "echo \"Established under name '$2'\" >&2\nexec /bin/sleep 600\n");
  browse_reports(peer.node_id(), self.node_id());
  LanDiscovery lan(self, 11204, mdns_only(), record());
  ASSERT_TRUE(eventually([&] { return lan.avahi(); })) << "avahi-publish's 'Established' was not seen";
  ASSERT_TRUE(eventually([&] { return heard_count() >= 2; })) << "no second browse";
  {
    std::lock_guard l(mu_);
    for (const auto& [node, address, via] : heard_) {  // only the peer: not us, not another service
      EXPECT_EQ(node, peer.node_id());
      EXPECT_EQ(address, "192.0.2.7:11204");
      EXPECT_EQ(via, LanVia::mdns);
    }
  }
  EXPECT_GE(lan.mdns_heard(), 2u);
  EXPECT_EQ(lan.sent(), 0u);  // multicast off
  std::string args;
  std::getline(std::ifstream(dir_ / "publish.args"), args);
  EXPECT_EQ(args, "-s SoundTime " + self.node_id().substr(0, 8) + " _soundtime-p2p._tcp 11204 node_id=" + self.node_id());
  std::getline(std::ifstream(dir_ / "browse.args"), args);
  EXPECT_EQ(args, "-p -r -t -k _soundtime-p2p._tcp");
  pid_t pid = pid_in("publish.pid");
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(gone(pid));
  lan.stop();
  EXPECT_TRUE(gone(pid)) << "avahi-publish still there (or a zombie) after stop()";
  EXPECT_FALSE(lan.avahi());
}

TEST_F(LanAvahiTools, WithoutADaemonMdnsIsSkipped) {
  auto self = identity(5), peer = identity(6);
  script("avahi-publish", "echo 'Failed to create client object: Daemon not running' >&2\nexit 1\n");
  browse_reports(peer.node_id(), self.node_id());
  LanDiscovery lan(self, 11204, mdns_only(), record());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_FALSE(lan.avahi());
  EXPECT_EQ(heard_count(), 0u);
  EXPECT_FALSE(fs::exists(dir_ / "browse.args")) << "browsed without a daemon";
  lan.stop();
}

TEST_F(LanAvahiTools, StopEndsAHungBrowseAndAPublishIgnoringSigterm) {
  auto self = identity(5);
  script("avahi-publish", "trap '' TERM\necho $$ > \"${0%/*}/publish.pid\"\n"
                          "echo \"Established under name '$2'\" >&2\nexec /bin/sleep 600\n");
  script("avahi-browse", "echo $$ > \"${0%/*}/browse.pid\"\nexec /bin/sleep 600\n");
  LanDiscovery lan(self, 11204, mdns_only(), record());
  ASSERT_TRUE(eventually([&] { return lan.avahi() && pid_in("browse.pid") > 0; }));
  pid_t publish = pid_in("publish.pid"), browse = pid_in("browse.pid");
  auto t0 = std::chrono::steady_clock::now();
  lan.stop();
  auto took = std::chrono::steady_clock::now() - t0;
  // The children would sleep 600 s if stop() waited for them.
  EXPECT_LT(took, std::chrono::seconds(120)) << "stop() waited on its children";  // safety net, not a speed check
  EXPECT_TRUE(gone(publish));
  EXPECT_TRUE(gone(browse));
}
