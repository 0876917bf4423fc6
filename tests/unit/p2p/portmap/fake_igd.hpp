#pragma once
// A UPnP IGD on 127.0.0.1 speaking just enough HTTP/SOAP for miniupnpc: the root description with a
// WANIPConnection service, GetStatusInfo, GetExternalIPAddress, AddPortMapping, DeletePortMapping.
// Reached by its root URL only (no SSDP: nothing multicasts in a unit test).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace st::p2p::portmap::test {

class FakeIgd {
 public:
  struct Config {
    std::string external_ip = "198.18.0.15";
    bool connected = true;
    int add_error = 0;  // a UPnP error code for AddPortMapping with a lease (e.g. 725, 718)
  };
  explicit FakeIgd(Config c) : cfg_(std::move(c)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 16) != 0)
      throw std::runtime_error("listen");
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeIgd() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string root_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/rootDesc.xml"; }
  // External port -> "internal client:port lease".
  std::map<std::string, std::string> mappings() const {
    std::lock_guard l(mu_);
    return held_;
  }
  std::vector<std::string> actions() const {
    std::lock_guard l(mu_);
    return actions_;
  }

 private:
  static std::string field(const std::string& body, const std::string& name) {
    auto b = body.find("<" + name + ">");
    if (b == std::string::npos) return {};
    b += name.size() + 2;
    auto e = body.find("</" + name + ">", b);
    return e == std::string::npos ? std::string() : body.substr(b, e - b);
  }

  static std::string http(int code, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(code) + (code == 200 ? " OK" : " Internal Server Error") +
           "\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  static std::string soap(const std::string& action, const std::string& inner) {
    return "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action +
           "Response xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">" + inner + "</u:" + action +
           "Response></s:Body></s:Envelope>";
  }

  static std::string fault(int code) {
    return "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><s:Fault><faultcode>s:Client"
           "</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns=\"urn:schemas-upnp-org:"
           "control-1-0\"><errorCode>" + std::to_string(code) + "</errorCode><errorDescription>error"
           "</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
  }

  std::string answer(const std::string& head, const std::string& body) {
    if (head.rfind("GET /rootDesc.xml", 0) == 0) {
      return http(200,
                  "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1"
                  "</major><minor>0</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:"
                  "InternetGatewayDevice:1</deviceType><friendlyName>fake</friendlyName><deviceList><device>"
                  "<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><serviceList><service>"
                  "<serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType><serviceId>"
                  "urn:upnp-org:serviceId:WANCommonIFC1</serviceId><controlURL>/ctl/CmnIfCfg</controlURL>"
                  "<eventSubURL>/evt/CmnIfCfg</eventSubURL><SCPDURL>/WANCfg.xml</SCPDURL></service></serviceList>"
                  "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>"
                  "<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
                  "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL>"
                  "<eventSubURL>/evt/IPConn</eventSubURL><SCPDURL>/WANIPCn.xml</SCPDURL></service></serviceList>"
                  "</device></deviceList></device></deviceList></device></root>");
    }
    auto at = head.find("#");
    std::string action;
    if (at != std::string::npos) {
      auto end = head.find_first_of("\"\r\n", at);
      action = head.substr(at + 1, end - at - 1);
    }
    std::lock_guard l(mu_);
    actions_.push_back(action);
    if (action == "GetStatusInfo")
      return http(200, soap(action, std::string("<NewConnectionStatus>") + (cfg_.connected ? "Connected" : "Disconnected") +
                                        "</NewConnectionStatus><NewLastConnectionError>ERROR_NONE"
                                        "</NewLastConnectionError><NewUptime>100</NewUptime>"));
    if (action == "GetExternalIPAddress")
      return http(200, soap(action, "<NewExternalIPAddress>" + cfg_.external_ip + "</NewExternalIPAddress>"));
    if (action == "AddPortMapping") {
      std::string lease = field(body, "NewLeaseDuration");
      if (cfg_.add_error && !(cfg_.add_error == 725 && lease == "0")) return http(500, fault(cfg_.add_error));
      held_[field(body, "NewExternalPort")] =
          field(body, "NewInternalClient") + ":" + field(body, "NewInternalPort") + " " + lease;
      return http(200, soap(action, ""));
    }
    if (action == "AddAnyPortMapping") {
      held_["40404"] = field(body, "NewInternalClient") + ":" + field(body, "NewInternalPort") + " " +
                       field(body, "NewLeaseDuration");
      return http(200, soap(action, "<NewReservedPort>40404</NewReservedPort>"));
    }
    if (action == "DeletePortMapping") {
      if (!held_.erase(field(body, "NewExternalPort"))) return http(500, fault(714));
      return http(200, soap(action, ""));
    }
    return http(500, fault(401));
  }

  void serve(int c) {
    std::string in;
    char buf[4096];
    for (int i = 0; i < 200; ++i) {
      pollfd p{c, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
      auto end = in.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      std::size_t want = 0;
      auto cl = in.find("Content-Length:");
      if (cl == std::string::npos) cl = in.find("CONTENT-LENGTH:");
      if (cl != std::string::npos && cl < end) want = std::stoul(in.substr(cl + 15));
      if (in.size() < end + 4 + want) continue;
      std::string out = answer(in.substr(0, end), in.substr(end + 4));
      send(c, out.data(), out.size(), MSG_NOSIGNAL);
      break;
    }
    close(c);
  }

  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c >= 0) serve(c);
    }
  }

  Config cfg_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> held_;
  std::vector<std::string> actions_;
};

}  // namespace st::p2p::portmap::test
