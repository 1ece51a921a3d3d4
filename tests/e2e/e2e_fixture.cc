#include "tests/e2e/e2e_fixture.h"

#include <signal.h>

#include <fstream>

#include "google/protobuf/util/json_util.h"

namespace rampart::e2e {

void E2eTest::SetUp() {
  data_dir_ = tmp_.path() + "/data";
  StartServer();
}

void E2eTest::StartServer(const std::vector<std::string>& extra_args) {
  server_.reset();
  auto server = testing::ServerProcess::Start(RAMPARTD_PATH, data_dir_, extra_args);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
}

testing::CommandResult E2eTest::Cli(const std::vector<std::string>& args,
                                    const std::string& input) {
  std::vector<std::string> argv = {RAMPART_CLI_PATH, "--server", server_->address()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv, {"RAMPART_ACTOR=e2e-tester"}, input);
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

std::string E2eTest::WriteFile(const std::string& name, const std::string& content) {
  const std::string path = tmp_.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace rampart::e2e
