// Registry: freeze calendars (issue 5; docs/freezes.md). A calendar holds
// freeze rules (core/freeze) in the API's terms (model.proto, "Freeze
// calendars") and is attached to segments or to every account. The registry
// keeps the FreezeSchedule the SDKs enforce (the windows of the coming
// weeks, per segment and zone, core/freeze/schedule.h), recomputed with every
// change of its inputs and daily, and answers the release manager's
// questions: which windows a segment or an account has, whether an account
// is frozen now, and the same as an iCalendar feed.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "core/eval/freeze_view.h"
#include "core/freeze/ics.h"
#include "core/freeze/presets.h"
#include "core/freeze/rule_proto.h"
#include "core/freeze/schedule.h"
#include "core/freeze/windows.h"
#include "core/ramp/planner.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/registry/freeze_internal.h"
#include "server/registry/ramp_internal.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

constexpr absl::string_view kSchedulerActor = "scheduler";
// The longest range ListFreezeWindows and ExportFreezeIcs answer for.
constexpr absl::Duration kMaxRange = absl::Hours(24 * 400);

// A rule of a calendar as it applies to a segment or an account: its zone
// set to the effective one.
struct Applied {
  std::string calendar;
  std::string segment;  // "" for a calendar attached globally
  freeze::FreezeRule rule;
};

bool Attached(const v1::FreezeCalendar& cal, absl::string_view segment) {
  return std::find(cal.segments().begin(), cal.segments().end(), segment) != cal.segments().end();
}

// Checks a calendar (CalendarRulesFromProto) and that the segments it is
// attached to exist.
absl::StatusOr<std::vector<freeze::FreezeRule>> CheckCalendar(const storage::Store& store,
                                                              const v1::FreezeCalendar& cal) {
  ASSIGN_OR_RETURN(std::vector<freeze::FreezeRule> rules, freeze::CalendarRulesFromProto(cal));
  for (int i = 0; i < cal.segments_size(); ++i) {
    ASSIGN_OR_RETURN(auto segment, LoadObject<v1::Segment>(store, cal.segments(i)));
    if (!segment) {
      return absl::InvalidArgumentError(absl::StrCat(
          "calendar.segments[", i, "]: ", Describe<v1::Segment>(cal.segments(i)), " not found"));
    }
  }
  return rules;
}

// Adds the rules of `cal` with their zone set to `zone` (empty: their own).
absl::Status AddApplied(const v1::FreezeCalendar& cal, absl::string_view segment,
                        absl::string_view zone, std::vector<Applied>& out) {
  ASSIGN_OR_RETURN(std::vector<freeze::FreezeRule> rules, freeze::CalendarRulesFromProto(cal));
  for (freeze::FreezeRule& rule : rules) {
    if (!zone.empty()) rule.zone = std::string(zone);
    // The same rule in the same zone through two segments makes the same
    // windows: keep the first.
    const bool seen = std::any_of(out.begin(), out.end(), [&](const Applied& a) {
      return a.calendar == cal.key() && a.rule.name == rule.name && a.rule.zone == rule.zone;
    });
    if (!seen) out.push_back(Applied{cal.key(), std::string(segment), std::move(rule)});
  }
  return absl::OkStatus();
}

// The rules that apply to a segment: its calendars' and the global ones, in
// the segment's zone (else each rule's).
absl::StatusOr<std::vector<Applied>> RulesForSegment(const storage::Store& store,
                                                     const v1::Segment& segment) {
  std::vector<Applied> out;
  absl::Status error;
  RETURN_IF_ERROR(ForEachObject<v1::FreezeCalendar>(store, "", [&](v1::FreezeCalendar& cal) {
    if (Attached(cal, segment.key())) {
      error = AddApplied(cal, segment.key(), segment.time_zone(), out);
    } else if (cal.global()) {
      error = AddApplied(cal, "", segment.time_zone(), out);
    }
    return error.ok();
  }));
  RETURN_IF_ERROR(error);
  return out;
}

// The rules that apply to an account, through each segment it is in (and
// the global calendars), in its effective zone: its own, else the
// segment's, else the rule's.
absl::StatusOr<std::vector<Applied>> RulesForAccount(const storage::Store& store,
                                                     const v1::Account& account) {
  std::vector<v1::Segment> segments;
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store, "", [&](v1::Segment& s) {
    if (eval::SegmentContains(s, account.key(), &account, nullptr))
      segments.push_back(std::move(s));
    return true;
  }));
  std::vector<Applied> out;
  absl::Status error;
  RETURN_IF_ERROR(ForEachObject<v1::FreezeCalendar>(store, "", [&](v1::FreezeCalendar& cal) {
    if (cal.global()) {
      error = AddApplied(cal, "", account.time_zone(), out);
      return error.ok();
    }
    for (const v1::Segment& s : segments) {
      if (!Attached(cal, s.key())) continue;
      const std::string& zone = !account.time_zone().empty() ? account.time_zone() : s.time_zone();
      error = AddApplied(cal, s.key(), zone, out);
      if (!error.ok()) return false;
    }
    return true;
  }));
  RETURN_IF_ERROR(error);
  // A one-off rule for named accounts applies only to them.
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const Applied& a) {
                             return !a.rule.accounts.empty() &&
                                    std::find(a.rule.accounts.begin(), a.rule.accounts.end(),
                                              account.key()) == a.rule.accounts.end();
                           }),
            out.end());
  return out;
}

std::string FormatLocal(absl::Time t, absl::string_view zone) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(std::string(zone), &tz)) tz = absl::UTCTimeZone();
  return absl::FormatTime("%Y-%m-%d %H:%M", t, tz);
}

v1::FreezeWindowView ViewOf(const Applied& a, const freeze::Window& w) {
  v1::FreezeWindowView v;
  v.set_calendar(a.calendar);
  v.set_rule(a.rule.name);
  v.set_segment(a.segment);
  *v.mutable_start() = rampart::ToProto(w.start);
  *v.mutable_end() = rampart::ToProto(w.end);
  v.set_time_zone(a.rule.zone);
  v.set_local_start(FormatLocal(w.start, a.rule.zone));
  v.set_local_end(FormatLocal(w.end, a.rule.zone));
  for (const absl::CivilDay& d : w.days) v.add_days(absl::FormatCivilTime(d));
  for (const std::string& account : a.rule.accounts) v.add_accounts(account);
  return v;
}

// The windows of `rules` overlapping [from, to), sorted by start, then
// calendar and rule.
absl::StatusOr<std::vector<v1::FreezeWindowView>> WindowViews(const storage::Store& store,
                                                              const std::vector<Applied>& rules,
                                                              absl::Time from, absl::Time to) {
  ASSIGN_OR_RETURN(const calendar::ProductionCalendar cal, LoadWorkingCalendar(store, nullptr));
  std::vector<v1::FreezeWindowView> out;
  for (const Applied& a : rules) {
    ASSIGN_OR_RETURN(const std::vector<freeze::Window> windows,
                     freeze::Windows(a.rule, cal, from, to));
    for (const freeze::Window& w : windows) out.push_back(ViewOf(a, w));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    const absl::Time xs = FromProto(x.start()), ys = FromProto(y.start());
    if (xs != ys) return xs < ys;
    return std::tie(x.calendar(), x.rule(), x.segment()) <
           std::tie(y.calendar(), y.rule(), y.segment());
  });
  return out;
}

struct Range {
  absl::Time from;
  absl::Time to;
};

absl::StatusOr<Range> RangeOf(const google::protobuf::Timestamp& from,
                              const google::protobuf::Timestamp& to, absl::Time now,
                              absl::Duration default_length) {
  Range r{IsSet(from) ? FromProto(from) : now, absl::InfiniteFuture()};
  r.to = IsSet(to) ? FromProto(to) : r.from + default_length;
  if (r.to <= r.from) return absl::InvalidArgumentError("to: must be after from");
  if (r.to - r.from > kMaxRange) {
    return absl::InvalidArgumentError("to: at most 400 days after from");
  }
  return r;
}

// Loads a calendar to change, or (create) a new one named `key` in `zone`.
absl::StatusOr<std::optional<v1::FreezeCalendar>> LoadForChange(const storage::Store& store,
                                                                const Transaction& tx,
                                                                absl::string_view key) {
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("calendar", key));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::FreezeCalendar>(store, key));
  // 0 changes whatever the calendar holds: these calls only add or remove
  // the named parts, and a clash is refused anyway.
  if (current && tx.meta().expected_revision() != 0 &&
      tx.meta().expected_revision() != current->revision()) {
    return absl::AbortedError(absl::StrCat(
        Describe<v1::FreezeCalendar>(key), ": revision ", tx.meta().expected_revision(),
        " is stale, it is now at revision ", current->revision()));
  }
  return current;
}

// The same for a calendar that must exist: NOT_FOUND when it does not.
absl::StatusOr<v1::FreezeCalendar> LoadExistingForChange(const storage::Store& store,
                                                         const Transaction& tx,
                                                         absl::string_view key) {
  ASSIGN_OR_RETURN(std::optional<v1::FreezeCalendar> current, LoadForChange(store, tx, key));
  if (!current) {
    return absl::NotFoundError(absl::StrCat(Describe<v1::FreezeCalendar>(key), " not found"));
  }
  return std::move(*current);
}

// An attach or detach names segments, or everyone.
absl::Status CheckAttachment(const v1::AttachFreezeCalendarRequest& req) {
  if (req.segments().empty() && !req.global()) {
    return absl::InvalidArgumentError("segments: name a segment, or global");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::FreezeCalendar> StoreChange(const storage::Store& store, Transaction& tx,
                                               const v1::FreezeCalendar* before,
                                               v1::FreezeCalendar after) {
  RETURN_IF_ERROR(CheckCalendar(store, after).status());
  tx.Put(before, after);
  RETURN_IF_ERROR(tx.Commit().status());
  return after;
}

}  // namespace

// --- The schedule -------------------------------------------------------------

absl::Status Registry::LoadFreezeState() {
  ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Cf::kMeta, storage::kMetaFreezeSchedule));
  if (raw.has_value()) {
    auto schedule = std::make_shared<v1::FreezeSchedule>();
    if (!schedule->ParseFromString(*raw)) {
      return absl::DataLossError("meta.freeze_schedule: stored record does not parse");
    }
    absl::MutexLock lock(&schedule_mu_);
    schedule_ = std::move(schedule);
  }
  {
    absl::MutexLock lock(&write_mu_);
    RETURN_IF_ERROR(ForEachObject<v1::Account>(store_, "", [&](const v1::Account& a) {
      if (!a.time_zone().empty()) account_zones_.insert(a.time_zone());
      return true;
    }));
  }
  // Catch up with changes a crash separated from their schedule, and with
  // the time the server was down. Nothing is written when nothing changed
  // (the commit then only restates the store revision).
  v1::WriteMeta meta;
  meta.set_actor(std::string(kSchedulerActor));
  meta.set_reason("freeze windows recomputed at start");
  Transaction tx(*this, meta, "freeze.schedule");
  if (std::optional<std::string> bytes = RecomputeFreezeSchedule(tx.now(), false)) {
    return tx.Commit().status();
  }
  return absl::OkStatus();
}

std::shared_ptr<const v1::FreezeSchedule> Registry::freeze_schedule() const {
  absl::MutexLock lock(&schedule_mu_);
  return schedule_;
}

bool Registry::NoteAccountZone(const std::string& zone) {
  return account_zones_.insert(zone).second;
}

absl::StatusOr<v1::FreezeSchedule> ScheduleOf(const calendar::ProductionCalendar& working_days,
                                               const std::vector<v1::FreezeCalendar>& calendars,
                                               const std::vector<v1::Segment>& segments,
                                               std::vector<std::string> zones, absl::Time from,
                                               absl::Time to) {
  freeze::ScheduleInput in;
  in.working_days = &working_days;
  in.from = from;
  in.to = to;
  absl::flat_hash_map<std::string, std::string> segment_zones;
  for (const v1::Segment& s : segments) segment_zones[s.key()] = s.time_zone();
  zones.push_back("");
  for (const v1::FreezeCalendar& c : calendars) {
    absl::StatusOr<std::vector<freeze::FreezeRule>> rules = freeze::CalendarRulesFromProto(c);
    if (!rules.ok()) {
      return absl::DataLossError(absl::StrCat(Describe<v1::FreezeCalendar>(c.key()),
                                              ": stored rules do not load: ",
                                              rules.status().message()));
    }
    freeze::AttachedCalendar attached;
    attached.key = c.key();
    attached.rules = std::move(*rules);
    attached.global = c.global();
    if (c.global()) {
      in.zones_by_segment[""] = zones;
    } else {
      for (const std::string& s : c.segments()) {
        auto it = segment_zones.find(s);
        if (it == segment_zones.end()) continue;  // a deleted segment freezes nobody
        attached.segments.push_back(s);
        std::vector<std::string>& z = in.zones_by_segment[s];
        z = zones;
        z.push_back(it->second);
      }
    }
    in.calendars.push_back(std::move(attached));
  }
  return freeze::BuildSchedule(in);
}

absl::StatusOr<v1::FreezeSchedule> Registry::ComputeFreezeSchedule(absl::Time now) const {
  ASSIGN_OR_RETURN(const calendar::ProductionCalendar cal, LoadWorkingCalendar(store_, nullptr));
  std::vector<v1::Segment> segments;
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store_, "", [&](v1::Segment& s) {
    segments.push_back(std::move(s));
    return true;
  }));
  std::vector<v1::FreezeCalendar> calendars;
  RETURN_IF_ERROR(ForEachObject<v1::FreezeCalendar>(store_, "", [&](v1::FreezeCalendar& c) {
    calendars.push_back(std::move(c));
    return true;
  }));
  // Every zone an account has (a list for a zone without members of the
  // segment costs a few windows; finding the members would cost a scan).
  return ScheduleOf(cal, calendars, segments, {account_zones_.begin(), account_zones_.end()}, now,
                    now + kFreezeHorizon);
}

std::optional<std::string> Registry::RecomputeFreezeSchedule(absl::Time now, bool force) {
  absl::StatusOr<v1::FreezeSchedule> next = ComputeFreezeSchedule(now);
  if (!next.ok()) {
    std::fprintf(stderr, "rampartd: freeze schedule not recomputed: %s\n",
                 std::string(next.status().message()).c_str());
    return std::nullopt;
  }
  const std::shared_ptr<const v1::FreezeSchedule> current = freeze_schedule();
  // A window open now whose start the change moved keeps its pins.
  freeze::CarryPinStarts(*current, *next, now);
  v1::FreezeSchedule a = *next, b = *current;
  a.clear_computed_at();
  a.clear_horizon();
  b.clear_computed_at();
  b.clear_horizon();
  const bool same = google::protobuf::util::MessageDifferencer::Equals(a, b);
  // Without any window there is nothing to extend: no daily write.
  if (same && (!force || next->segments().empty())) return std::nullopt;
  std::string bytes = next->SerializeAsString();
  storage::WriteBatch batch;
  batch.Put(storage::Cf::kMeta, storage::kMetaFreezeSchedule, bytes);
  if (absl::Status s = store_.Write(batch); !s.ok()) {
    std::fprintf(stderr, "rampartd: freeze schedule not stored: %s\n",
                 std::string(s.message()).c_str());
    return std::nullopt;
  }
  absl::MutexLock lock(&schedule_mu_);
  schedule_ = std::make_shared<const v1::FreezeSchedule>(std::move(*next));
  return bytes;
}

absl::StatusOr<bool> Registry::RefreshFreezeScheduleIfDue(absl::Time now) {
  {
    const std::shared_ptr<const v1::FreezeSchedule> current = freeze_schedule();
    if (current->segments().empty() && IsSet(current->computed_at())) {
      // No windows: refresh only when a calendar exists (cheap scan).
      bool any = false;
      RETURN_IF_ERROR(ForEachObject<v1::FreezeCalendar>(store_, "", [&](const v1::FreezeCalendar&) {
        any = true;
        return false;
      }));
      if (!any) return false;
    }
    if (IsSet(current->computed_at()) && now < FromProto(current->computed_at()) + kFreezeRefresh) {
      return false;
    }
  }
  v1::WriteMeta meta;
  meta.set_actor(std::string(kSchedulerActor));
  meta.set_reason("freeze windows of the coming weeks recomputed");
  Transaction tx(*this, meta, "freeze.schedule");
  tx.RecomputeSchedule();
  const int64_t before = freeze_schedule()->computed_at().seconds();
  RETURN_IF_ERROR(tx.Commit().status());
  return freeze_schedule()->computed_at().seconds() != before;
}

absl::flat_hash_map<std::string, HeldBy> FrozenAccounts(const v1::FreezeSchedule& schedule,
                                                        const RegistryWorld& world, absl::Time now,
                                                        const std::vector<std::string>* only) {
  absl::flat_hash_map<std::string, HeldBy> out;
  const eval::CompiledFreezes compiled(schedule);
  if (compiled.empty()) return out;
  absl::flat_hash_set<absl::string_view> wanted;
  if (only != nullptr) wanted.insert(only->begin(), only->end());
  for (const v1::Account& account : world.accounts) {
    if (only != nullptr && !wanted.contains(account.key())) continue;
    const auto in_segment = [&](absl::string_view key, int) {
      auto it = world.segments.find(key);
      return it != world.segments.end() &&
             eval::SegmentContains(it->second, account.key(), &account, nullptr);
    };
    const auto segment_zone = [&](absl::string_view key, int) -> absl::string_view {
      auto it = world.segments.find(key);
      return it == world.segments.end() ? absl::string_view() : it->second.time_zone();
    };
    const std::optional<eval::ActiveFreeze> f =
        compiled.Find(account.key(), account.time_zone(), segment_zone, in_segment, now);
    if (f) out[account.key()] = HeldBy{f->list, f->window, f->end};
  }
  return out;
}

// --- Calendars ----------------------------------------------------------------

absl::StatusOr<v1::FreezeCalendar> Registry::PutFreezeCalendar(
    const v1::PutFreezeCalendarRequest& req) {
  Transaction tx(*this, req.meta(), "freeze.calendar.put");
  RETURN_IF_ERROR(tx.ValidateMeta());
  v1::FreezeCalendar cal = req.calendar();
  cal.clear_revision();
  cal.clear_created_at();
  cal.clear_updated_at();
  if (cal.working_calendar().empty()) cal.set_working_calendar("ru");
  RETURN_IF_ERROR(CheckCalendar(store_, cal).status());
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::FreezeCalendar>(store_, cal.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, cal.key(), Expect::kCreateOrReplace));
  tx.Put(current ? &*current : nullptr, cal);
  RETURN_IF_ERROR(tx.Commit().status());
  return cal;
}

absl::StatusOr<v1::FreezeCalendar> Registry::GetFreezeCalendar(absl::string_view key) const {
  RETURN_IF_ERROR(ValidateKey("key", key));
  return GetObject<v1::FreezeCalendar>(store_, key);
}

absl::StatusOr<v1::ListFreezeCalendarsResponse> Registry::ListFreezeCalendars(
    const v1::ListFreezeCalendarsRequest& req) const {
  if (!req.segment().empty()) RETURN_IF_ERROR(ValidateKey("segment", req.segment()));
  v1::ListFreezeCalendarsResponse resp;
  RETURN_IF_ERROR(ForEachObject<v1::FreezeCalendar>(store_, "", [&](v1::FreezeCalendar& c) {
    if (req.segment().empty() || c.global() || Attached(c, req.segment())) {
      *resp.add_calendars() = std::move(c);
    }
    return true;
  }));
  return resp;
}

absl::StatusOr<v1::DeleteResponse> Registry::DeleteFreezeCalendar(
    const v1::DeleteFreezeCalendarRequest& req) {
  Transaction tx(*this, req.meta(), "freeze.calendar.delete");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("key", req.key()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::FreezeCalendar>(store_, req.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, req.key(), Expect::kExisting));
  tx.Delete(*current);
  ASSIGN_OR_RETURN(const int64_t revision, tx.Commit());
  v1::DeleteResponse resp;
  resp.set_revision(revision);
  return resp;
}

absl::StatusOr<v1::FreezeCalendar> Registry::AddFreezeRules(const v1::AddFreezeRulesRequest& req) {
  Transaction tx(*this, req.meta(), "freeze.rules.add");
  ASSIGN_OR_RETURN(std::optional<v1::FreezeCalendar> current,
                   LoadForChange(store_, tx, req.calendar()));
  v1::FreezeCalendar after;
  if (current) {
    after = *current;
  } else {
    if (req.time_zone().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("time_zone: required to create ",
                                                     Describe<v1::FreezeCalendar>(req.calendar()),
                                                     " (an IANA name such as Europe/Moscow)"));
    }
    after.set_key(req.calendar());
    after.set_time_zone(req.time_zone());
    after.set_working_calendar("ru");
  }
  if (!req.description().empty()) after.set_description(req.description());
  if (!req.preset().empty()) {
    if (req.rules_size() > 0) {
      return absl::InvalidArgumentError("rules: give a preset or rules, not both");
    }
    freeze::PresetArgs args;
    args.zone = after.time_zone();
    args.name = req.name();
    if (IsSet(req.at())) args.at = FromProto(req.at());
    args.accounts.assign(req.accounts().begin(), req.accounts().end());
    ASSIGN_OR_RETURN(const std::vector<freeze::FreezeRule> rules,
                     freeze::FromPreset(req.preset(), args));
    for (const freeze::FreezeRule& r : rules) {
      *after.add_rules() = freeze::RuleToProto(r, after.time_zone());
    }
  } else if (req.rules_size() > 0) {
    // Each rule checked on its own first, so an error names its path in
    // this request; clashes with the calendar's rules are checked with it.
    for (int i = 0; i < req.rules_size(); ++i) {
      RETURN_IF_ERROR(
          freeze::RuleFromProto(req.rules(i), after.time_zone(), absl::StrCat("rules[", i, "]"))
              .status());
      *after.add_rules() = req.rules(i);
    }
  } else {
    return absl::InvalidArgumentError("preset: give a preset or rules");
  }
  return StoreChange(store_, tx, current ? &*current : nullptr, std::move(after));
}

absl::StatusOr<v1::FreezeCalendar> Registry::RemoveFreezeRule(
    const v1::RemoveFreezeRuleRequest& req) {
  Transaction tx(*this, req.meta(), "freeze.rules.remove");
  ASSIGN_OR_RETURN(const v1::FreezeCalendar current,
                   LoadExistingForChange(store_, tx, req.calendar()));
  v1::FreezeCalendar after = current;
  auto* rules = after.mutable_rules();
  auto it = std::find_if(rules->begin(), rules->end(),
                         [&](const v1::FreezeRule& r) { return r.name() == req.rule(); });
  if (it == rules->end()) {
    return absl::NotFoundError(absl::StrCat("rule: ", Describe<v1::FreezeCalendar>(req.calendar()),
                                            " has no rule \"", req.rule(), "\""));
  }
  rules->erase(it);
  return StoreChange(store_, tx, &current, std::move(after));
}

absl::StatusOr<v1::FreezeCalendar> Registry::AttachFreezeCalendar(
    const v1::AttachFreezeCalendarRequest& req) {
  Transaction tx(*this, req.meta(), "freeze.calendar.attach");
  ASSIGN_OR_RETURN(const v1::FreezeCalendar current,
                   LoadExistingForChange(store_, tx, req.calendar()));
  RETURN_IF_ERROR(CheckAttachment(req));
  v1::FreezeCalendar after = current;
  if (req.global()) after.set_global(true);
  for (int i = 0; i < req.segments_size(); ++i) {
    const std::string field = absl::StrCat("segments[", i, "]");
    RETURN_IF_ERROR(ValidateKey(field, req.segments(i)));
    ASSIGN_OR_RETURN(auto segment, LoadObject<v1::Segment>(store_, req.segments(i)));
    if (!segment) {
      return absl::NotFoundError(
          absl::StrCat(field, ": ", Describe<v1::Segment>(req.segments(i)), " not found"));
    }
    if (!Attached(after, req.segments(i))) after.add_segments(req.segments(i));
  }
  return StoreChange(store_, tx, &current, std::move(after));
}

absl::StatusOr<v1::FreezeCalendar> Registry::DetachFreezeCalendar(
    const v1::AttachFreezeCalendarRequest& req) {
  Transaction tx(*this, req.meta(), "freeze.calendar.detach");
  ASSIGN_OR_RETURN(const v1::FreezeCalendar current,
                   LoadExistingForChange(store_, tx, req.calendar()));
  RETURN_IF_ERROR(CheckAttachment(req));
  v1::FreezeCalendar after = current;
  if (req.global()) {
    if (!after.global()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "global: ", Describe<v1::FreezeCalendar>(req.calendar()), " is not attached globally"));
    }
    after.set_global(false);
  }
  for (int i = 0; i < req.segments_size(); ++i) {
    auto* segments = after.mutable_segments();
    auto it = std::find(segments->begin(), segments->end(), req.segments(i));
    if (it == segments->end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("segments[", i, "]: ", Describe<v1::FreezeCalendar>(req.calendar()),
                       " is not attached to segment \"", req.segments(i), "\""));
    }
    segments->erase(it);
  }
  return StoreChange(store_, tx, &current, std::move(after));
}

// --- Questions ----------------------------------------------------------------

absl::StatusOr<v1::ListFreezeWindowsResponse> Registry::ListFreezeWindows(
    const v1::ListFreezeWindowsRequest& req) const {
  if (req.segment().empty() == req.account().empty()) {
    return absl::InvalidArgumentError("segment: give a segment or an account, one of the two");
  }
  ASSIGN_OR_RETURN(const Range range,
                   RangeOf(req.from(), req.to(), clock_.Now(), absl::Hours(24 * 31)));
  std::vector<Applied> rules;
  if (!req.segment().empty()) {
    RETURN_IF_ERROR(ValidateKey("segment", req.segment()));
    ASSIGN_OR_RETURN(const v1::Segment segment, GetObject<v1::Segment>(store_, req.segment()));
    ASSIGN_OR_RETURN(rules, RulesForSegment(store_, segment));
  } else {
    RETURN_IF_ERROR(ValidateKey("account", req.account()));
    ASSIGN_OR_RETURN(const v1::Account account, GetObject<v1::Account>(store_, req.account()));
    ASSIGN_OR_RETURN(rules, RulesForAccount(store_, account));
  }
  ASSIGN_OR_RETURN(std::vector<v1::FreezeWindowView> views,
                   WindowViews(store_, rules, range.from, range.to));
  v1::ListFreezeWindowsResponse resp;
  for (auto& v : views) *resp.add_windows() = std::move(v);
  return resp;
}

absl::StatusOr<v1::FreezeCheck> Registry::CheckFreeze(const v1::CheckFreezeRequest& req) const {
  RETURN_IF_ERROR(ValidateKey("account", req.account()));
  ASSIGN_OR_RETURN(const v1::Account account, GetObject<v1::Account>(store_, req.account()));
  const absl::Time at = IsSet(req.at()) ? FromProto(req.at()) : clock_.Now();
  ASSIGN_OR_RETURN(const std::vector<Applied> applied, RulesForAccount(store_, account));
  // FrozenAt wants names unique in one list: number the rules, map back.
  std::vector<freeze::FreezeRule> rules;
  rules.reserve(applied.size());
  for (size_t i = 0; i < applied.size(); ++i) {
    freeze::FreezeRule r = applied[i].rule;
    r.name = absl::StrCat("r", i);
    rules.push_back(std::move(r));
  }
  const auto origin = [&](const freeze::Window& w) -> const Applied& {
    return applied[std::stoul(w.rule.substr(1))];
  };
  ASSIGN_OR_RETURN(const calendar::ProductionCalendar cal, LoadWorkingCalendar(store_, nullptr));
  ASSIGN_OR_RETURN(const freeze::FreezeState state,
                   freeze::FrozenAt(rules, cal, at, account.key()));
  v1::FreezeCheck out;
  out.set_account(account.key());
  *out.mutable_at() = rampart::ToProto(at);
  out.set_frozen(state.frozen);
  if (state.frozen) {
    *out.mutable_since() = rampart::ToProto(state.since);
    *out.mutable_until() = rampart::ToProto(state.until);
    for (const freeze::Window& w : state.by) *out.add_by() = ViewOf(origin(w), w);
  }
  if (state.next) *out.mutable_next() = ViewOf(origin(*state.next), *state.next);
  return out;
}

absl::StatusOr<v1::IcsExport> Registry::ExportFreezeIcs(
    const v1::ExportFreezeIcsRequest& req) const {
  RETURN_IF_ERROR(ValidateKey("segment", req.segment()));
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(const Range range, RangeOf(req.from(), req.to(), now, absl::Hours(24 * 90)));
  ASSIGN_OR_RETURN(const v1::Segment segment, GetObject<v1::Segment>(store_, req.segment()));
  ASSIGN_OR_RETURN(const std::vector<Applied> rules, RulesForSegment(store_, segment));
  ASSIGN_OR_RETURN(const std::vector<v1::FreezeWindowView> windows,
                   WindowViews(store_, rules, range.from, range.to));
  std::vector<freeze::IcsEvent> events;
  for (const v1::FreezeWindowView& w : windows) {
    freeze::IcsEvent e;
    const absl::Time start = FromProto(w.start());
    e.uid = absl::StrCat("freeze-", w.calendar(), "-", w.rule(), "-", segment.key(), "-",
                         absl::ToUnixSeconds(start), "@rampart");
    e.start = start;
    e.end = FromProto(w.end());
    e.summary = absl::StrCat("Freeze: ", segment.key(), " (", w.calendar(), "/", w.rule(), ")");
    e.description = absl::StrCat(
        "Accounts of segment ", segment.key(),
        w.accounts().empty() ? "" : absl::StrCat(" (only ", absl::StrJoin(w.accounts(), ", "), ")"),
        " see no change from ", w.local_start(), " to ", w.local_end(), " (", w.time_zone(),
        "). Changes made meanwhile reach them when the window closes.");
    e.categories = {"freeze", segment.key()};
    events.push_back(std::move(e));
  }
  if (req.include_ramps()) {
    RETURN_IF_ERROR(ForEachObject<v1::Ramp>(store_, "", [&](const v1::Ramp& ramp) {
      // The planned steps: the due one, then each dwell or instant after it,
      // until a stage that advances by hand.
      std::optional<absl::Time> due = DueAt(ramp);
      for (int next = ramp.current_stage() + 1; due && next <= ramp.plan().stages_size(); ++next) {
        if (*due >= range.from && *due < range.to) {
          const v1::RampStage& stage = ramp.plan().stages(next - 1);
          freeze::IcsEvent e;
          e.uid = absl::StrCat("ramp-", ramp.key(), "-stage-", next, "-", absl::ToUnixSeconds(*due),
                               "@rampart");
          e.start = *due;
          e.end = *due;
          e.summary = absl::StrCat("Ramp ", ramp.key(), ": ", ramp::StageLabel(ramp.plan(), next),
                                   " (planned)");
          e.description = absl::StrCat(
              "Planned step of the ramp of flag ", ramp.key(), " into ",
              ramp::StageLabel(ramp.plan(), next),
              stage.wait_while_frozen() ? "; it waits while its audience is frozen" : "",
              ". Gates (approvals, problem reports) and pauses may hold it.");
          e.categories = {"ramp", ramp.key()};
          events.push_back(std::move(e));
        }
        if (next >= ramp.plan().stages_size()) break;
        const v1::StageAdvance& adv = ramp.plan().stages(next - 1).advance();
        if (adv.has_at()) {
          due = FromProto(adv.at());
        } else if (adv.has_after()) {
          due = *due + absl::Seconds(adv.after().seconds());
        } else {
          due.reset();
        }
      }
      return true;
    }));
  }
  v1::IcsExport out;
  out.set_events(static_cast<int>(events.size()));
  out.set_ics(freeze::WriteIcs(absl::StrCat("Rampart: freezes of ", segment.key()), events, now));
  return out;
}

}  // namespace rampart::registry
