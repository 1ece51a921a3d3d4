#include "tests/e2e/e2e_fixture.h"

#include <signal.h>

#include <fstream>

#include "google/protobuf/util/json_util.h"
#include "rampart/v1/auth.pb.h"

namespace rampart::e2e {

void E2eTest::SetUp() {
  data_dir_ = tmp_.path() + "/data";
  StartServer(FirstStartArgs());
}

void E2eTest::StartServer(const std::vector<std::string>& extra_args) {
  server_.reset();
  auto server = testing::ServerProcess::Start(RAMPARTD_PATH, data_dir_, extra_args);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  // The tests act as an admin named e2e-tester (the audit actor), through a
  // token made with the one rampartd wrote into the new data dir.
  if (token_.empty() && !server_->admin_token().empty()) {
    token_ = CreateToken("e2e-tester", "admin");
  }
}

void E2eTest::AdoptServer(std::unique_ptr<testing::ServerProcess> server) {
  server_ = std::move(server);
  token_ = server_->admin_token().empty() ? "" : CreateToken("e2e-tester", "admin");
}

std::string E2eTest::CreateToken(const std::string& name, const std::string& role) {
  testing::CommandResult r =
      testing::RunCommand({RAMPART_CLI_PATH, "--server", server_->address(), "--token",
                           server_->admin_token(), "--output", "json", "token", "create", "--name",
                           name, "--role", role, "--reason", "e2e test"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  v1::CreatedToken created;
  ParseInto(r.out, &created);
  return created.secret();
}

testing::CommandResult E2eTest::CliAs(const std::string& token,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RAMPART_CLI_PATH, "--server", server_->address()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv, {"RAMPART_TOKEN=" + token});
}

testing::CommandResult E2eTest::Cli(const std::vector<std::string>& args,
                                    const std::string& input) {
  std::vector<std::string> argv = {RAMPART_CLI_PATH, "--server", server_->address()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv, {"RAMPART_ACTOR=e2e-tester", "RAMPART_TOKEN=" + token_}, input);
}

std::string E2eTest::CliOk(const std::vector<std::string>& args) {
  testing::CommandResult r = Cli(args);
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  EXPECT_EQ(r.exit_code, 0) << "rampart " << joined << "\nstdout: " << r.out
                            << "\nstderr: " << r.err;
  return r.out;
}

std::vector<std::string> E2eTest::WithJson(std::vector<std::string> args) {
  args.insert(args.begin(), {"--output", "json"});
  return args;
}

void E2eTest::ParseInto(const std::string& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  auto s = google::protobuf::util::JsonStringToMessage(json, message, options);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << json;
}

std::pair<std::string, std::string> E2eTest::MakeCertificate() {
  const std::string cert = tmp_.path() + "/cert.pem";
  const std::string key = tmp_.path() + "/key.pem";
  testing::CommandResult made = testing::RunCommand(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
       "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key,
       "-out", cert});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  return {cert, key};
}

std::string E2eTest::WriteFile(const std::string& name, const std::string& content) {
  const std::string path = tmp_.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace rampart::e2e
