#include "core/freeze/rule_proto.h"

#include <array>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "core/common/keys.h"
#include "core/common/time_util.h"

namespace rampart::freeze {
namespace {

constexpr std::array<absl::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

absl::Status Invalid(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

// "15:00" (00:00..24:00); empty: `empty`.
absl::StatusOr<TimeOfDay> ParseTimeOfDay(absl::string_view path, absl::string_view text,
                                         TimeOfDay empty) {
  if (text.empty()) return empty;
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':' || !absl::SimpleAtoi(text.substr(0, 2), &h) ||
      !absl::SimpleAtoi(text.substr(3, 2), &m) || !absl::ascii_isdigit(text[0]) ||
      !absl::ascii_isdigit(text[3]) || h > 24 || m > 59 || (h == 24 && m != 0)) {
    return Invalid(path, absl::StrCat("\"", text, "\" is not a time of day (HH:MM, 00:00..24:00)"));
  }
  return TimeOfDay{h, m};
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view path, absl::string_view text) {
  absl::CivilDay d;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &d) || absl::FormatCivilTime(d) != text) {
    return Invalid(path, absl::StrCat("\"", text, "\" is not a date (YYYY-MM-DD)"));
  }
  return d;
}

absl::StatusOr<absl::CivilSecond> ParseLocal(absl::string_view path, absl::string_view text) {
  absl::CivilSecond s;
  absl::CivilMinute m;
  if (absl::ParseCivilTime(text, &s) && absl::FormatCivilTime(s) == text) return s;
  if (absl::ParseCivilTime(text, &m) && absl::FormatCivilTime(m) == text) {
    return absl::CivilSecond(m);
  }
  return Invalid(path,
                 absl::StrCat("\"", text, "\" is not a local date-time (YYYY-MM-DDTHH:MM[:SS])"));
}

std::string FormatLocal(absl::CivilSecond s) {
  return s.second() == 0 ? absl::FormatCivilTime(absl::CivilMinute(s)) : absl::FormatCivilTime(s);
}

absl::Duration FromDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

google::protobuf::Duration ToDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t s = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(s);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
}

absl::StatusOr<DayWindow> WindowFromProto(absl::string_view path, const v1::FreezeDayWindow& w) {
  DayWindow out;
  out.days_before = w.days_before();
  out.days_after = w.days_after();
  const std::string p(path);
  auto start = ParseTimeOfDay(p + ".start", w.start(), TimeOfDay{0, 0});
  if (!start.ok()) return start.status();
  out.start = *start;
  auto end = ParseTimeOfDay(p + ".end", w.end(), TimeOfDay::EndOfDay());
  if (!end.ok()) return end.status();
  out.end = *end;
  return out;
}

v1::FreezeDayWindow WindowToProto(const DayWindow& w) {
  v1::FreezeDayWindow out;
  out.set_days_before(w.days_before);
  out.set_start(FormatTimeOfDay(w.start));
  out.set_days_after(w.days_after);
  out.set_end(FormatTimeOfDay(w.end));
  return out;
}

// The kind's field name in the proto, for Validate's errors.
absl::string_view KindField(const RuleKind& kind) {
  switch (kind.index()) {
    case 0:
      return "monthly_day";
    case 1:
      return "nth_working_day";
    case 2:
      return "weekly";
    default:
      return "one_off";
  }
}

// Validate's `field: reason` with the field as a path in the request.
absl::Status Reprefix(const absl::Status& s, absl::string_view prefix, const RuleKind& kind) {
  const absl::string_view message = s.message();
  const size_t colon = message.find(':');
  if (colon == absl::string_view::npos) return s;
  absl::string_view field = message.substr(0, colon);
  const absl::string_view rest = message.substr(colon);
  // The fields every rule has are the rule's; the others its kind's.
  static const auto* const kCommon = new absl::flat_hash_set<absl::string_view>{
      "name", "zone", "exceptions", "valid_from", "valid_until"};
  const absl::string_view base = field.substr(0, field.find('['));
  std::string path;
  if (base == "zone") {
    path = absl::StrCat(prefix, ".time_zone");
  } else if (kCommon->contains(base) || base == "accounts") {
    path = absl::StrCat(prefix, ".", field);
  } else {
    path = absl::StrCat(prefix, ".", KindField(kind), ".", field);
  }
  return absl::Status(s.code(), absl::StrCat(path, rest));
}

}  // namespace

absl::StatusOr<FreezeRule> RuleFromProto(const v1::FreezeRule& in, absl::string_view default_zone,
                                         absl::string_view prefix) {
  const std::string p(prefix);
  FreezeRule rule;
  rule.name = in.name();
  rule.zone = in.time_zone().empty() ? std::string(default_zone) : in.time_zone();
  switch (in.kind_case()) {
    case v1::FreezeRule::kMonthlyDay: {
      const auto& k = in.monthly_day();
      MonthlyDay m;
      m.day = k.day();
      if (!v1::FreezeRoll_IsValid(k.roll())) {
        return Invalid(p + ".monthly_day.roll", absl::StrCat("unknown value ", k.roll()));
      }
      m.roll = k.roll() == v1::FREEZE_ROLL_NEXT       ? Roll::kNext
               : k.roll() == v1::FREEZE_ROLL_PREVIOUS ? Roll::kPrevious
                                                      : Roll::kNone;
      m.except_months.assign(k.except_months().begin(), k.except_months().end());
      auto w = WindowFromProto(p + ".monthly_day.window", k.window());
      if (!w.ok()) return w.status();
      m.window = *w;
      rule.kind = m;
      break;
    }
    case v1::FreezeRule::kNthWorkingDay: {
      const auto& k = in.nth_working_day();
      NthWorkingDay n;
      n.n = k.n();
      n.from_last = k.from_last();
      n.period = k.period() == v1::FREEZE_PERIOD_QUARTER ? Period::kQuarter
                 : k.period() == v1::FREEZE_PERIOD_YEAR  ? Period::kYear
                                                         : Period::kMonth;
      if (!v1::FreezePeriod_IsValid(k.period())) {
        return Invalid(p + ".nth_working_day.period", absl::StrCat("unknown value ", k.period()));
      }
      auto w = WindowFromProto(p + ".nth_working_day.window", k.window());
      if (!w.ok()) return w.status();
      n.window = *w;
      rule.kind = n;
      break;
    }
    case v1::FreezeRule::kWeekly: {
      const auto& k = in.weekly();
      Weekly wk;
      const std::string day = absl::AsciiStrToLower(k.weekday());
      int index = -1;
      for (int i = 0; i < 7; ++i) {
        if (kWeekdays[i] == day) index = i;
      }
      if (index < 0) {
        return Invalid(p + ".weekly.weekday",
                       absl::StrCat("unknown weekday \"", k.weekday(), "\" (monday..sunday)"));
      }
      wk.weekday = static_cast<absl::Weekday>(index);  // absl::Weekday starts on Monday
      auto start = ParseTimeOfDay(p + ".weekly.start", k.start(), TimeOfDay{0, 0});
      if (!start.ok()) return start.status();
      auto end = ParseTimeOfDay(p + ".weekly.end", k.end(), TimeOfDay::EndOfDay());
      if (!end.ok()) return end.status();
      wk.start = *start;
      wk.end = *end;
      wk.end_days_after = k.end_days_after();
      rule.kind = wk;
      break;
    }
    case v1::FreezeRule::kOneOff: {
      const auto& k = in.one_off();
      OneOff o;
      if (!k.start().empty()) {
        auto s = ParseLocal(p + ".one_off.start", k.start());
        if (!s.ok()) return s.status();
        o.start = *s;
      }
      if (!k.end().empty()) {
        auto e = ParseLocal(p + ".one_off.end", k.end());
        if (!e.ok()) return e.status();
        o.end = *e;
      }
      if (k.has_at()) o.at = FromProto(k.at());
      o.margin_before = FromDuration(k.margin_before());
      o.margin_after = FromDuration(k.margin_after());
      rule.kind = o;
      break;
    }
    case v1::FreezeRule::KIND_NOT_SET:
      return Invalid(p, "a rule needs one of monthly_day, nth_working_day, weekly, one_off");
  }
  for (int i = 0; i < in.exceptions_size(); ++i) {
    auto d = ParseDay(absl::StrCat(p, ".exceptions[", i, "]"), in.exceptions(i));
    if (!d.ok()) return d.status();
    rule.exceptions.push_back(*d);
  }
  if (!in.valid_from().empty()) {
    auto d = ParseDay(p + ".valid_from", in.valid_from());
    if (!d.ok()) return d.status();
    rule.valid_from = *d;
  }
  if (!in.valid_until().empty()) {
    auto d = ParseDay(p + ".valid_until", in.valid_until());
    if (!d.ok()) return d.status();
    rule.valid_until = *d;
  }
  rule.accounts.assign(in.accounts().begin(), in.accounts().end());
  if (absl::Status s = Validate(rule); !s.ok()) return Reprefix(s, prefix, rule.kind);
  return rule;
}

absl::StatusOr<std::vector<FreezeRule>> CalendarRulesFromProto(const v1::FreezeCalendar& cal) {
  if (absl::Status s = ValidateKey("calendar.key", cal.key()); !s.ok()) return s;
  if (absl::Status s = ValidateZone("calendar.time_zone", cal.time_zone()); !s.ok()) return s;
  if (!cal.working_calendar().empty() && cal.working_calendar() != "ru") {
    return Invalid("calendar.working_calendar",
                   absl::StrCat("\"", cal.working_calendar(),
                                "\": only \"ru\" (the Russian federal calendar) is supported"));
  }
  std::vector<FreezeRule> rules;
  absl::flat_hash_map<std::string, int> names;
  for (int i = 0; i < cal.rules_size(); ++i) {
    const std::string prefix = absl::StrCat("calendar.rules[", i, "]");
    auto rule = RuleFromProto(cal.rules(i), cal.time_zone(), prefix);
    if (!rule.ok()) return rule.status();
    const auto [it, inserted] = names.emplace(rule->name, i);
    if (!inserted) {
      return Invalid(prefix + ".name",
                     absl::StrCat("\"", rule->name, "\" is also the name of calendar.rules[",
                                  it->second, "]"));
    }
    rules.push_back(*std::move(rule));
  }
  absl::flat_hash_set<std::string> segments;
  for (int i = 0; i < cal.segments_size(); ++i) {
    const std::string field = absl::StrCat("calendar.segments[", i, "]");
    if (absl::Status s = ValidateKey(field, cal.segments(i)); !s.ok()) return s;
    if (!segments.insert(cal.segments(i)).second) {
      return Invalid(field, absl::StrCat("\"", cal.segments(i), "\" is listed twice"));
    }
  }
  return rules;
}

v1::FreezeRule RuleToProto(const FreezeRule& rule, absl::string_view calendar_zone) {
  v1::FreezeRule out;
  out.set_name(rule.name);
  if (rule.zone != calendar_zone) out.set_time_zone(rule.zone);
  if (const auto* m = std::get_if<MonthlyDay>(&rule.kind)) {
    auto* k = out.mutable_monthly_day();
    k->set_day(m->day);
    k->set_roll(m->roll == Roll::kNext       ? v1::FREEZE_ROLL_NEXT
                : m->roll == Roll::kPrevious ? v1::FREEZE_ROLL_PREVIOUS
                                             : v1::FREEZE_ROLL_NONE);
    for (int month : m->except_months) k->add_except_months(month);
    *k->mutable_window() = WindowToProto(m->window);
  } else if (const auto* n = std::get_if<NthWorkingDay>(&rule.kind)) {
    auto* k = out.mutable_nth_working_day();
    k->set_n(n->n);
    k->set_from_last(n->from_last);
    k->set_period(n->period == Period::kQuarter ? v1::FREEZE_PERIOD_QUARTER
                  : n->period == Period::kYear  ? v1::FREEZE_PERIOD_YEAR
                                                : v1::FREEZE_PERIOD_MONTH);
    *k->mutable_window() = WindowToProto(n->window);
  } else if (const auto* w = std::get_if<Weekly>(&rule.kind)) {
    auto* k = out.mutable_weekly();
    k->set_weekday(std::string(kWeekdays[static_cast<int>(w->weekday)]));
    k->set_start(FormatTimeOfDay(w->start));
    k->set_end(FormatTimeOfDay(w->end));
    k->set_end_days_after(w->end_days_after);
  } else if (const auto* o = std::get_if<OneOff>(&rule.kind)) {
    auto* k = out.mutable_one_off();
    if (o->start) k->set_start(FormatLocal(*o->start));
    if (o->end) k->set_end(FormatLocal(*o->end));
    if (o->at) *k->mutable_at() = ToProto(*o->at);
    if (o->margin_before != absl::ZeroDuration()) {
      *k->mutable_margin_before() = ToDuration(o->margin_before);
    }
    if (o->margin_after != absl::ZeroDuration()) {
      *k->mutable_margin_after() = ToDuration(o->margin_after);
    }
  }
  for (const absl::CivilDay& d : rule.exceptions) out.add_exceptions(absl::FormatCivilTime(d));
  if (rule.valid_from) out.set_valid_from(absl::FormatCivilTime(*rule.valid_from));
  if (rule.valid_until) out.set_valid_until(absl::FormatCivilTime(*rule.valid_until));
  for (const std::string& a : rule.accounts) out.add_accounts(a);
  return out;
}

}  // namespace rampart::freeze
