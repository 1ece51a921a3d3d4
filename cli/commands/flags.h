// What the `flag` verbs share: flag.cc (create, get, list, update, archive),
// flag_targeting.cc (overrides and rules) and flag_rollout.cc (percentage
// rollouts). Internal to cli/commands.
#ifndef RAMPART_CLI_COMMANDS_FLAGS_H_
#define RAMPART_CLI_COMMANDS_FLAGS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
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

// `flag "KEY": WHAT (revision N)`, the confirmation line of a targeting change.
std::string FlagChanged(const v1::Flag& flag, absl::string_view what);

// "r1: in beta or pilot where plan == pro -> on  (description)".
std::string FormatRule(const v1::Rule& rule);
// "acme -> off until 2026-12-15T00:00:00Z, deferral: \"reason\" (alice)".
std::string FormatOverride(const v1::Override& override);

// `flag override ...` and `flag rule ...` (flag_targeting.cc).
void AddOverrideCommands(CLI::App* flag, Session& session);
void AddRuleCommands(CLI::App* flag, Session& session);

// `flag rollout ...` (flag_rollout.cc).
void AddRolloutCommands(CLI::App* flag, Session& session);

// A percentage as people type it ("25", "12.345", "0.5%") in thousandths of
// a percent (25000, 12345, 500), read digit by digit, so no floating-point
// rounding. INVALID_ARGUMENT (the message quotes `text`) unless it is 0 to
// 100 with at most 3 decimals.
absl::StatusOr<uint32_t> ParsePercent(absl::string_view text);
// Thousandths of a percent as the shortest exact decimal: 25000 -> "25",
// 12500 -> "12.5", 1 -> "0.001".
std::string FormatPercent(uint32_t weight);
// `on 25 %, off 75 % by account (salt "x")`; "-" when the flag has no rollout.
std::string FormatRollout(const v1::Flag& flag);

}  // namespace rampart::cli

#endif  // RAMPART_CLI_COMMANDS_FLAGS_H_
