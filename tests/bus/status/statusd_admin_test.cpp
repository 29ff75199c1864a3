// hb-statusd's optional parts, the real binary against fake daemons on a private dbus-daemon:
// TLS with a certificate made at test time (https answers, plain http on that port does not; the
// credentials systemd would hand over win over hb.conf's paths), and the admin endpoints (404
// while off; with admin = yes, 401 without or with a wrong bearer token, and with the right one
// the fake hb-resourced receives the Standby, Takeover or MoveGroup that hbctl would send). The
// read-only API stays read-only either way. Also the takeover figures in /api/v1/cluster and
// /metrics as hb-resourced's properties give them.
#include <httplib.h>

#include <future>
#include <nlohmann/json.hpp>

#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_resource1.hpp"
#include "../membership/fake_link1.hpp"
#include "free_port.hpp"
#include "prometheus_parse.hpp"

namespace hb::test {
namespace {

using nlohmann::json;
const std::string token = "0123456789abcdef-test-token";

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

  void write_token(const std::string& text) { std::ofstream(credentials_ / "admin-token") << text; }

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

TEST_F(StatusdOptions, ATlsFileThatDoesNotLoadIsAConfigError) {
  std::ofstream(conf_ / "hb.conf") << "[status]\nlisten = 127.0.0.1:" << port_
                                   << "\ntls_certificate = /nonexistent/hb-status.crt"
                                   << "\ntls_key = /nonexistent/hb-status.key\n";
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log",
        {"CREDENTIALS_DIRECTORY=" + credentials_.string()});
  const int status = daemon_.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 78) << log();
  EXPECT_NE(log().find("cannot use the TLS certificate /nonexistent/hb-status.crt"),
            std::string::npos)
      << log();
}

TEST_F(StatusdOptions, AdminEndpointsAre404WhileOffAndTheApiStaysReadOnly) {
  write_token(token);
  ASSERT_TRUE(start_statusd("")) << log();
  const httplib::Headers bearer{{"Authorization", "Bearer " + token}};
  for (const char* path : {"/api/v1/admin/standby", "/api/v1/admin/takeover",
                           "/api/v1/admin/groups/192.0.2.10/move"}) {
    auto r = request("POST", path, "{}", bearer);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(json::parse(r->body)["error"]["status"], 404);
  }
  auto post = request("POST", "/api/v1/cluster", "{}");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  EXPECT_TRUE(resource_->calls().empty());
}

TEST_F(StatusdOptions, AdminCallsHbResourcedOnlyWithTheToken) {
  write_token(token + "\n");
  ASSERT_TRUE(start_statusd("admin = yes\n")) << log();
  EXPECT_EQ(log().find("without TLS"), std::string::npos) << log();  // loopback only

  // No token, a wrong one, another scheme: 401 with a challenge, and nothing called.
  for (const httplib::Headers& h :
       {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer " + token + "x"}},
        httplib::Headers{{"Authorization", "Bearer " + token.substr(1)}},
        httplib::Headers{{"Authorization", "Basic " + token}}}) {
    auto r = request("POST", "/api/v1/admin/standby", "", h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"hb-statusd admin\"");
    EXPECT_EQ(json::parse(r->body)["error"]["status"], 401);
  }
  EXPECT_TRUE(resource_->calls().empty());
  // Each refusal is counted; the first is logged at once with the client, the next ones of the
  // same 10 s only in the count of a later line.
  EXPECT_NE(log().find("refused an admin request without the right token, from 127.0.0.1"),
            std::string::npos)
      << log();
  EXPECT_EQ(log().find("refused 2 admin requests"), std::string::npos) << log();
  auto metrics = request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("\nhb_status_admin_refused_total 4\n"), std::string::npos)
      << metrics->body;

  const httplib::Headers bearer{{"Authorization", "Bearer " + token}};
  auto standby = request("POST", "/api/v1/admin/standby", R"({"which": "local"})", bearer);
  ASSERT_TRUE(standby);
  EXPECT_EQ(standby->status, 202) << standby->body;
  EXPECT_EQ(json::parse(standby->body), (json{{"requested", "standby"}, {"which", "local"}}));
  auto takeover = request("POST", "/api/v1/admin/takeover?which=foreign", "", bearer);
  ASSERT_TRUE(takeover);
  EXPECT_EQ(takeover->status, 202) << takeover->body;
  auto move = request("POST", "/api/v1/admin/groups/192.0.2.10/move", R"({"node": "ha2"})", bearer);
  ASSERT_TRUE(move);
  EXPECT_EQ(move->status, 202) << move->body;
  EXPECT_EQ(resource_->calls(), (std::vector<std::string>{"Standby local", "Takeover foreign",
                                                          "MoveGroup 192.0.2.10 ha2"}));
  // The OpenAPI document describes these answers.
  const json api = json::parse(request("GET", "/api/v1/openapi.json")->body);
  EXPECT_TRUE(api["paths"].contains("/api/v1/admin/groups/{key}/move"));
  const json& accepted = api["components"]["schemas"]["AdminAccepted"]["properties"];
  for (const httplib::Result* r : {&standby, &takeover, &move}) {
    const json body = json::parse((*r)->body);
    for (const auto& [key, value] : body.items())
      EXPECT_TRUE(accepted.contains(key)) << "AdminAccepted lacks " << key;
  }

  // Bad requests never reach hb-resourced; its own errors come back as statuses.
  auto bad = request("POST", "/api/v1/admin/standby", R"({"which": "everything"})", bearer);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto garbage = request("POST", "/api/v1/admin/takeover", "not json", bearer);
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  auto unknown =
      request("POST", "/api/v1/admin/groups/198.51.100.1/move", R"({"node": "ha2"})", bearer);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  auto get = request("GET", "/api/v1/admin/standby", "", bearer);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(resource_->calls().size(), 3u);

  // hb-resourced gone: 503, not a hang.
  resource_->vanish();
  conns_ = {&membership_->conn(), &link_->conn(), client_.get()};
  auto gone = request("POST", "/api/v1/admin/standby", "", bearer);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 503) << gone->body;
  // The read-only API is unchanged beside it.
  auto post = request("POST", "/api/v1/cluster", "{}", bearer);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST_F(StatusdOptions, AdminWithoutTlsOffThisHostIsWarnedOf) {
  write_token(token);
  std::ofstream(conf_ / "hb.conf") << "[status]\nlisten = 0.0.0.0:" << port_ << "\nadmin = yes\n";
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log",
        {"CREDENTIALS_DIRECTORY=" + credentials_.string()});
  ASSERT_TRUE(wait_until(conns_, [&] {
    return log().find("admin endpoints without TLS on 0.0.0.0:" + std::to_string(port_)) !=
           std::string::npos;
  })) << log();
}

TEST_F(StatusdOptions, AdminWithoutATokenDoesNotStart) {
  std::ofstream(conf_ / "hb.conf") << "[status]\nlisten = 127.0.0.1:" << port_ << "\nadmin = yes\n";
  start("HB_STATUSD", "ha1", tmp_.path() / "statusd.log",
        {"CREDENTIALS_DIRECTORY=" + credentials_.string()});
  const int status = daemon_.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 78) << log();  // a config error: the unit does not restart it
  EXPECT_NE(log().find("no admin token"), std::string::npos) << log();
}

TEST_F(StatusdOptions, TakeoversShowInTheDocumentAndTheMetrics) {
  ASSERT_TRUE(start_statusd("")) << log();
  auto before = request("GET", "/api/v1/groups/192.0.2.10");
  ASSERT_TRUE(before);
  EXPECT_EQ(json::parse(before->body)["takeovers"], 0);
  EXPECT_TRUE(json::parse(before->body)["last_takeover_seconds"].is_null());
  resource_->set_takeovers(seed_group_key, 2, 1'250'000);
  ASSERT_TRUE(wait_until(conns_, [&] {
    auto r = request("GET", "/api/v1/groups/192.0.2.10");
    return r && json::parse(r->body)["takeovers"] == 2;
  })) << log();
  const json group = json::parse(request("GET", "/api/v1/groups/192.0.2.10")->body);
  EXPECT_DOUBLE_EQ(group["last_takeover_seconds"].get<double>(), 1.25);
  const std::string metrics = request("GET", "/metrics")->body;
  EXPECT_NE(metrics.find("# TYPE hb_failovers_total counter\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hb_failovers_total{group=\"192.0.2.10\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("hb_last_takeover_duration_seconds{group=\"192.0.2.10\"} 1.25"),
            std::string::npos)
      << metrics;
  // Prometheus' own parser reads both families with their types (skipped where it is not
  // installed; the parser names a counter without its _total).
  if (auto families = prometheus_parse(metrics, tmp_.path())) {
    EXPECT_EQ((*families)["hb_failovers"].type, "counter") << metrics;
    EXPECT_EQ((*families)["hb_last_takeover_duration_seconds"].type, "gauge") << metrics;
  }
}

}  // namespace
}  // namespace hb::test
