#include "core/calendar/production_calendar.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/calendar/art112.h"

namespace rampart::calendar {
namespace {

int DayOfYear(absl::CivilDay day) {
  return static_cast<int>(day - absl::CivilDay(day.year(), 1, 1));
}

// The kind of a day with a record, starting from its kind in the plain week.
// Records are DayRecord or ProvisionalDay.
template <typename Record>
DayKind KindWithRecord(DayKind plain, const Record& r) {
  switch (r.type) {
    case DayType::kDayOff:
      if (r.holiday > 0) return DayKind::kHoliday;
      if (r.moved_from.has_value()) return DayKind::kMovedDayOff;
      // A day off the data declares on a weekend is still the weekend.
      return plain == DayKind::kWeekend ? DayKind::kWeekend : DayKind::kNonWorkingDay;
    case DayType::kShortened:
      return DayKind::kShortenedDay;
    case DayType::kWorkingWeekend:
      return DayKind::kWorkingWeekendDay;
  }
  return plain;
}

DayKind PlainKind(const Weekend& weekend, absl::CivilDay day) {
  return IsWeekend(weekend, day) ? DayKind::kWeekend : DayKind::kWorkingDay;
}

// Kinds by day of the year: the plain week, then the records.
template <typename Records>
void FillKinds(int year, const Weekend& weekend, const Records& records,
               std::array<DayKind, 366>& kinds) {
  const absl::CivilDay jan1(year, 1, 1);
  const int days = static_cast<int>(absl::CivilDay(year + 1, 1, 1) - jan1);
  int weekday = static_cast<int>(absl::GetWeekday(jan1));
  for (int i = 0; i < days; ++i, weekday = (weekday + 1) % 7) {
    kinds[i] = weekend[weekday] ? DayKind::kWeekend : DayKind::kWorkingDay;
  }
  for (const auto& r : records) {
    DayKind& kind = kinds[DayOfYear(r.day)];
    kind = KindWithRecord(kind, r);
  }
}

}  // namespace

bool IsWorkingKind(DayKind kind) {
  return kind == DayKind::kWorkingDay || kind == DayKind::kShortenedDay ||
         kind == DayKind::kWorkingWeekendDay;
}

absl::string_view DayKindName(DayKind kind) {
  switch (kind) {
    case DayKind::kWorkingDay:
      return "working day";
    case DayKind::kShortenedDay:
      return "shortened working day";
    case DayKind::kWorkingWeekendDay:
      return "working weekend day";
    case DayKind::kWeekend:
      return "weekly day off";
    case DayKind::kHoliday:
      return "holiday";
    case DayKind::kMovedDayOff:
      return "moved day off";
    case DayKind::kNonWorkingDay:
      return "non-working day";
  }
  return "unknown";
}

Period Period::Month(absl::CivilMonth month) {
  return Period{absl::CivilDay(month), absl::CivilDay(month + 1) - 1};
}

Period Period::Quarter(int year, int quarter) {
  const absl::CivilMonth first(year, 3 * (quarter - 1) + 1);
  return Period{absl::CivilDay(first), absl::CivilDay(first + 3) - 1};
}

Period Period::Year(int year) {
  return Period{absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)};
}

absl::StatusOr<ProductionCalendar> ProductionCalendar::Create(Weekend weekend,
                                                              std::string country) {
  if (std::all_of(weekend.begin(), weekend.end(), [](bool off) { return off; })) {
    return absl::InvalidArgumentError("weekend: every day of the week is a weekly day off");
  }
  return ProductionCalendar(weekend, std::move(country));
}

absl::Status ProductionCalendar::SetYear(YearData data) {
  if (!country_.empty() && !data.country.empty() && data.country != country_) {
    return absl::InvalidArgumentError(absl::StrCat("calendar ", data.year, ": country \"",
                                                   data.country, "\" is not this calendar's \"",
                                                   country_, "\""));
  }
  if (absl::Status s = ValidateYearData(data, weekend_); !s.ok()) return s;
  std::sort(data.days.begin(), data.days.end(),
            [](const DayRecord& a, const DayRecord& b) { return a.day < b.day; });
  std::sort(data.holidays.begin(), data.holidays.end(),
            [](const HolidayName& a, const HolidayName& b) { return a.id < b.id; });
  const int year = data.year;
  StoredYear stored{std::move(data), {}};
  FillKinds(year, weekend_, stored.data.days, stored.table.kinds);
  years_.insert_or_assign(year, std::move(stored));
  return absl::OkStatus();
}

bool ProductionCalendar::ClearYear(int year) { return years_.erase(year) > 0; }

std::vector<int> ProductionCalendar::YearsWithData() const {
  std::vector<int> years;
  for (const auto& [year, stored] : years_) years.push_back(year);
  std::sort(years.begin(), years.end());
  return years;
}

YearData ProductionCalendar::Year(int year) const {
  auto it = years_.find(year);
  if (it != years_.end()) return it->second.data;
  return ProvisionalYear(year, weekend_);
}

Provenance ProductionCalendar::ProvenanceOf(int year) const {
  auto it = years_.find(year);
  return it != years_.end() ? it->second.data.provenance : Provenance::kProvisional;
}

std::string ProductionCalendar::SourceOf(int year) const {
  auto it = years_.find(year);
  return it != years_.end() ? it->second.data.source : ProvisionalSource(year);
}

const ProductionCalendar::YearTable& ProductionCalendar::TableFor(int year,
                                                                  YearTable& scratch) const {
  auto it = years_.find(year);
  if (it != years_.end()) return it->second.table;
  FillKinds(year, weekend_, ComputeProvisionalDays(year, weekend_), scratch.kinds);
  return scratch;
}

DayKind ProductionCalendar::KindOf(absl::CivilDay day) const {
  auto it = years_.find(static_cast<int>(day.year()));
  if (it != years_.end()) return it->second.table.kinds[DayOfYear(day)];
  // No table for one day: the provisional records, searched.
  const DayKind plain = PlainKind(weekend_, day);
  for (const ProvisionalDay& p : ComputeProvisionalDays(static_cast<int>(day.year()), weekend_)) {
    if (p.day == day) return KindWithRecord(plain, p);
  }
  return plain;
}

DayInfo ProductionCalendar::Describe(absl::CivilDay day) const {
  const YearData data = Year(static_cast<int>(day.year()));
  DayInfo info;
  info.day = day;
  info.kind = KindOf(day);
  info.provenance = data.provenance;
  info.basis = data.source;
  auto it = std::lower_bound(data.days.begin(), data.days.end(), day,
                             [](const DayRecord& r, absl::CivilDay d) { return r.day < d; });
  if (it == data.days.end() || it->day != day) return info;
  info.moved_from = it->moved_from;
  if (!it->basis.empty()) info.basis = it->basis;
  for (const HolidayName& h : data.holidays) {
    if (h.id == it->holiday) info.holiday = h.title;
  }
  return info;
}

int ProductionCalendar::WorkingDaysIn(const Period& period) const {
  int count = 0;
  YearTable scratch;
  for (absl::CivilYear y(period.first); y <= absl::CivilYear(period.last); ++y) {
    const YearTable& table = TableFor(static_cast<int>(y.year()), scratch);
    const absl::CivilDay from = std::max(period.first, absl::CivilDay(y));
    const absl::CivilDay to = std::min(period.last, absl::CivilDay(y + 1) - 1);
    for (int i = DayOfYear(from), end = DayOfYear(to); i <= end; ++i) {
      if (IsWorkingKind(table.kinds[i])) ++count;
    }
  }
  return count;
}

std::optional<absl::CivilDay> ProductionCalendar::NthWorkingDay(const Period& period, int n) const {
  if (n < 1) return std::nullopt;
  YearTable scratch;
  for (absl::CivilYear y(period.first); y <= absl::CivilYear(period.last); ++y) {
    const YearTable& table = TableFor(static_cast<int>(y.year()), scratch);
    const absl::CivilDay jan1(y);
    const absl::CivilDay from = std::max(period.first, jan1);
    const absl::CivilDay to = std::min(period.last, absl::CivilDay(y + 1) - 1);
    for (int i = DayOfYear(from), end = DayOfYear(to); i <= end; ++i) {
      if (IsWorkingKind(table.kinds[i]) && --n == 0) return jan1 + i;
    }
  }
  return std::nullopt;
}

std::optional<absl::CivilDay> ProductionCalendar::NthLastWorkingDay(const Period& period,
                                                                    int n) const {
  if (n < 1) return std::nullopt;
  YearTable scratch;
  for (absl::CivilYear y(period.last); y >= absl::CivilYear(period.first); --y) {
    const YearTable& table = TableFor(static_cast<int>(y.year()), scratch);
    const absl::CivilDay jan1(y);
    const absl::CivilDay from = std::max(period.first, jan1);
    const absl::CivilDay to = std::min(period.last, absl::CivilDay(y + 1) - 1);
    for (int i = DayOfYear(to), begin = DayOfYear(from); i >= begin; --i) {
      if (IsWorkingKind(table.kinds[i]) && --n == 0) return jan1 + i;
    }
  }
  return std::nullopt;
}

}  // namespace rampart::calendar
