// rampart: the command-line client of rampartd, for release managers,
// engineers and support. `rampart NOUN VERB ...`; every verb has --help.
// The verbs live in cli/commands/, one file a noun; docs/cli.md is the
// reference.
//
// Exit codes: 0 ok, 1 error (one line on stderr), 2 usage error, 3 `account
// import` with rejected rows. Nothing is thrown out of main.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "absl/strings/ascii.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "core/common/status_macros.h"

namespace rampart::cli {
namespace {

inline constexpr char kDefaultServer[] = "127.0.0.1:7311";

// $RAMPART_ACTOR, else $USER, else "unknown".
std::string DefaultActor() {
  for (const char* name : {"RAMPART_ACTOR", "USER"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "unknown";
}

void AddGlobalOptions(CLI::App& app, GlobalOptions& globals) {
  globals.server = kDefaultServer;
  globals.actor = DefaultActor();
  app.add_option("--server", globals.server,
                 "rampartd's address HOST:PORT (default: $RAMPART_SERVER, else 127.0.0.1:7311)")
      ->envname("RAMPART_SERVER");
  app.add_option("--output", globals.output,
                 "table (for people) or json: the response message in protobuf's JSON mapping "
                 "(proto field names, every field printed, indented); that JSON follows the "
                 "versioned rampart.v1 protos, so scripts can rely on it (default: "
                 "$RAMPART_OUTPUT, else table)")
      ->envname("RAMPART_OUTPUT")
      ->check(CLI::IsMember({"table", "json"}));
  app.add_option("--actor", globals.actor,
                 "Who makes the change, recorded in the audit log (default: $RAMPART_ACTOR, "
                 "else $USER, else \"unknown\")");
  app.add_option("--token", globals.token,
                 "API token sent as `authorization: Bearer` (default: $RAMPART_TOKEN); its role "
                 "decides what you may do and its name is the audit log's actor")
      ->envname("RAMPART_TOKEN");
  app.add_option("--token-file", globals.token_file,
                 "Read the token from this file, e.g. DATA_DIR/admin.token (default: "
                 "$RAMPART_TOKEN_FILE)")
      ->envname("RAMPART_TOKEN_FILE");
  app.add_flag("--tls", globals.tls, "Connect with TLS, trusting the system's roots");
  app.add_option("--tls-ca-file", globals.tls_ca_file,
                 "Connect with TLS, trusting this PEM certificate (default: $RAMPART_TLS_CA_FILE)")
      ->envname("RAMPART_TLS_CA_FILE");
  app.add_option("--timeout", globals.timeout_seconds,
                 "Deadline of each call to rampartd, in seconds (for `account import`: of the "
                 "whole upload)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

// The --token-file (when no --token) and the --tls-ca-file, read before
// any call.
absl::Status ReadCredentialFiles(GlobalOptions& globals) {
  if (globals.token.empty() && !globals.token_file.empty()) {
    ASSIGN_OR_RETURN(std::string token, ReadTextFile("--token-file", globals.token_file));
    globals.token = std::string(absl::StripAsciiWhitespace(token));
    if (globals.token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file ", globals.token_file, ": the file is empty"));
    }
  }
  if (!globals.tls_ca_file.empty()) {
    ASSIGN_OR_RETURN(globals.tls_ca_pem, ReadTextFile("--tls-ca-file", globals.tls_ca_file));
  }
  return absl::OkStatus();
}

// "rampart flag override set": the deepest command the parser reached, for
// the hint after a usage error.
std::string CommandPath(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* at = &app;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  return path;
}

int Main(int argc, char** argv) {
  CLI::App app("rampart: manage flags, segments, accounts and rollouts on rampartd", "rampart");
  app.footer(
      "Exit codes: 0 ok, 1 error, 2 usage error, 3 account import rejected rows.\n"
      "Run 'rampart NOUN VERB --help' for a verb's options; see docs/cli.md.");
  // Global options may also follow the verb: `rampart flag get x --output json`.
  app.fallthrough();
  app.require_subcommand(1);

  GlobalOptions globals;
  AddGlobalOptions(app, globals);
  Session session(globals);
  AddAccountCommands(app, session);
  AddSegmentCommands(app, session);
  AddFlagCommands(app, session);
  AddRampCommands(app, session);
  AddCalendarCommands(app, session);
  AddFreezeCommands(app, session);
  AddAuditCommands(app, session);
  AddEvalCommand(app, session);
  AddSupportCommands(app, session);
  AddTokenCommands(app, session);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help
    }
    std::cerr << "rampart: error: " << e.what() << "\nRun '" << CommandPath(app)
              << " --help' for more information.\n";
    return kExitUsage;
  }
  if (absl::Status s = ReadCredentialFiles(globals); !s.ok()) {
    std::cerr << "rampart: error: " << s.message() << "\n";
    return kExitError;
  }
  return session.RunPickedVerb();
}

}  // namespace
}  // namespace rampart::cli

int main(int argc, char** argv) {
  try {
    return rampart::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "rampart: error: internal: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "rampart: error: internal: unknown exception\n";
  }
  return rampart::cli::kExitError;
}
