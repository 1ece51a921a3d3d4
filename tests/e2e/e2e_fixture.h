// The fixture of the end-to-end tests: a fresh rampartd per test (temp data
// dir, free loopback port) and a way to run the real `rampart` CLI against it.
#ifndef RAMPART_TESTS_E2E_E2E_FIXTURE_H_
#define RAMPART_TESTS_E2E_E2E_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace rampart::e2e {

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // (Re)starts rampartd on data_dir().
  void StartServer(const std::vector<std::string>& extra_args = {});

  // Runs `rampart --server ADDR args...` as actor "e2e-tester".
  testing::CommandResult Cli(const std::vector<std::string>& args, const std::string& input = "");
  // Runs the CLI with --output json, expects exit 0 and parses stdout into `T`.
  template <typename T>
  T CliJson(const std::vector<std::string>& args) {
    T message;
    ParseInto(CliOk(WithJson(args)), &message);
    return message;
  }
  // Runs the CLI and expects exit 0; returns stdout.
  std::string CliOk(const std::vector<std::string>& args);

  const std::string& data_dir() const { return data_dir_; }
  testing::ServerProcess& server() { return *server_; }
  // Writes `content` to a file in the temp dir and returns its path.
  std::string WriteFile(const std::string& name, const std::string& content);

  std::unique_ptr<testing::ServerProcess> server_;

 private:
  static std::vector<std::string> WithJson(std::vector<std::string> args);
  static void ParseInto(const std::string& json, google::protobuf::Message* message);

  testing::TempDir tmp_;
  std::string data_dir_;
};

}  // namespace rampart::e2e

#endif  // RAMPART_TESTS_E2E_E2E_FIXTURE_H_
