// `rampart freeze`: freeze calendars (FreezeService; docs/freezes.md). A
// calendar holds rules (presets or rules of your own from a JSON file) and is
// attached to segments or to every account; `list` shows a segment's (or an
// account's) windows in local time and in UTC, `check` whether an account is
// frozen now or at an instant, `ics` an iCalendar feed of a segment's windows
// and the planned ramp steps, `schedule` the windows the SDKs hold.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "core/common/time_util.h"
#include "rampart/v1/admin.grpc.pb.h"
#include "rampart/v1/freeze.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::FreezeService::Stub;

std::string Utc(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M", FromProto(ts), absl::UTCTimeZone());
}

std::string Local(const google::protobuf::Timestamp& ts, const std::string& zone) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(zone, &tz)) return Utc(ts);
  return absl::FormatTime("%Y-%m-%d %H:%M %Ez", FromProto(ts), tz);
}

void PrintCalendars(const v1::ListFreezeCalendarsResponse& resp) {
  Table table({"calendar", "zone", "rules", "attached to", "revision"});
  for (const v1::FreezeCalendar& c : resp.calendars()) {
    std::vector<std::string> rules;
    for (const auto& r : c.rules()) rules.push_back(r.name());
    std::string attached = c.global() ? "everyone" : absl::StrJoin(c.segments(), ", ");
    table.AddRow({c.key(), c.time_zone(), OrDash(absl::StrJoin(rules, ", ")), OrDash(attached),
                  absl::StrCat(c.revision())});
  }
  table.Print(std::cout);
}

void PrintCalendar(const v1::FreezeCalendar& c) {
  Fields fields;
  fields.Add("calendar", c.key());
  fields.Add("description", OrDash(c.description()));
  fields.Add("zone", c.time_zone());
  fields.Add("working days", c.working_calendar());
  std::vector<std::string> rules;
  for (const auto& r : c.rules()) {
    std::string kind;
    if (r.has_monthly_day()) kind = absl::StrCat("monthly, day ", r.monthly_day().day());
    if (r.has_nth_working_day()) {
      kind = absl::StrCat(
          r.nth_working_day().from_last() ? "working day from the end " : "working day ",
          r.nth_working_day().n());
    }
    if (r.has_weekly()) {
      kind = absl::StrCat("weekly, ", r.weekly().weekday(), " ", r.weekly().start(), "-",
                          r.weekly().end().empty() ? "24:00" : r.weekly().end());
    }
    if (r.has_one_off()) kind = "one-off";
    rules.push_back(absl::StrCat(
        r.name(), " (", kind, r.time_zone().empty() ? "" : absl::StrCat(", ", r.time_zone()),
        r.accounts().empty() ? "" : absl::StrCat(", accounts ", absl::StrJoin(r.accounts(), " ")),
        ")"));
  }
  fields.Add("rules", rules);
  fields.Add("attached to",
             c.global() ? std::string("everyone") : OrDash(absl::StrJoin(c.segments(), ", ")));
  fields.Add("revision", absl::StrCat(c.revision()));
  fields.Print(std::cout);
}

void PrintWindows(const google::protobuf::RepeatedPtrField<v1::FreezeWindowView>& windows) {
  Table table({"from (local)", "to (local)", "from (UTC)", "to (UTC)", "zone", "calendar/rule",
               "segment", "accounts"});
  for (const v1::FreezeWindowView& w : windows) {
    table.AddRow({w.local_start(), w.local_end(), Utc(w.start()), Utc(w.end()), w.time_zone(),
                  absl::StrCat(w.calendar(), "/", w.rule()),
                  w.segment().empty() ? std::string("(everyone)") : w.segment(),
                  w.accounts().empty() ? std::string("all") : absl::StrJoin(w.accounts(), " ")});
  }
  table.Print(std::cout);
}

std::string WindowLine(const v1::FreezeWindowView& w) {
  return absl::StrCat(w.calendar(), "/", w.rule(), " via ",
                      w.segment().empty() ? std::string("every account") : w.segment(), ": ",
                      w.local_start(), " to ", w.local_end(), " ", w.time_zone(), " (",
                      Utc(w.start()), " to ", Utc(w.end()), " UTC)");
}

struct AddOptions {
  std::string calendar;
  std::string preset;
  std::string zone;
  std::string name;
  std::string at;
  std::vector<std::string> accounts;
  std::string description;
  std::string file;
  WriteOptions write;
};

struct PutOptions {
  std::string file;
  WriteOptions write;
};

struct KeyOptions {
  std::string calendar;
  std::string rule;
  std::vector<std::string> segments;
  bool global = false;
  WriteOptions write;
};

struct RangeOptions {
  std::string segment;
  std::string account;
  std::string from;
  std::string to;
  std::string at;
  std::string out;
  bool ramps = false;
};

// --from/--to: a date is midnight in `zone` (the segment's), an instant as
// typed.
absl::Status ParseRange(const RangeOptions& o, absl::TimeZone zone,
                        google::protobuf::Timestamp* from, google::protobuf::Timestamp* to) {
  if (!o.from.empty()) {
    ASSIGN_OR_RETURN(absl::Time t, ParseTime("--from", o.from, zone));
    *from = ToProto(t);
  }
  if (!o.to.empty()) {
    ASSIGN_OR_RETURN(absl::Time t, ParseTime("--to", o.to, zone));
    // A date as --to includes that day.
    if (o.to.size() == 10) t += absl::Hours(24);
    *to = ToProto(t);
  }
  return absl::OkStatus();
}

// The segment's zone, for dates typed without one (UTC when it has none).
absl::StatusOr<absl::TimeZone> SegmentZone(Session& session, const std::string& segment) {
  absl::TimeZone tz = absl::UTCTimeZone();
  if (segment.empty()) return tz;
  v1::GetSegmentRequest request;
  request.set_key(segment);
  ASSIGN_OR_RETURN(v1::Segment s, session.Call(&v1::SegmentService::Stub::GetSegment, request));
  if (!s.time_zone().empty()) absl::LoadTimeZone(s.time_zone(), &tz);
  return tz;
}

}  // namespace

void AddFreezeCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand(
      "freeze", "Freeze calendars: when segments of accounts must not see changes");
  noun->require_subcommand(1);

  // --- add --------------------------------------------------------------------
  auto add = std::make_shared<AddOptions>();
  CLI::App* add_verb = session.AddVerb(
      noun, "add",
      "Add rules to a calendar (created when missing): a preset, or rules from a JSON file",
      [&session, add] {
        v1::AddFreezeRulesRequest request;
        request.set_calendar(add->calendar);
        request.set_time_zone(add->zone);
        request.set_description(add->description);
        request.set_preset(add->preset);
        request.set_name(add->name);
        if (!add->at.empty()) {
          ASSIGN_OR_RETURN(*request.mutable_at(), ParseTimeOption("--at", add->at));
        }
        for (const auto& a : add->accounts) request.add_accounts(a);
        if (!add->file.empty()) {
          v1::FreezeCalendar rules;
          RETURN_IF_ERROR(ReadJsonFile("--file", add->file, &rules));
          *request.mutable_rules() = rules.rules();
        }
        *request.mutable_meta() = session.Meta(add->write, add->write.revision.value_or(0));
        ASSIGN_OR_RETURN(auto cal, session.Call(&Stub::AddFreezeRules, request));
        return session.Print(cal, [&] {
          std::cout << "freeze calendar \"" << cal.key() << "\" now has " << cal.rules_size()
                    << " rules (revision " << cal.revision() << ")" << std::endl;
        });
      });
  add_verb->add_option("CALENDAR", add->calendar, "The calendar's key")->required();
  auto* preset = add_verb->add_option(
      "--preset", add->preset, "ru-accounting, ru-tender or weekend-evening (docs/freezes.md)");
  auto* file = add_verb->add_option(
      "--file", add->file, "Rules of your own: a JSON file {\"rules\": [...]} (FreezeRule)");
  preset->excludes(file);
  add_verb->add_option("--zone", add->zone,
                       "The calendar's IANA zone, to create it (e.g. Europe/Moscow)");
  add_verb->add_option("--name", add->name, "The rule's name (ru-accounting: their prefix)");
  add_verb->add_option("--at", add->at,
                       "ru-tender: when bids close, with its offset (2026-12-15T09:00:00+07:00)");
  add_verb->add_option("--account", add->accounts, "ru-tender: an account taking part (repeat)");
  add_verb->add_option("--description", add->description, "What the calendar is for");
  AddWriteOptions(add_verb, add->write, /*change=*/true);

  // --- put (a whole calendar) ----------------------------------------------------
  auto put = std::make_shared<PutOptions>();
  CLI::App* put_verb = session.AddVerb(
      noun, "put", "Create or replace a whole calendar from a JSON file (FreezeCalendar)",
      [&session, put] {
        v1::PutFreezeCalendarRequest request;
        RETURN_IF_ERROR(ReadJsonFile("--file", put->file, request.mutable_calendar()));
        int64_t expected = put->write.revision.value_or(0);
        if (!put->write.revision) {
          v1::GetFreezeCalendarRequest get;
          get.set_key(request.calendar().key());
          if (auto current = session.Call(&Stub::GetFreezeCalendar, get); current.ok()) {
            expected = current->revision();
          }
        }
        *request.mutable_meta() = session.Meta(put->write, expected);
        ASSIGN_OR_RETURN(auto cal, session.Call(&Stub::PutFreezeCalendar, request));
        return session.Confirm(
            cal, Confirmation("freeze calendar", cal.key(), "stored", cal.revision()));
      });
  put_verb->add_option("--file", put->file, "The calendar in protobuf JSON")->required();
  AddWriteOptions(put_verb, put->write, /*change=*/true);

  // --- calendars, show, delete ------------------------------------------------------
  auto calendars_segment = std::make_shared<std::string>();
  CLI::App* calendars = session.AddVerb(
      noun, "calendars", "The freeze calendars (attached to --segment, or all)",
      [&session, calendars_segment] {
        v1::ListFreezeCalendarsRequest request;
        request.set_segment(*calendars_segment);
        ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::ListFreezeCalendars, request));
        return session.Print(resp, [&] { PrintCalendars(resp); });
      });
  calendars->add_option("--segment", *calendars_segment, "Only those that apply to this segment");

  auto show_key = std::make_shared<std::string>();
  CLI::App* show =
      session.AddVerb(noun, "show", "A calendar's rules and attachments", [&session, show_key] {
        v1::GetFreezeCalendarRequest request;
        request.set_key(*show_key);
        ASSIGN_OR_RETURN(auto cal, session.Call(&Stub::GetFreezeCalendar, request));
        return session.Print(cal, [&] { PrintCalendar(cal); });
      });
  show->add_option("CALENDAR", *show_key, "The calendar's key")->required();

  auto del = std::make_shared<KeyOptions>();
  CLI::App* del_verb = session.AddVerb(noun, "delete", "Delete a calendar", [&session, del] {
    v1::DeleteFreezeCalendarRequest request;
    request.set_key(del->calendar);
    ASSIGN_OR_RETURN(const int64_t revision, RevisionForChange<v1::FreezeCalendar>(del->write, [&] {
                       v1::GetFreezeCalendarRequest get;
                       get.set_key(del->calendar);
                       return session.Call(&Stub::GetFreezeCalendar, get);
                     }));
    *request.mutable_meta() = session.Meta(del->write, revision);
    ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::DeleteFreezeCalendar, request));
    return session.Confirm(
        resp, Confirmation("freeze calendar", del->calendar, "deleted", resp.revision()));
  });
  del_verb->add_option("CALENDAR", del->calendar, "The calendar's key")->required();
  AddWriteOptions(del_verb, del->write, /*change=*/true);

  // --- remove-rule, attach, detach --------------------------------------------------
  auto rm = std::make_shared<KeyOptions>();
  CLI::App* rm_verb =
      session.AddVerb(noun, "remove-rule", "Remove a rule from a calendar", [&session, rm] {
        v1::RemoveFreezeRuleRequest request;
        request.set_calendar(rm->calendar);
        request.set_rule(rm->rule);
        *request.mutable_meta() = session.Meta(rm->write, rm->write.revision.value_or(0));
        ASSIGN_OR_RETURN(auto cal, session.Call(&Stub::RemoveFreezeRule, request));
        return session.Confirm(
            cal, Confirmation("freeze calendar", cal.key(), "rule removed", cal.revision()));
      });
  rm_verb->add_option("CALENDAR", rm->calendar, "The calendar's key")->required();
  rm_verb->add_option("RULE", rm->rule, "The rule's name")->required();
  AddWriteOptions(rm_verb, rm->write, /*change=*/true);

  for (const bool attach : {true, false}) {
    auto o = std::make_shared<KeyOptions>();
    CLI::App* verb = session.AddVerb(
        noun, attach ? "attach" : "detach",
        attach ? "Attach a calendar to segments, or to every account (--global)"
               : "Detach a calendar from segments, or from every account (--global)",
        [&session, o, attach] {
          v1::AttachFreezeCalendarRequest request;
          request.set_calendar(o->calendar);
          for (const auto& s : o->segments) request.add_segments(s);
          request.set_global(o->global);
          *request.mutable_meta() = session.Meta(o->write, o->write.revision.value_or(0));
          ASSIGN_OR_RETURN(auto cal, session.Call(attach ? &Stub::AttachFreezeCalendar
                                                         : &Stub::DetachFreezeCalendar,
                                                  request));
          const std::string where =
              cal.global() ? "every account" : OrDash(absl::StrJoin(cal.segments(), ", "));
          return session.Confirm(
              cal, absl::StrCat("freeze calendar \"", cal.key(), "\" now applies to ", where,
                                " (revision ", cal.revision(), ")"));
        });
    verb->add_option("CALENDAR", o->calendar, "The calendar's key")->required();
    verb->add_option("--segment", o->segments, "A segment (repeat)");
    verb->add_flag("--global", o->global, "Every account");
    AddWriteOptions(verb, o->write, /*change=*/true);
  }

  // --- list, check, ics, schedule ------------------------------------------------------
  auto list = std::make_shared<RangeOptions>();
  CLI::App* list_verb = session.AddVerb(
      noun, "list", "A segment's (or an account's) freeze windows, in local time and in UTC",
      [&session, list] {
        v1::ListFreezeWindowsRequest request;
        request.set_segment(list->segment);
        request.set_account(list->account);
        ASSIGN_OR_RETURN(const absl::TimeZone zone, SegmentZone(session, list->segment));
        RETURN_IF_ERROR(ParseRange(*list, zone, request.mutable_from(), request.mutable_to()));
        ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::ListFreezeWindows, request));
        return session.Print(resp, [&] { PrintWindows(resp.windows()); });
      });
  auto* seg_opt = list_verb->add_option("--segment", list->segment, "The segment");
  auto* acc_opt = list_verb->add_option("--account", list->account, "Or an account");
  seg_opt->excludes(acc_opt);
  list_verb->add_option(
      "--from", list->from,
      "From this date (midnight in the segment's zone) or instant (default: now)");
  list_verb->add_option("--to", list->to,
                        "To this date (inclusive) or instant (default: 31 days after --from)");

  auto check = std::make_shared<RangeOptions>();
  CLI::App* check_verb = session.AddVerbWithExitCode(
      noun, "check",
      "Whether an account is frozen now (or --at an instant), by what, until when; exit 4 when "
      "frozen",
      [&session, check]() -> absl::StatusOr<int> {
        v1::CheckFreezeRequest request;
        request.set_account(check->account);
        if (!check->at.empty()) {
          ASSIGN_OR_RETURN(*request.mutable_at(), ParseTimeOption("--at", check->at));
        }
        ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::CheckFreeze, request));
        RETURN_IF_ERROR(session.Print(resp, [&] {
          std::string zone = "UTC";
          if (!resp.by().empty())
            zone = resp.by(0).time_zone();
          else if (resp.has_next())
            zone = resp.next().time_zone();
          Fields fields;
          fields.Add("account", resp.account());
          fields.Add("at", absl::StrCat(Local(resp.at(), zone), " (", Utc(resp.at()), " UTC)"));
          if (resp.frozen()) {
            fields.Add("frozen",
                       absl::StrCat("yes, since ", Local(resp.since(), zone), " until ",
                                    Local(resp.until(), zone), " (", Utc(resp.until()), " UTC)"));
            std::vector<std::string> by;
            for (const auto& w : resp.by()) by.push_back(WindowLine(w));
            fields.Add("by", by);
          } else {
            fields.Add("frozen", "no");
          }
          fields.Add("next", resp.has_next() ? WindowLine(resp.next()) : std::string("-"));
          fields.Print(std::cout);
        }));
        // A pipeline can gate a deploy on it: `rampart freeze check ... || wait`.
        return resp.frozen() ? kExitFrozen : kExitOk;
      });
  check_verb->add_option("--account", check->account, "The account")->required();
  check_verb->add_option("--at", check->at, "At this instant (default: now)");

  auto ics = std::make_shared<RangeOptions>();
  CLI::App* ics_verb = session.AddVerb(
      noun, "ics",
      "An iCalendar (.ics) feed of a segment's freeze windows and the planned ramp steps",
      [&session, ics] {
        v1::ExportFreezeIcsRequest request;
        request.set_segment(ics->segment);
        request.set_include_ramps(ics->ramps);
        ASSIGN_OR_RETURN(const absl::TimeZone zone, SegmentZone(session, ics->segment));
        RETURN_IF_ERROR(ParseRange(*ics, zone, request.mutable_from(), request.mutable_to()));
        ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::ExportFreezeIcs, request));
        if (ics->out.empty() || ics->out == "-") {
          std::cout << resp.ics();
          return absl::OkStatus();
        }
        std::ofstream out(ics->out, std::ios::binary);
        out << resp.ics();
        out.close();
        if (!out) return absl::UnavailableError(absl::StrCat("--out: cannot write ", ics->out));
        std::cout << resp.events() << " events written to " << ics->out << std::endl;
        return absl::OkStatus();
      });
  ics_verb->add_option("--segment", ics->segment, "The segment")->required();
  ics_verb->add_option("--from", ics->from, "From (default: now)");
  ics_verb->add_option("--to", ics->to, "To (default: 90 days after --from)");
  ics_verb->add_flag("--ramps", ics->ramps, "Also the planned steps of running ramps");
  ics_verb->add_option("--out,-o", ics->out, "Write to this file (default: standard output)");

  CLI::App* schedule = session.AddVerb(
      noun, "schedule", "The freeze windows the SDKs hold now (per segment and zone)", [&session] {
        ASSIGN_OR_RETURN(auto resp,
                         session.Call(&Stub::GetFreezeSchedule, v1::GetFreezeScheduleRequest()));
        return session.Print(resp, [&] {
          std::cout << "computed " << Utc(resp.computed_at()) << " UTC, until "
                    << Utc(resp.horizon()) << " UTC" << std::endl;
          Table table({"segment", "zone", "from (UTC)", "to (UTC)", "calendar/rule", "accounts"});
          for (const auto& list : resp.segments()) {
            for (const auto& w : list.windows()) {
              table.AddRow(
                  {list.segment().empty() ? std::string("(everyone)") : list.segment(),
                   OrDash(list.time_zone()), Utc(w.start()), Utc(w.end()),
                   absl::StrCat(w.calendar(), "/", w.rule()),
                   w.accounts().empty() ? std::string("all") : absl::StrJoin(w.accounts(), " ")});
            }
          }
          table.Print(std::cout);
        });
      });
  (void)schedule;
}

}  // namespace rampart::cli
