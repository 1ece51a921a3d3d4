#include "tests/testing/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace rampart::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempPath(absl::string_view what) {
  const char* base = getenv("TEST_TMPDIR");
  std::string tmpl = absl::StrCat(base ? base : "/tmp", "/rampart-", what, "-XXXXXX");
  int fd = mkstemp(tmpl.data());
  if (fd >= 0) close(fd);
  return tmpl;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Spawns argv with stdin/stdout/stderr redirected to the given fds.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
            int in_fd, int out_fd, int err_fd) {
  std::vector<std::string> args = argv;
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& e : extra_env) env.push_back(e);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  auto cargs = CStrings(args);
  auto cenv = CStrings(env);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0].c_str(), &actions, nullptr, cargs.data(), cenv.data()) != 0) {
    pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         const std::string& input, absl::Duration timeout) {
  CommandResult result;
  const std::string in_path = TempPath("in");
  const std::string out_path = TempPath("out");
  const std::string err_path = TempPath("err");
  std::ofstream(in_path, std::ios::binary) << input;
  int in_fd = open(in_path.c_str(), O_RDONLY);
  int out_fd = open(out_path.c_str(), O_WRONLY | O_TRUNC);
  int err_fd = open(err_path.c_str(), O_WRONLY | O_TRUNC);
  pid_t pid = Spawn(argv, env, in_fd, out_fd, err_fd);
  close(in_fd);
  close(out_fd);
  close(err_fd);
  if (pid > 0) {
    const absl::Time deadline = absl::Now() + timeout;
    int status = 0;
    for (;;) {
      pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        result.exit_code = ExitCode(status);
        break;
      }
      if (absl::Now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        result.err = "(timed out)\n";
        break;
      }
      absl::SleepFor(absl::Milliseconds(2));  // polling a child, not waiting for time to pass
    }
  }
  result.out = ReadFile(out_path);
  result.err += ReadFile(err_path);
  unlink(in_path.c_str());
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return result;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& binary, const std::string& data_dir,
    const std::vector<std::string>& extra_args, absl::Duration timeout) {
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  std::vector<std::string> argv = {binary, "--listen", "127.0.0.1:0", "--data_dir", data_dir};
  // HTTP on a free port too, unless the test says where (empty: none).
  bool expect_http = true;
  bool http_given = false;
  for (size_t i = 0; i < extra_args.size(); ++i) {
    const std::string& a = extra_args[i];
    if (a == "--http-listen" || a == "--http_listen") {
      http_given = true;
      expect_http = i + 1 < extra_args.size() && !extra_args[i + 1].empty();
    } else if (absl::StartsWith(a, "--http-listen=") || absl::StartsWith(a, "--http_listen=")) {
      http_given = true;
      expect_http = a.back() != '=';
    }
  }
  if (!http_given) argv.insert(argv.end(), {"--http-listen", "127.0.0.1:0"});
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  server->data_dir_ = data_dir;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  server->stderr_path_ = TempPath("rampartd-stderr");
  int null_fd = open("/dev/null", O_RDONLY);
  int err_fd = open(server->stderr_path_.c_str(), O_WRONLY | O_TRUNC);
  server->pid_ = Spawn(argv, {}, null_fd, pipe_fds[1], err_fd);
  close(null_fd);
  close(err_fd);
  close(pipe_fds[1]);
  if (server->pid_ <= 0) {
    close(pipe_fds[0]);
    return absl::InternalError(absl::StrCat("cannot start ", binary));
  }
  // Read "rampartd listening on HOST:PORT" and, with HTTP, "rampartd http
  // listening on HOST:PORT".
  std::string line;
  const absl::Time deadline = absl::Now() + timeout;
  const auto lines = [&line] { return std::count(line.begin(), line.end(), '\n'); };
  while (lines() < (expect_http ? 2 : 1)) {
    const int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (ms <= 0 || poll(&p, 1, ms) <= 0) break;
    char buf[256];
    ssize_t n = read(pipe_fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    line.append(buf, n);
  }
  close(pipe_fds[0]);  // later stdout writes go nowhere; rampartd writes only these lines there
  const std::string prefix = "listening on ";
  const size_t at = line.find(prefix);
  if (at == std::string::npos) {
    int status = 0;
    kill(server->pid_, SIGKILL);
    waitpid(server->pid_, &status, 0);
    server->pid_ = -1;
    return absl::UnavailableError(absl::StrCat("rampartd did not start: ", line,
                                               ReadFile(server->stderr_path_)));
  }
  server->address_ = line.substr(at + prefix.size(), line.find('\n') - at - prefix.size());
  const std::string http_prefix = "http listening on ";
  if (const size_t h = line.find(http_prefix); h != std::string::npos) {
    const size_t from = h + http_prefix.size();
    server->http_address_ = line.substr(from, line.find('\n', from) - from);
  } else if (expect_http) {
    return absl::UnavailableError(
        absl::StrCat("rampartd did not say its http port: ", line, ReadFile(server->stderr_path_)));
  }
  return server;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGKILL);
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return ExitCode(status);
}

std::string ServerProcess::Stderr() const { return ReadFile(stderr_path_); }

std::string ServerProcess::admin_token() const {
  return std::string(absl::StripAsciiWhitespace(ReadFile(data_dir_ + "/admin.token")));
}

}  // namespace rampart::testing
