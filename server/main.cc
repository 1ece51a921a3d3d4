// rampartd: the Rampart server. Keeps the release model in RocksDB under
// --data-dir and serves it over gRPC on --listen.
//
//   rampartd --listen 127.0.0.1:7311 --http-listen 127.0.0.1:7312 --data-dir ./data
//            [--demo] [--sdk-keys k1,k2] [--tls-cert-file F --tls-key-file F]
//   rampartd --flagfile=/etc/rampart/rampartd.flags
//
// The first line on stdout is "rampartd listening on HOST:PORT" (with the
// port actually bound, useful with port 0), the second "rampartd http
// listening on HOST:PORT" (when HTTP is served). Every call needs an API
// token (docs/access.md); a new data dir gets an admin token in
// DATA_DIR/admin.token. Requests are logged as JSON lines
// on stderr. SIGTERM or SIGINT shuts down gracefully (open SDK Watch streams
// are ended with UNAVAILABLE at once).
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/clock.h"
#include "server/demo/demo_data.h"
#include "server/registry/registry.h"
#include "server/rpc/server.h"
#include "server/scheduler/scheduler.h"
#include "server/storage/store.h"
#include "server/stream/publisher.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7311",
          "HOST:PORT to serve gRPC on; port 0 picks a free port");
ABSL_FLAG(std::string, data_dir, "./data", "directory of the RocksDB data (created if missing)");
ABSL_FLAG(bool, demo, false, "load the demo data set when the data dir is new");
ABSL_FLAG(bool, log_requests, true, "log one JSON line per request on stderr");
ABSL_FLAG(std::vector<std::string>, sdk_keys, {},
          "comma-separated static tokens of role sdk, for apps' SDKs (metadata "
          "`authorization: Bearer <key>`), besides the API tokens stored with `rampart token "
          "create`");
ABSL_FLAG(bool, auth, true,
          "every call needs an API token whose role allows it (docs/access.md); on a data dir "
          "without an admin token, one is created and written to DATA_DIR/admin.token. "
          "--auth=false: no tokens, every caller is an admin (a laptop only)");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:7312",
          "HOST:PORT of the HTTP/JSON API and the web console; port 0 picks a free port; "
          "empty: not served");
ABSL_FLAG(std::string, console_dir, "",
          "serve the console's files from this directory instead of the compiled-in ones");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain: with --tls-key-file, both ports serve TLS only");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls-cert-file");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "on SIGTERM, how long calls in flight may take to finish");

namespace {

int Fail(const std::string& message) {
  std::cerr << "rampartd: " << message << std::endl;
  return 1;
}

// Flags are documented with dashes (--data-dir) as people type them; Abseil
// spells them with underscores. Accept both.
void NormalizeFlagNames(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* a = argv[i];
    if (a[0] != '-' || a[1] != '-') continue;
    for (char* c = a + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
}

// A data dir without an admin token in force gets one, written to
// DATA_DIR/admin.token (mode 0600), the way to the first `rampart token
// create`. Only its hash is stored.
absl::Status WriteAdminTokenIfNone(rampart::registry::Registry& registry,
                                   const std::string& data_dir) {
  absl::StatusOr<std::optional<std::string>> token = registry.EnsureAdminToken();
  if (!token.ok()) return token.status();
  if (!token->has_value()) return absl::OkStatus();
  const std::string path = data_dir + "/admin.token";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string line = **token + "\n";
  if (fd < 0 || write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    if (fd >= 0) close(fd);
    return absl::InternalError(absl::StrCat(path, ": cannot write the admin token"));
  }
  close(fd);
  std::cerr << "rampartd: created an admin token (shown once): it is in " << path
            << "; use it with `rampart --token-file " << path << "` and keep it safe" << std::endl;
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  NormalizeFlagNames(argc, argv);
  absl::SetProgramUsageMessage(
      "the Rampart feature-flag server.\n"
      "  rampartd --listen 127.0.0.1:7311 --data-dir ./data [--demo] [--sdk-keys k1,k2]");
  absl::ParseCommandLine(argc, argv);

  // Block the shutdown signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed stdout or client must not kill the server

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Fail(absl::StrCat("--data-dir ", data_dir, ": ", ec.message()));

  auto store = rampart::storage::Store::Open({data_dir});
  if (!store.ok()) return Fail(std::string(store.status().message()));
  rampart::Clock& clock = rampart::RealClock::Get();
  auto registry = rampart::registry::Registry::Open(**store, clock);
  if (!registry.ok()) return Fail(std::string(registry.status().message()));

  if (absl::GetFlag(FLAGS_demo) && (*store)->created()) {
    if (absl::Status s = rampart::demo::LoadDemoData(**registry); !s.ok()) {
      return Fail(absl::StrCat("loading the demo data: ", s.message()));
    }
  }

  // After the demo data, before serving: the view starts at the revision the
  // store has, and every later commit reaches it, in order.
  auto publisher = rampart::stream::Publisher::Create(**store, (*registry)->revision());
  if (!publisher.ok()) {
    return Fail(absl::StrCat("loading the SDK view: ", publisher.status().message()));
  }
  (*registry)->SetChangeListener(publisher->get());

  rampart::rpc::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.log_requests = absl::GetFlag(FLAGS_log_requests);
  options.publisher = publisher->get();
  for (const std::string& key : absl::GetFlag(FLAGS_sdk_keys)) {
    if (!key.empty()) options.sdk_keys.push_back(key);
  }
  options.require_tokens = absl::GetFlag(FLAGS_auth);
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.console_dir = absl::GetFlag(FLAGS_console_dir);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  if (options.require_tokens) {
    if (absl::Status s = WriteAdminTokenIfNone(**registry, data_dir); !s.ok()) {
      return Fail(std::string(s.message()));
    }
  } else {
    std::cerr << "rampartd: warning: --auth=false: every caller who can reach " << options.listen
              << (options.http_listen.empty() ? "" : " or " + options.http_listen) << " is an admin"
              << std::endl;
  }
  auto server = rampart::rpc::Server::Start(**registry, clock, options);
  if (!server.ok()) return Fail(std::string(server.status().message()));
  // Catches up at once with the steps that fell due while the server was
  // down, then keeps the ramps moving.
  rampart::scheduler::Scheduler scheduler(**registry, clock);
  scheduler.Start();

  // The host part as given, with the port actually bound.
  std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::cout << "rampartd listening on " << host << ":" << (*server)->port() << std::endl;
  if ((*server)->http_port() != 0) {
    const std::string http_host = options.http_listen.substr(0, options.http_listen.rfind(':'));
    std::cout << "rampartd http listening on " << http_host << ":" << (*server)->http_port()
              << std::endl;
  }
  std::cerr << "rampartd: data dir " << data_dir << ", revision " << (*registry)->revision()
            << ", schema " << (*store)->schema_version()
            << ((*store)->created() ? " (new)" : "") << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "rampartd: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
            << ", shutting down" << std::endl;
  scheduler.Stop();
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  server->reset();
  (*registry)->SetChangeListener(nullptr);
  registry->reset();
  publisher->reset();
  store->reset();  // closes RocksDB
  std::cerr << "rampartd: stopped" << std::endl;
  return 0;
}
