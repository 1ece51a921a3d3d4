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

  // Makes `server` the one the CLI talks to (with a new data dir: a new
  // e2e-tester token).
  void AdoptServer(std::unique_ptr<testing::ServerProcess> server);

  // The arguments of the first start (SetUp), e.g. {"--demo"}.
  virtual std::vector<std::string> FirstStartArgs() const { return {}; }

  // (Re)starts rampartd on data_dir().
  void StartServer(const std::vector<std::string>& extra_args = {});

  // Runs `rampart --server ADDR args...` with an admin token named
  // "e2e-tester" (the audit actor).
  testing::CommandResult Cli(const std::vector<std::string>& args, const std::string& input = "");
  // Runs the CLI with `token` instead.
  testing::CommandResult CliAs(const std::string& token, const std::vector<std::string>& args);
  // Makes a token (`role` as the CLI spells it) with the admin token
  // rampartd wrote; returns it.
  std::string CreateToken(const std::string& name, const std::string& role);
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
  // A self-signed certificate for 127.0.0.1 and localhost and its key (PEM
  // files in the temp dir, made by openssl): {cert, key}.
  std::pair<std::string, std::string> MakeCertificate();
  // Writes `content` to a file in the temp dir and returns its path.
  std::string WriteFile(const std::string& name, const std::string& content);

  std::unique_ptr<testing::ServerProcess> server_;

 private:
  static std::vector<std::string> WithJson(std::vector<std::string> args);
  static void ParseInto(const std::string& json, google::protobuf::Message* message);

  testing::TempDir tmp_;
  std::string data_dir_;
  std::string token_;
};

}  // namespace rampart::e2e

#endif  // RAMPART_TESTS_E2E_E2E_FIXTURE_H_
