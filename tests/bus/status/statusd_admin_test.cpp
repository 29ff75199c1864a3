// hb-statusd's optional parts, the real binary against fake daemons on a private dbus-daemon:
// TLS with a certificate made at test time (https answers, plain http on that port does not; the
// credentials systemd would hand over win over hb.conf's paths).
#include <httplib.h>

#include <future>
#include <nlohmann/json.hpp>

#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_resource1.hpp"
#include "../membership/fake_link1.hpp"
#include "free_port.hpp"

namespace hb::test {
namespace {

using nlohmann::json;

class StatusdOptions : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    port_ = free_port();
    std::ofstream(conf_ / "haresources") << "ha1 " << seed_group_key << " apache2\n";
    credentials_ = tmp_.path() / "credentials";
    fs::create_directories(credentials_);
    membership_ =
        std::make_unique<FakeMembership1>(bus_->address(), std::vector<std::string>{"ha1", "ha2"});
    membership_->own();
    link_ = std::make_unique<FakeLink1>(bus_->address(), std::vector<std::string>{"ha2"},
                                        std::vector<std::string>{"eth0"});
    link_->own();
    resource_ = std::make_unique<FakeResource1>(
        bus_->address(),
        std::vector<FakeResource1::Group>{{seed_group_key, "ha1", "ha1", "running", {}}});
    resource_->own();
    conns_ = {&membership_->conn(), &link_->conn(), &resource_->conn(), client_.get()};
  }

  // hb.conf [status] on the test's port plus `more`; hb-statusd started with the credentials
  // directory; true once it answers /healthz (over TLS when `tls`).
  bool start_statusd(const std::string& more, bool tls = false) {
    std::ofstream(conf_ / "hb.conf") << "[status]\nlisten = 127.0.0.1:" << port_ << "\n"
                                     << "refresh_interval = 300ms\n"
                                     << more;
    tls_ = tls;
    start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log",
          {"CREDENTIALS_DIRECTORY=" + credentials_.string()});
    return wait_until(conns_, [&] {
      auto r = request("GET", "/healthz");
      return r && r->status == 200;
    });
  }

  // One request on a new connection, while the fakes are served (hb-statusd may call them).
  httplib::Result request(const std::string& method, const std::string& path,
                          const std::string& body = {}, const httplib::Headers& headers = {}) {
    auto f = std::async(std::launch::async, [&]() -> httplib::Result {
      std::unique_ptr<httplib::ClientImpl> c;
      if (tls_) {
        auto s = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
        s->set_ca_cert_path((tmp_.path() / "cert.pem").c_str());
        s->enable_server_certificate_verification(true);
        c = std::move(s);
      } else {
        c = std::make_unique<httplib::ClientImpl>("127.0.0.1", port_);
      }
      c->set_connection_timeout(2);
      c->set_read_timeout(15);
      if (method == "POST") return c->Post(path.c_str(), headers, body, "application/json");
      return c->Get(path.c_str(), headers);
    });
    wait_until(conns_,
               [&] { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    return f.get();
  }

  // A self-signed certificate for 127.0.0.1 (and its key), as an admin would make one.
  bool make_certificate() {
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (tmp_.path() / "key.pem").string() + " -out " + (tmp_.path() / "cert.pem").string() +
        " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }

  int port_ = 0;
  bool tls_ = false;
  fs::path credentials_;
  std::unique_ptr<FakeMembership1> membership_;
  std::unique_ptr<FakeLink1> link_;
  std::unique_ptr<FakeResource1> resource_;
  std::vector<Conn*> conns_;
};

TEST_F(StatusdOptions, TlsServesHttpsAndNotPlainHttp) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl not installed";
  ASSERT_TRUE(make_certificate());
  ASSERT_TRUE(start_statusd("tls_certificate = " + (tmp_.path() / "cert.pem").string() +
                                "\ntls_key = " + (tmp_.path() / "key.pem").string() + "\n",
                            /*tls=*/true))
      << log();
  auto r = request("GET", "/api/v1/cluster");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["groups"][0]["owner"], "ha1");
  // Keep-alive over TLS: a second request on one connection.
  httplib::SSLClient keep("127.0.0.1", port_);
  keep.set_ca_cert_path((tmp_.path() / "cert.pem").c_str());
  keep.enable_server_certificate_verification(true);
  keep.set_keep_alive(true);
  for (int i = 0; i < 2; ++i) {
    auto k = keep.Get("/metrics");
    ASSERT_TRUE(k) << i;
    EXPECT_EQ(k->status, 200);
  }
  // Plain HTTP on the TLS port gets no HTTP answer.
  tls_ = false;
  auto plain = request("GET", "/api/v1/cluster");
  EXPECT_FALSE(plain && plain->status == 200);
}

TEST_F(StatusdOptions, TlsCredentialsWinOverTheConfiguredPaths) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl not installed";
  ASSERT_TRUE(make_certificate());
  // The unit hands root's files over as credentials; hb.conf's paths are not readable here.
  fs::copy_file(tmp_.path() / "cert.pem", credentials_ / "tls-certificate");
  fs::copy_file(tmp_.path() / "key.pem", credentials_ / "tls-key");
  ASSERT_TRUE(start_statusd(
      "tls_certificate = /nonexistent/hb-status.crt\ntls_key = /nonexistent/hb-status.key\n",
      /*tls=*/true))
      << log();
}

}  // namespace
}  // namespace hb::test
