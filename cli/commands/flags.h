// What the `flag` verbs share: flag.cc (create, get, list, update, archive)
// and flag_targeting.cc (overrides and rules). Internal to cli/commands.
#ifndef RAMPART_CLI_COMMANDS_FLAGS_H_
#define RAMPART_CLI_COMMANDS_FLAGS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/commands/common.h"
#include "rampart/v1/model.pb.h"

namespace rampart::cli {

absl::StatusOr<v1::Flag> GetFlag(Session& session, const std::string& key);
absl::StatusOr<v1::Flag> PutFlag(Session& session, const v1::WriteMeta& meta, const v1::Flag& flag);
// GET the flag, `modify` it, PutFlag it with the expected revision (see
// ReadModifyWrite). Returns the flag as written.
absl::StatusOr<v1::Flag> UpdateFlag(Session& session, const std::string& key,
                                    const WriteOptions& write,
                                    const std::function<absl::Status(v1::Flag&)>& modify);

// INVALID_ARGUMENT naming `option` unless `flag` has a variant `name`.
absl::Status CheckVariantExists(absl::string_view option, const v1::Flag& flag,
                                const std::string& name);

// "r1: in beta or pilot where plan == pro -> on  (description)".
std::string FormatRule(const v1::Rule& rule);
// "acme -> off until 2026-12-15T00:00:00Z, deferral: \"reason\" (alice)".
std::string FormatOverride(const v1::Override& override);

// `flag override ...` and `flag rule ...` (flag_targeting.cc).
void AddOverrideCommands(CLI::App* flag, Session& session);
void AddRuleCommands(CLI::App* flag, Session& session);

}  // namespace rampart::cli

#endif  // RAMPART_CLI_COMMANDS_FLAGS_H_
