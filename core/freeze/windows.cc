#include "core/freeze/windows.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rampart::freeze {
namespace {

using calendar::WorkingDays;

absl::Status NoWorkingDay(absl::CivilDay from, int step) {
  return absl::FailedPreconditionError(
      absl::StrCat("calendar: no working day within ", kMaxCalendarGap, " days ",
                   step > 0 ? "after " : "before ", absl::FormatCivilTime(from)));
}

// The nearest working day in direction `step` (+1 or -1): `day` itself when
// `include_self` and it is one. Bounded, unlike WorkingDays::NextOrSame: a
// calendar imported with a mistake must fail a request, not hang the server.
absl::StatusOr<absl::CivilDay> NearestWorkingDay(const WorkingDays& calendar, absl::CivilDay day,
                                                 int step, bool include_self) {
  if (include_self && calendar.IsWorkingDay(day)) return day;
  absl::CivilDay d = day;
  for (int i = 0; i < kMaxCalendarGap; ++i) {
    d += step;
    if (calendar.IsWorkingDay(d)) return d;
  }
  return NoWorkingDay(day, step);
}

// The `k`-th working day strictly after `day` (k > 0), strictly before it
// (k < 0), or `day` itself (k == 0).
absl::StatusOr<absl::CivilDay> WorkingDaysAway(const WorkingDays& calendar, absl::CivilDay day,
                                               int k) {
  const int step = k > 0 ? 1 : -1;
  for (int i = 0; i < (k > 0 ? k : -k); ++i) {
    absl::StatusOr<absl::CivilDay> next = NearestWorkingDay(calendar, day, step, false);
    if (!next.ok()) return next.status();
    day = *next;
  }
  return day;
}

absl::StatusOr<absl::CivilDay> Rolled(const WorkingDays& calendar, absl::CivilDay day, Roll roll) {
  switch (roll) {
    case Roll::kNext:
      return NearestWorkingDay(calendar, day, +1, true);
    case Roll::kPrevious:
      return NearestWorkingDay(calendar, day, -1, true);
    case Roll::kNone:
      break;
  }
  return day;
}

// Local date-time -> instant, per the rule at the top of windows.h: a start
// takes the first instant the local clock reads `cs` or later, an end the
// last instant it reads earlier than `cs`.
absl::Time StartInstant(const absl::TimeZone& zone, absl::CivilSecond cs) {
  const absl::TimeZone::TimeInfo info = zone.At(cs);
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}
absl::Time EndInstant(const absl::TimeZone& zone, absl::CivilSecond cs) {
  const absl::TimeZone::TimeInfo info = zone.At(cs);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return info.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      return info.post;
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
  }
  return info.pre;
}

absl::CivilSecond At(absl::CivilDay day, TimeOfDay t) {
  // 24:00 normalizes to the next day's 00:00.
  return absl::CivilSecond(day) + t.minutes() * 60;
}

// A generated day: `nominal` as the rule names it, `day` after rolling.
struct Occurrence {
  absl::CivilDay nominal;
  absl::CivilDay day;
};

class Generator {
 public:
  Generator(const WorkingDays& calendar, absl::CivilDay lo, absl::CivilDay hi)
      : calendar_(calendar), lo_(lo), hi_(hi) {}

  absl::Status Add(const MonthlyDay& k) {
    for (absl::CivilMonth m(lo_); m <= absl::CivilMonth(hi_); ++m) {
      if (std::find(k.except_months.begin(), k.except_months.end(), m.month()) !=
          k.except_months.end()) {
        continue;
      }
      const absl::CivilDay last = absl::CivilDay(m + 1) - 1;
      const absl::CivilDay nominal(m.year(), m.month(), std::min(k.day, last.day()));
      absl::StatusOr<absl::CivilDay> day = Rolled(calendar_, nominal, k.roll);
      if (!day.ok()) return day.status();
      out_.push_back({nominal, *day});
    }
    return absl::OkStatus();
  }

  absl::Status Add(const NthWorkingDay& k) {
    const int months = k.period == Period::kMonth ? 1 : k.period == Period::kQuarter ? 3 : 12;
    const absl::CivilMonth first(lo_);
    // The start of the period holding lo_.
    absl::CivilMonth p(first.year(), (first.month() - 1) / months * months + 1);
    for (; absl::CivilDay(p) <= hi_; p += months) {
      const absl::CivilDay begin(p);
      const absl::CivilDay end = absl::CivilDay(p + months) - 1;
      int count = 0;
      if (k.from_last) {
        for (absl::CivilDay d = end; d >= begin; --d) {
          if (calendar_.IsWorkingDay(d) && ++count == k.n) {
            out_.push_back({d, d});
            break;
          }
        }
      } else {
        for (absl::CivilDay d = begin; d <= end; ++d) {
          if (calendar_.IsWorkingDay(d) && ++count == k.n) {
            out_.push_back({d, d});
            break;
          }
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Add(const Weekly& k) {
    for (absl::CivilDay d = absl::NextWeekday(lo_ - 1, k.weekday); d <= hi_; d += 7) {
      out_.push_back({d, d});
    }
    return absl::OkStatus();
  }

  const std::vector<Occurrence>& occurrences() const { return out_; }

 private:
  const WorkingDays& calendar_;
  const absl::CivilDay lo_;
  const absl::CivilDay hi_;
  std::vector<Occurrence> out_;
};

bool Skipped(const FreezeRule& rule, const Occurrence& o) {
  for (const absl::CivilDay& e : rule.exceptions) {
    if (e == o.day || e == o.nominal) return true;
  }
  if (rule.valid_from.has_value() && o.day < *rule.valid_from) return true;
  if (rule.valid_until.has_value() && o.day > *rule.valid_until) return true;
  return false;
}

// The window of a recurring rule around `day`, local.
struct LocalWindow {
  absl::CivilSecond start;
  absl::CivilSecond end;
};

absl::StatusOr<LocalWindow> Around(const WorkingDays& calendar, const DayWindow& w,
                                   absl::CivilDay day) {
  absl::StatusOr<absl::CivilDay> first = WorkingDaysAway(calendar, day, -w.days_before);
  if (!first.ok()) return first.status();
  absl::StatusOr<absl::CivilDay> last = WorkingDaysAway(calendar, day, w.days_after);
  if (!last.ok()) return last.status();
  return LocalWindow{At(*first, w.start), At(*last, w.end)};
}

absl::StatusOr<LocalWindow> Around(const WorkingDays&, const Weekly& w, absl::CivilDay day) {
  return LocalWindow{At(day, w.start), At(day + w.end_days_after, w.end)};
}

// Sorted by start; merges windows that overlap or touch.
std::vector<Window> Merge(std::vector<Window> windows) {
  std::sort(windows.begin(), windows.end(), [](const Window& a, const Window& b) {
    return a.start < b.start || (a.start == b.start && a.end < b.end);
  });
  std::vector<Window> out;
  for (Window& w : windows) {
    if (!out.empty() && w.start <= out.back().end) {
      Window& m = out.back();
      m.end = std::max(m.end, w.end);
      m.days.insert(m.days.end(), w.days.begin(), w.days.end());
      std::sort(m.days.begin(), m.days.end());
      m.days.erase(std::unique(m.days.begin(), m.days.end()), m.days.end());
    } else {
      out.push_back(std::move(w));
    }
  }
  return out;
}

absl::CivilDay LocalDay(const absl::TimeZone& zone, absl::Time t) {
  return absl::CivilDay(zone.At(t).cs);
}

// Windows of a rule already validated.
absl::StatusOr<std::vector<Window>> Expand(const FreezeRule& rule, const WorkingDays& calendar,
                                           absl::Time from, absl::Time to) {
  std::vector<Window> out;
  if (from >= to) return out;
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(rule.zone, &zone)) {
    // Validate loaded it a moment ago.
    return absl::InternalError(absl::StrCat("zone \"", rule.zone, "\" failed to load"));
  }

  if (const auto* k = std::get_if<OneOff>(&rule.kind)) {
    Window w;
    w.rule = rule.name;
    if (k->at.has_value()) {
      w.start = *k->at - k->margin_before;
      w.end = *k->at + k->margin_after;
      w.days = {LocalDay(zone, *k->at)};
    } else {
      w.start = StartInstant(zone, *k->start);
      w.end = EndInstant(zone, *k->end);
      w.days = {absl::CivilDay(*k->start)};
    }
    if (w.start < to && w.end > from) out.push_back(std::move(w));
    return out;
  }

  const absl::CivilDay lo = LocalDay(zone, from) - kGenerationMarginDays;
  const absl::CivilDay hi = LocalDay(zone, to) + kGenerationMarginDays;
  Generator gen(calendar, lo, hi);
  absl::Status added = std::visit(
      [&gen](const auto& k) -> absl::Status {
        if constexpr (std::is_same_v<std::decay_t<decltype(k)>, OneOff>) {
          return absl::OkStatus();  // handled above
        } else {
          return gen.Add(k);
        }
      },
      rule.kind);
  if (!added.ok()) return added;

  std::vector<Window> windows;
  windows.reserve(gen.occurrences().size());
  for (const Occurrence& o : gen.occurrences()) {
    if (Skipped(rule, o)) continue;
    absl::StatusOr<LocalWindow> local = std::visit(
        [&](const auto& k) -> absl::StatusOr<LocalWindow> {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, OneOff>) {
            return absl::InternalError("unreachable");
          } else if constexpr (std::is_same_v<K, Weekly>) {
            return Around(calendar, k, o.day);
          } else {
            return Around(calendar, k.window, o.day);
          }
        },
        rule.kind);
    if (!local.ok()) return local.status();
    windows.push_back(
        Window{StartInstant(zone, local->start), EndInstant(zone, local->end), rule.name, {o.day}});
  }
  for (Window& w : Merge(std::move(windows))) {
    if (w.start < to && w.end > from) out.push_back(std::move(w));
  }
  return out;
}

absl::Status CheckRange(absl::Time from, absl::Time to) {
  if (from == absl::InfinitePast() || from == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("from: must be a finite instant");
  }
  if (to == absl::InfinitePast() || to == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("to: must be a finite instant");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Window>> Windows(const FreezeRule& rule, const WorkingDays& calendar,
                                            absl::Time from, absl::Time to) {
  if (absl::Status s = Validate(rule); !s.ok()) return s;
  if (absl::Status s = CheckRange(from, to); !s.ok()) return s;
  return Expand(rule, calendar, from, to);
}

absl::StatusOr<std::vector<Window>> WindowsOf(absl::Span<const FreezeRule> rules,
                                              const WorkingDays& calendar, absl::Time from,
                                              absl::Time to) {
  if (absl::Status s = ValidateRules(rules); !s.ok()) return s;
  if (absl::Status s = CheckRange(from, to); !s.ok()) return s;
  std::vector<Window> out;
  for (const FreezeRule& rule : rules) {
    absl::StatusOr<std::vector<Window>> ws = Expand(rule, calendar, from, to);
    if (!ws.ok()) return ws.status();
    std::move(ws->begin(), ws->end(), std::back_inserter(out));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Window& a, const Window& b) { return a.start < b.start; });
  return out;
}

absl::StatusOr<FreezeState> FrozenAt(absl::Span<const FreezeRule> rules,
                                     const WorkingDays& calendar, absl::Time at,
                                     absl::string_view account) {
  if (absl::Status s = ValidateRules(rules); !s.ok()) return s;
  if (at == absl::InfinitePast() || at == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("at: must be a finite instant");
  }
  // Every applicable rule's windows near `at`, in the rules' order.
  std::vector<Window> windows;
  for (const FreezeRule& rule : rules) {
    if (!rule.accounts.empty() &&
        std::find(rule.accounts.begin(), rule.accounts.end(), account) == rule.accounts.end()) {
      continue;
    }
    absl::StatusOr<std::vector<Window>> ws =
        Expand(rule, calendar, at - kLookBack, at + kLookAhead);
    if (!ws.ok()) return ws.status();
    std::move(ws->begin(), ws->end(), std::back_inserter(windows));
  }

  FreezeState state;
  for (const Window& w : windows) {
    if (w.start <= at && at < w.end) state.by.push_back(w);
  }
  state.frozen = !state.by.empty();
  if (state.frozen) {
    // The union of all windows that holds `at`: sweep them by start.
    std::vector<std::pair<absl::Time, absl::Time>> spans;
    spans.reserve(windows.size());
    for (const Window& w : windows) spans.emplace_back(w.start, w.end);
    std::sort(spans.begin(), spans.end());
    absl::Time since = spans.front().first, until = spans.front().second;
    for (const auto& [start, end] : spans) {
      if (start > until) {
        if (since <= at && at < until) break;
        since = start;
        until = end;
      } else {
        until = std::max(until, end);
      }
    }
    state.since = since;
    state.until = until;
  }
  const absl::Time after = state.frozen ? state.until : at;
  for (const Window& w : windows) {
    if (w.start > after && (!state.next.has_value() || w.start < state.next->start)) {
      state.next = w;
    }
  }
  return state;
}

}  // namespace rampart::freeze
