// Access through the real rampartd (issue 6): API tokens with roles,
// enforced the same on gRPC (the CLI) and HTTP (the JSON gateway). A support
// token reads everything and every write it tries is refused with
// PERMISSION_DENIED / 403, changing nothing; no token or a revoked one is
// UNAUTHENTICATED / 401; the audit actor is the token's name; the secret is
// shown once and stored only as a hash; TLS on both ports.
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "rampart/v1/admin.pb.h"
#include "rampart/v1/auth.pb.h"
#include "rampart/v1/calendar.pb.h"
#include "rampart/v1/eval.pb.h"
#include "rampart/v1/freeze.pb.h"
#include "rampart/v1/ramp.pb.h"
#include "rampart/v1/sdk.pb.h"
#include "rampart/v1/support.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

namespace pb = google::protobuf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRampFlag[] = "bulk-payments";  // the demo's running ramp

struct HttpAnswer {
  int status = 0;
  std::string body;
};

class AccessTest : public E2eTest {
 protected:
  std::vector<std::string> FirstStartArgs() const override { return {"--demo"}; }

  HttpAnswer Post(const std::string& path, const std::string& token, const std::string& body) {
    const std::string& addr = server().http_address();
    httplib::Client client(addr.substr(0, addr.rfind(':')),
                           std::stoi(addr.substr(addr.rfind(':') + 1)));
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto r = client.Post(path.c_str(), headers, body, "application/json");
    if (!r) return {};
    return {r->status, r->body};
  }

  // The store's revision, read with the admin token.
  int64_t Revision() { return CliJson<v1::WhoisView>({"whois", "ledger-pro"}).revision(); }
};

// Every unary method of the API, with whether support may not call it: its
// request carries a WriteMeta (directly or in ImportOptions), it is one of
// the calls an app makes back (problem reports, beta enrollment), or it is
// about tokens.
std::vector<std::pair<const pb::MethodDescriptor*, bool>> AllMethods() {
  const pb::FileDescriptor* files[] = {
      v1::GetAccountRequest::descriptor()->file(),  v1::WhoAmIRequest::descriptor()->file(),
      v1::GetCalendarRequest::descriptor()->file(), v1::EvaluateRequest::descriptor()->file(),
      v1::CheckFreezeRequest::descriptor()->file(), v1::CreateRampRequest::descriptor()->file(),
      v1::WatchRequest::descriptor()->file(),       v1::WhoisRequest::descriptor()->file()};
  std::vector<std::pair<const pb::MethodDescriptor*, bool>> out;
  for (const pb::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const pb::MethodDescriptor* method = file->service(s)->method(m);
        const pb::Descriptor* in = method->input_type();
        // Tokens are admin's alone, the list of them included.
        bool writes = method->service()->name() == "TokenService"
                          ? method->name() != "WhoAmI"
                          : in->FindFieldByName("meta") != nullptr ||
                                in->FindFieldByName("options") != nullptr ||
                                method->name() == "ReportProblem" ||
                                method->name() == "EnrollBeta" || method->name() == "WithdrawBeta";
        out.emplace_back(method, writes);
      }
    }
  }
  return out;
}

TEST_F(AccessTest, ASupportTokenReadsEverythingAndEveryWriteIsRefused) {
  const std::string sue = CreateToken("sue", "support");
  const int64_t before = Revision();
  int reads = 0, writes = 0;
  for (const auto& [method, is_write] : AllMethods()) {
    if (method->client_streaming() || method->server_streaming()) continue;
    const std::string path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
    // A request that would do something if allowed: a real flag, account
    // and reason.
    const std::string body = method->input_type()->FindFieldByName("meta") != nullptr
                                 ? R"({"meta":{"reason":"trying"}})"
                                 : "{}";
    const HttpAnswer r = Post(path, sue, body);
    if (is_write) {
      ++writes;
      EXPECT_EQ(r.status, 403) << path << " " << r.body;
      EXPECT_THAT(r.body, HasSubstr("permission_denied")) << path;
      EXPECT_THAT(r.body, HasSubstr("role support")) << path;
    } else {
      ++reads;
      EXPECT_NE(r.status, 401) << path << " " << r.body;
      EXPECT_NE(r.status, 403) << path << " " << r.body;
      EXPECT_NE(r.status, 0) << path;
    }
  }
  EXPECT_GE(writes, 35);
  EXPECT_GE(reads, 25);
  EXPECT_EQ(Revision(), before) << "refused calls changed nothing";

  // The same over gRPC, through the CLI: reads work...
  for (const std::vector<std::string>& read : {std::vector<std::string>{"whois", "ledger-pro"},
                                               {"history", "--account", "ledger-pro"},
                                               {"flag", "list"},
                                               {"audit", "list"},
                                               {"ramp", "status", kRampFlag},
                                               {"freeze", "list", "--segment", "accounting"},
                                               {"account", "list"}}) {
    testing::CommandResult r = CliAs(sue, read);
    EXPECT_EQ(r.exit_code, 0) << read[0] << ": " << r.err;
  }
  // ...and writes, streaming import included, are refused with the reason.
  const std::string csv = WriteFile("a.csv", "key,name\nnew-co,New Co\n");
  for (const std::vector<std::string>& write :
       {std::vector<std::string>{"ramp", "pause", kRampFlag, "--reason", "x"},
        {"flag", "kill", kRampFlag, "--reason", "x"},
        {"flag", "override", "set", kRampFlag, "ledger-pro", "on", "--reason", "x"},
        {"account", "import", csv, "--reason", "x"},
        {"token", "create", "--name", "eve", "--role", "admin", "--reason", "x"}}) {
    testing::CommandResult r = CliAs(sue, write);
    EXPECT_EQ(r.exit_code, 1) << write[0] << " " << write[1];
    EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED: token \"sue\" (role support) may not call"))
        << write[0] << " " << write[1];
  }
  EXPECT_EQ(Revision(), before);
}

TEST_F(AccessTest, WithoutAValidTokenACallIsUnauthenticated) {
  HttpAnswer none = Post("/rampart.v1.FlagService/ListFlags", "", "{}");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.body, HasSubstr("\"code\":\"unauthenticated\""));
  EXPECT_EQ(Post("/rampart.v1.FlagService/ListFlags", "rpt_0123456789abcdef_00", "{}").status, 401);

  testing::CommandResult r = CliAs("", {"flag", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("UNAUTHENTICATED: authorization: missing"));

  // A revoked token stops at its next call.
  const std::string rita = CreateToken("rita", "release-manager");
  EXPECT_EQ(Post("/rampart.v1.FlagService/ListFlags", rita, "{}").status, 200);
  CliOk({"token", "revoke", "rita", "--reason", "left the team"});
  HttpAnswer revoked = Post("/rampart.v1.FlagService/ListFlags", rita, "{}");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_THAT(revoked.body, HasSubstr("revoked by e2e-tester"));
}

TEST_F(AccessTest, TheAuditActorIsTheTokensName) {
  const std::string rita = CreateToken("rita", "release-manager");
  // Whatever the request claims.
  testing::CommandResult r =
      CliAs(rita, {"--actor", "mallory", "ramp", "pause", kRampFlag, "--reason", "INC-7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  HttpAnswer resume =
      Post("/rampart.v1.RampService/ResumeRamp", rita,
           R"({"flagKey":"bulk-payments","meta":{"actor":"mallory","reason":"fixed"}})");
  ASSERT_EQ(resume.status, 200) << resume.body;
  const auto audit = CliJson<v1::ListAuditResponse>({"audit", "list", "--actor", "rita"});
  ASSERT_GE(audit.entries_size(), 2);
  for (const auto& e : audit.entries()) EXPECT_EQ(e.actor(), "rita");
  EXPECT_EQ(CliJson<v1::ListAuditResponse>({"audit", "list", "--actor", "mallory"}).entries_size(),
            0);
  // A release manager may not make tokens or change accounts.
  EXPECT_EQ(Post("/rampart.v1.TokenService/CreateToken", rita,
                 R"({"name":"x","role":"ROLE_ADMIN","meta":{"reason":"x"}})")
                .status,
            403);
}

TEST_F(AccessTest, TheSecretIsShownOnceAndStoredHashed) {
  testing::CommandResult created = Cli({"token", "create", "--name", "crm", "--role", "support",
                                        "--description", "the CRM", "--reason", "CRM-1"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string secret = created.out.substr(created.out.find("rpt_"), 85);
  ASSERT_EQ(secret.size(), 85u);
  EXPECT_THAT(CliOk({"token", "list"}), Not(HasSubstr(secret)));
  const std::string listed = CliOk({"--output", "json", "token", "list"});
  EXPECT_THAT(listed, Not(HasSubstr("rpt_")));
  EXPECT_THAT(listed, HasSubstr("\"secret_sha256\": \"\""));
  EXPECT_THAT(listed, Not(HasSubstr("\"secret_sha256\": \"0")));
  EXPECT_THAT(CliOk({"audit", "list"}), Not(HasSubstr(secret.substr(22))));
  EXPECT_EQ(CliAs(secret, {"whoami"}).out, "crm (role support)\n");

  // The admin token rampartd wrote is for its owner only, and made once.
  struct stat st;
  ASSERT_EQ(stat((data_dir() + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string admin = server().admin_token();
  StartServer();
  EXPECT_EQ(server().admin_token(), admin);
}

TEST_F(AccessTest, BadTokenRequestsAreRefusedNamingTheField) {
  testing::CommandResult bad_role =
      Cli({"token", "create", "--name", "x", "--role", "root", "--reason", "x"});
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_THAT(bad_role.err, HasSubstr("--role root: not a role"));
  CreateToken("dup", "sdk");
  testing::CommandResult dup =
      Cli({"token", "create", "--name", "dup", "--role", "sdk", "--reason", "x"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_THAT(dup.err, HasSubstr("ALREADY_EXISTS: name: a token named \"dup\" is in force"));
  HttpAnswer wrong_type = Post("/rampart.v1.TokenService/CreateToken", server().admin_token(),
                               R"({"name":"x","role":"ROLE_ROOT","meta":{"reason":"x"}})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_THAT(wrong_type.body, HasSubstr("role"));
}

TEST_F(AccessTest, HttpAnswersWhatGrpcAnswers) {
  const std::string sue = CreateToken("sue", "support");
  // As of one instant after the demo data, so both answer the same moment.
  std::string at;
  ASSERT_TRUE(
      pb::util::MessageToJsonString(CliJson<v1::WhoisView>({"whois", "ledger-pro"}).at(), &at)
          .ok());
  HttpAnswer http = Post("/rampart.v1.SupportService/Whois", sue,
                         absl::StrCat(R"({"account":"ledger-pro","at":)", at, "}"));
  ASSERT_EQ(http.status, 200) << http.body;
  v1::WhoisView from_http;
  ASSERT_TRUE(pb::util::JsonStringToMessage(http.body, &from_http).ok());
  const auto from_cli =
      CliJson<v1::WhoisView>({"whois", "ledger-pro", "--at", at.substr(1, at.size() - 2)});
  ASSERT_GT(from_cli.flags_size(), 0);
  EXPECT_EQ(from_http.flags_size(), from_cli.flags_size());
  for (int i = 0; i < from_cli.flags_size(); ++i) {
    EXPECT_EQ(from_http.flags(i).flag_key(), from_cli.flags(i).flag_key());
    EXPECT_EQ(from_http.flags(i).why(), from_cli.flags(i).why());
  }
  HttpAnswer missing = Post("/rampart.v1.SupportService/Whois", sue, R"({"account":"nope"})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("account \\\"nope\\\" not found"));
}

// TLS on both ports when a certificate and key are given.
class TlsTest : public E2eTest {
 protected:
  std::vector<std::string> FirstStartArgs() const override { return {"--http-listen", ""}; }
};

TEST_F(TlsTest, BothPortsServeTlsWithTheGivenCertificate) {
  const auto [cert, key] = MakeCertificate();
  StartServer({"--tls-cert-file", cert, "--tls-key-file", key});

  testing::CommandResult tls = Cli({"--tls-ca-file", cert, "flag", "list"});
  EXPECT_EQ(tls.exit_code, 0) << tls.err;
  testing::CommandResult plain = Cli({"--timeout", "3", "flag", "list"});
  EXPECT_EQ(plain.exit_code, 1);

  const std::string& addr = server().http_address();
  httplib::SSLClient client(addr.substr(0, addr.rfind(':')),
                            std::stoi(addr.substr(addr.rfind(':') + 1)));
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  httplib::Headers headers{{"Authorization", "Bearer " + server().admin_token()}};
  auto r = client.Post("/rampart.v1.TokenService/WhoAmI", headers, "{}", "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("\"role\":\"ROLE_ADMIN\""));
  httplib::Client insecure(addr.substr(0, addr.rfind(':')),
                           std::stoi(addr.substr(addr.rfind(':') + 1)));
  auto plain_http = insecure.Get("/healthz");
  EXPECT_TRUE(!plain_http || plain_http->status != 200) << "plain HTTP on the TLS port";

  // A key that does not load stops the start, naming the flag.
  auto bad = testing::ServerProcess::Start(RAMPARTD_PATH, data_dir() + "2",
                                           {"--tls-cert-file", cert, "--tls-key-file", cert});
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace rampart::e2e
