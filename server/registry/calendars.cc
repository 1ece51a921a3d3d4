// Registry: the working-day calendars (issue 5). The Russian federal
// calendar is built in (core/calendar/ru_calendar.h: the official 2026 data,
// other years computed from Labour Code art. 112 and provisional); official
// years imported from xmlcalendar files are stored in the calendars column
// family and replace the built-in or computed data of their year.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/calendar/production_calendar.h"
#include "core/calendar/ru_calendar.h"
#include "core/calendar/xmlcalendar.h"
#include "core/common/status_macros.h"
#include "server/registry/freeze_internal.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

constexpr absl::string_view kCountry = "ru";

absl::Status CheckCountry(absl::string_view field, absl::string_view country) {
  if (country.empty() || country == kCountry) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": \"", country, "\": only \"ru\" (the Russian federal calendar) is supported"));
}

}  // namespace

absl::StatusOr<calendar::ProductionCalendar> LoadWorkingCalendar(const storage::Store& store,
                                                                 std::set<int>* imported) {
  calendar::ProductionCalendar cal = calendar::RussianFederalCalendar();
  absl::Status error;
  RETURN_IF_ERROR(ForEachObject<v1::CalendarYear>(store, "", [&](const v1::CalendarYear& y) {
    absl::StatusOr<calendar::YearData> data = calendar::ParseXmlCalendar(y.xmlcalendar(), y.key());
    if (data.ok()) {
      data->source = y.source();
      error = cal.SetYear(std::move(*data));
    } else {
      error = data.status();
    }
    if (!error.ok()) {
      error = absl::DataLossError(absl::StrCat(Describe<v1::CalendarYear>(y.key()),
                                               ": stored data does not load: ", error.message()));
      return false;
    }
    if (imported != nullptr) imported->insert(y.year());
    return true;
  }));
  RETURN_IF_ERROR(error);
  return cal;
}

namespace {

v1::CalendarYearSummary Summarize(const calendar::ProductionCalendar& cal, int year,
                                  bool imported) {
  v1::CalendarYearSummary s;
  s.set_year(year);
  s.set_official(cal.IsOfficial(year));
  s.set_imported(imported);
  s.set_source(cal.SourceOf(year));
  s.set_working_days(cal.WorkingDaysInYear(year));
  const int days = static_cast<int>(absl::CivilDay(year + 1, 1, 1) - absl::CivilDay(year, 1, 1));
  s.set_days_off(days - s.working_days());
  for (int q = 1; q <= 4; ++q) s.add_working_days_by_quarter(cal.WorkingDaysInQuarter(year, q));
  int shortened = 0;
  for (absl::CivilDay d(year, 1, 1); d.year() == year; ++d) shortened += cal.IsShortened(d);
  s.set_shortened_days(shortened);
  return s;
}

}  // namespace

absl::StatusOr<v1::CalendarYearSummary> Registry::ImportCalendar(
    const v1::ImportCalendarRequest& req) {
  Transaction tx(*this, req.meta(), "calendar.import");
  RETURN_IF_ERROR(tx.ValidateMeta());
  const std::string file = req.file_name().empty() ? "xmlcalendar" : req.file_name();
  ASSIGN_OR_RETURN(calendar::YearData data, calendar::ParseXmlCalendar(req.xmlcalendar(), file));
  RETURN_IF_ERROR(CheckCountry(absl::StrCat(file, ": country"), data.country));
  std::set<int> imported;
  ASSIGN_OR_RETURN(calendar::ProductionCalendar cal, LoadWorkingCalendar(store_, &imported));
  v1::CalendarYear record;
  record.set_key(absl::StrCat(kCountry, "-", data.year));
  record.set_country(std::string(kCountry));
  record.set_year(data.year);
  record.set_source(data.source);
  record.set_xmlcalendar(calendar::WriteXmlCalendar(data));
  // Validates the year against the calendar's weekend, and changes nothing
  // when it fails.
  RETURN_IF_ERROR(cal.SetYear(std::move(data)));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::CalendarYear>(store_, record.key()));
  tx.Put(current ? &*current : nullptr, record);
  RETURN_IF_ERROR(tx.Commit().status());
  imported.insert(record.year());
  return Summarize(cal, record.year(), true);
}

absl::StatusOr<v1::CalendarView> Registry::GetCalendar(const v1::GetCalendarRequest& req) const {
  RETURN_IF_ERROR(CheckCountry("country", req.country()));
  std::set<int> imported;
  ASSIGN_OR_RETURN(const calendar::ProductionCalendar cal, LoadWorkingCalendar(store_, &imported));
  int from = req.from_year();
  int to = req.to_year();
  if (from == 0) {
    const std::vector<int> years = cal.YearsWithData();
    from = years.empty() ? absl::ToCivilYear(clock_.Now(), absl::UTCTimeZone()).year()
                         : years.front();
  }
  if (to == 0) to = std::max(from, static_cast<int>(
                                       absl::ToCivilYear(clock_.Now(), absl::UTCTimeZone()).year() + 1));
  if (from < 1990 || to > 2100 || from > to) {
    return absl::InvalidArgumentError(absl::StrCat("from_year, to_year: ", from, "..", to,
                                                   " is not a range of years within 1990..2100"));
  }
  v1::CalendarView view;
  view.set_country(std::string(kCountry));
  for (int y = from; y <= to; ++y) *view.add_years() = Summarize(cal, y, imported.count(y) > 0);
  return view;
}

}  // namespace rampart::registry
