// Runs the real binaries from end-to-end tests: a command to completion with
// its output captured, or rampartd in the background on a free loopback port
// with a temp data dir. POSIX only. Not thread-safe per object.
#ifndef RAMPART_TESTS_TESTING_PROCESS_H_
#define RAMPART_TESTS_TESTING_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace rampart::testing {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or did not start
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is a path), with `env` added to the environment
// ("NAME=value"), feeding `input` on stdin; waits up to `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {},
                         const std::string& input = "",
                         absl::Duration timeout = absl::Seconds(120));

// rampartd in the background. The destructor stops it with SIGKILL if it is
// still running.
class ServerProcess {
 public:
  // Starts `binary --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --data-dir
  // data_dir extra_args...` (without --http-listen when extra_args has one)
  // and waits for its "listening on" lines (up to `timeout`).
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& binary, const std::string& data_dir,
      const std::vector<std::string>& extra_args = {}, absl::Duration timeout = absl::Seconds(30));
  ~ServerProcess();

  // "127.0.0.1:PORT".
  const std::string& address() const { return address_; }
  // "127.0.0.1:PORT" of the HTTP API; empty when not served.
  const std::string& http_address() const { return http_address_; }
  // The admin token rampartd wrote in the data dir ("" when none).
  std::string admin_token() const;
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits for the exit; returns the exit code (-signal
  // when killed by one).
  int Stop(int signal);
  // What the server wrote on stderr so far (its request log).
  std::string Stderr() const;

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  std::string address_;
  std::string http_address_;
  std::string data_dir_;
  std::string stderr_path_;
};

}  // namespace rampart::testing

#endif  // RAMPART_TESTS_TESTING_PROCESS_H_
