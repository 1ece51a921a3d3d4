// `rampart calendar`: the working-day calendars freeze rules roll their
// days by (CalendarService). `import` loads an official year from an
// xmlcalendar file, e.g. next year's decree the day it is published; `show`
// sums up the years: official or provisional, working days by quarter.
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "rampart/v1/calendar.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::CalendarService::Stub;

std::string Quarters(const v1::CalendarYearSummary& y) {
  return absl::StrJoin(y.working_days_by_quarter(), " / ");
}

std::string Standing(const v1::CalendarYearSummary& y) {
  if (y.imported()) return "official (imported)";
  return y.official() ? "official" : "provisional";
}

void PrintYears(const google::protobuf::RepeatedPtrField<v1::CalendarYearSummary>& years) {
  Table table({"year", "data", "working days", "by quarter", "days off", "shortened", "source"});
  for (const v1::CalendarYearSummary& y : years) {
    table.AddRow({absl::StrCat(y.year()), Standing(y), absl::StrCat(y.working_days()),
                  Quarters(y), absl::StrCat(y.days_off()), absl::StrCat(y.shortened_days()),
                  OrDash(y.source())});
  }
  table.Print(std::cout);
}

struct ImportOptions {
  std::string file;
  WriteOptions write;
};

struct ShowOptions {
  int from = 0;
  int to = 0;
};

}  // namespace

void AddCalendarCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand(
      "calendar", "Working-day calendars (the Russian federal production calendar) for freezes");
  noun->require_subcommand(1);

  auto imp = std::make_shared<ImportOptions>();
  CLI::App* import = session.AddVerb(
      noun, "import", "Load an official year from an xmlcalendar file (replaces that year's data)",
      [&session, imp] {
        ASSIGN_OR_RETURN(const std::string xml, ReadTextFile("FILE", imp->file));
        v1::ImportCalendarRequest request;
        *request.mutable_meta() = session.Meta(imp->write, 0);
        request.set_xmlcalendar(xml);
        request.set_file_name(imp->file);
        ASSIGN_OR_RETURN(auto year, session.Call(&Stub::ImportCalendar, request));
        return session.Print(year, [&] {
          std::cout << "calendar year " << year.year() << " imported: " << year.working_days()
                    << " working days (" << Quarters(year) << " by quarter)" << std::endl;
        });
      });
  import->add_option("FILE", imp->file, "The xmlcalendar file (one country and year)")
      ->required();
  AddWriteOptions(import, imp->write, /*change=*/false);

  auto show = std::make_shared<ShowOptions>();
  CLI::App* show_verb = session.AddVerb(
      noun, "show", "The years of the calendar: official or provisional, working days",
      [&session, show] {
        v1::GetCalendarRequest request;
        request.set_from_year(show->from);
        request.set_to_year(show->to);
        ASSIGN_OR_RETURN(auto view, session.Call(&Stub::GetCalendar, request));
        return session.Print(view, [&] { PrintYears(view.years()); });
      });
  show_verb->add_option("--from", show->from,
                        "First year (default: the first official or imported year)");
  show_verb->add_option("--to", show->to, "Last year (default: next year)");
}

}  // namespace rampart::cli
