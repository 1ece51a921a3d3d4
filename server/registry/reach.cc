// Registry: whom a change reaches (issue 5, "every mutating command shows
// whom it reaches"). For the flags a committed change wrote (its audit
// entries), every registry account is evaluated with the flag as it was and
// as it is, through the engine, freezes aside; the accounts whose value
// changed see it now, unless a freeze window holds them (the schedule the
// SDKs enforce), in which case they see it when their window closes.
// With no revision, the same question without a change: who is frozen now.
#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "google/protobuf/util/json_util.h"
#include "server/registry/freeze_internal.h"
#include "server/registry/ramp_internal.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"
#include "server/storage/encoding.h"

namespace rampart::registry {
namespace {

constexpr int kSample = 10;

// The flags a revision wrote, before and after (absent: null).
struct FlagChange {
  std::optional<v1::Flag> before;
  std::optional<v1::Flag> after;
};
struct RevisionChanges {
  std::map<std::string, FlagChange> flags;
  // The change broke the freeze: it reached frozen accounts at once.
  bool break_freeze = false;
};

absl::StatusOr<RevisionChanges> FlagsChangedAt(const storage::Store& store, int64_t revision) {
  std::string prefix;
  storage::PutBigEndian64(&prefix, static_cast<uint64_t>(revision));
  RevisionChanges out;
  absl::Status error;
  const auto parse = [&](const std::string& json, std::optional<v1::Flag>& into) {
    if (json.empty()) return;
    v1::Flag flag;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(json, &flag, options).ok()) {
      error = absl::DataLossError(
          absl::StrCat("audit entry of revision ", revision, ": the flag does not parse"));
      return;
    }
    into = std::move(flag);
  };
  RETURN_IF_ERROR(store.Scan(
      storage::Cf::kAudit, prefix, "", false, [&](absl::string_view, absl::string_view value) {
        v1::AuditEntry entry;
        if (!entry.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError("audit entry does not parse");
          return false;
        }
        out.break_freeze |= entry.break_freeze();
        if (entry.kind() != v1::OBJECT_KIND_FLAG) return true;
        FlagChange& c = out.flags[entry.object_key()];
        // Several entries of one flag: first before, last after.
        if (!c.before && !c.after) parse(entry.before_json(), c.before);
        c.after.reset();
        parse(entry.after_json(), c.after);
        return error.ok();
      }));
  RETURN_IF_ERROR(error);
  return out;
}

// A snapshot of the registry's accounts and segments with `flags`, without
// freezes: what each account would get with no window open.
std::shared_ptr<const eval::Snapshot> SnapshotWith(const RegistryWorld& world,
                                                   const std::vector<const v1::Flag*>& flags) {
  eval::Snapshot::Builder builder;
  for (const auto& [key, segment] : world.segments) builder.AddSegment(segment);
  for (const v1::Account& a : world.accounts) builder.AddAccount(a);
  for (const v1::Flag* f : flags) builder.AddFlag(*f);
  return std::move(builder).Build();
}

bool SameAnswer(const eval::Evaluation& a, const eval::Evaluation& b) {
  if (a.error != b.error) return false;
  if (a.value == nullptr || b.value == nullptr) return a.value == b.value;
  return a.value->SerializeAsString() == b.value->SerializeAsString();
}

}  // namespace

absl::StatusOr<v1::Reach> Registry::DescribeReach(const v1::ReachRequest& req) const {
  if (req.revision() < 0 || req.revision() > revision()) {
    return absl::InvalidArgumentError(absl::StrCat("revision: ", req.revision(),
                                                   " is not a committed revision (the store is at ",
                                                   revision(), ")"));
  }
  const absl::Time now = clock_.Now();
  const std::shared_ptr<const v1::FreezeSchedule> schedule = freeze_schedule();
  ASSIGN_OR_RETURN(const RegistryWorld world, LoadWorld(store_));

  v1::Reach out;
  out.set_revision(req.revision());
  *out.mutable_at() = rampart::ToProto(now);
  std::vector<std::string> changed;  // accounts whose value the change changed
  const std::vector<std::string>* only = nullptr;
  bool broke = false;
  if (req.revision() > 0) {
    ASSIGN_OR_RETURN(const RevisionChanges changes, FlagsChangedAt(store_, req.revision()));
    const std::map<std::string, FlagChange>& flags = changes.flags;
    broke = changes.break_freeze;
    std::vector<const v1::Flag*> before, after;
    for (const auto& [key, c] : flags) {
      out.add_flags(key);
      if (c.before) before.push_back(&*c.before);
      if (c.after) after.push_back(&*c.after);
    }
    const auto snap_before = SnapshotWith(world, before);
    const auto snap_after = SnapshotWith(world, after);
    for (const v1::Account& a : world.accounts) {
      const eval::Context context{a.key(), "", nullptr};
      for (const auto& [key, c] : flags) {
        if (!SameAnswer(eval::Evaluate(*snap_before, key, context, now),
                        eval::Evaluate(*snap_after, key, context, now))) {
          changed.push_back(a.key());
          break;
        }
      }
    }
    only = &changed;
  }
  // A change that broke the freeze holds nobody back.
  const absl::flat_hash_map<std::string, HeldBy> held =
      broke ? absl::flat_hash_map<std::string, HeldBy>()
            : FrozenAccounts(*schedule, world, now, only);

  // Group the held accounts by window; the others see the change now.
  using WindowKey = std::tuple<const v1::SegmentFreezeWindows*, const v1::FreezeWindow*>;
  std::map<WindowKey, std::vector<std::string>> by_window;
  const auto count_now = [&](const std::string& key) {
    if (out.now_sample_size() < kSample) out.add_now_sample(key);
    out.set_now(out.now() + 1);
  };
  if (only != nullptr) {
    for (const std::string& key : changed) {
      auto it = held.find(key);
      if (it == held.end()) {
        count_now(key);
      } else {
        by_window[{it->second.list, it->second.window}].push_back(key);
      }
    }
  } else {
    for (const auto& [key, h] : held) by_window[{h.list, h.window}].push_back(key);
  }
  std::vector<v1::HeldAccounts> groups;
  for (auto& [k, keys] : by_window) {
    const auto& [list, window] = k;
    std::sort(keys.begin(), keys.end());
    v1::HeldAccounts g;
    g.set_segment(list->segment());
    g.set_time_zone(list->time_zone());
    g.set_calendar(window->calendar());
    g.set_rule(window->rule());
    *g.mutable_until() = window->end();
    g.set_accounts(static_cast<int>(keys.size()));
    for (int i = 0; i < static_cast<int>(keys.size()) && i < kSample; ++i) g.add_sample(keys[i]);
    out.set_held(out.held() + g.accounts());
    groups.push_back(std::move(g));
  }
  std::sort(groups.begin(), groups.end(), [](const v1::HeldAccounts& a, const v1::HeldAccounts& b) {
    return std::make_tuple(FromProto(a.until()), a.segment(), a.time_zone()) <
           std::make_tuple(FromProto(b.until()), b.segment(), b.time_zone());
  });
  for (auto& g : groups) *out.add_held_by_window() = std::move(g);
  return out;
}

}  // namespace rampart::registry
