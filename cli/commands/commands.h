// The nouns of the `rampart` CLI. Each Add*Commands adds one noun and its
// verbs to the root app; main.cc calls them all. See docs/cli.md.
#ifndef RAMPART_CLI_COMMANDS_COMMANDS_H_
#define RAMPART_CLI_COMMANDS_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cli/commands/common.h"
#include "rampart/v1/admin.pb.h"

namespace rampart::cli {

void AddAccountCommands(CLI::App& root, Session& session);  // account.cc, account_import.cc
void AddSegmentCommands(CLI::App& root, Session& session);  // segment.cc
void AddFlagCommands(CLI::App& root, Session& session);     // flag*.cc
void AddAuditCommands(CLI::App& root, Session& session);    // audit.cc
void AddEvalCommand(CLI::App& root, Session& session);      // eval.cc
void AddRampCommands(CLI::App& root, Session& session);     // ramp*.cc
void AddCalendarCommands(CLI::App& root, Session& session); // calendar.cc
void AddFreezeCommands(CLI::App& root, Session& session);   // freeze.cc
void AddSupportCommands(CLI::App& root, Session& session);  // support.cc
void AddTokenCommands(CLI::App& root, Session& session);    // token.cc (and `whoami`)

// `account import FILE`, added under the `account` noun (account_import.cc).
void AddAccountImportVerb(CLI::App* account, Session& session);

// Table printers one noun lends another: accounts for `segment members`,
// segments for `account segments`.
void PrintAccountTable(const v1::ListAccountsResponse& response);  // account.cc
void PrintSegmentTable(const v1::ListSegmentsResponse& response);  // segment.cc

}  // namespace rampart::cli

#endif  // RAMPART_CLI_COMMANDS_COMMANDS_H_
