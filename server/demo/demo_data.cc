#include "server/demo/demo_data.h"

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/common/status_macros.h"

namespace rampart::demo {
namespace {

v1::WriteMeta Meta() {
  v1::WriteMeta m;
  m.set_actor("rampartd-demo");
  m.set_reason("demo data set for a new data dir");
  return m;
}

struct DemoAccount {
  const char* key;
  const char* name;
  const char* zone;
  const char* industry;
  const char* plan;
  double ltv;
  std::vector<std::string> tags;
};

v1::Condition Cond(const char* attribute, v1::Operator op, std::vector<std::string> values) {
  v1::Condition c;
  c.set_attribute(attribute);
  c.set_op(op);
  for (auto& v : values) c.add_values(std::move(v));
  return c;
}

v1::Variant BoolVariant(const char* name, bool value) {
  v1::Variant v;
  v.set_name(name);
  v.mutable_value()->set_bool_value(value);
  return v;
}

}  // namespace

absl::Status LoadDemoData(registry::Registry& registry) {
  const std::vector<DemoAccount> accounts = {
      {"acme-accounting", "ACME Accounting LLC", "Europe/Moscow", "accounting", "enterprise",
       4'200'000, {"beta"}},
      {"balance-books", "Balance & Books", "Asia/Novosibirsk", "accounting", "pro", 650'000, {}},
      {"ledger-pro", "Ledger Pro", "Asia/Vladivostok", "accounting", "pro", 380'000, {"beta"}},
      {"kino-mir", "Kino Mir cinemas", "Europe/Moscow", "cinema", "enterprise", 1'900'000, {}},
      {"zakupki-plus", "Zakupki Plus procurement", "Asia/Yekaterinburg", "procurement",
       "enterprise", 2'500'000, {}},
      {"fresh-logistics", "Fresh Logistics", "Europe/Kaliningrad", "logistics", "starter", 90'000,
       {"beta"}},
      {"hr-cloud", "HR Cloud", "Europe/Moscow", "hr", "pro", 240'000, {}},
  };
  // The vendor's own tenant (the "internal" stage of a ramp), and sixty
  // smaller clients, so that ramps of 20 and 50 accounts have someone to pick.
  std::vector<DemoAccount> all = accounts;
  all.push_back({"our-own-tenant", "Our own company (staff)", "Europe/Moscow", "software",
                 "enterprise", 0, {"staff"}});
  static const char* const kIndustries[] = {"accounting", "retail", "logistics", "hr",
                                            "procurement", "cinema"};
  static const char* const kZones[] = {"Europe/Moscow", "Asia/Novosibirsk", "Asia/Vladivostok",
                                       "Europe/Samara"};
  std::vector<std::string> keys, names;
  for (int i = 1; i <= 60; ++i) {
    keys.push_back(absl::StrFormat("client-%02d", i));
    names.push_back(absl::StrFormat("Client %02d", i));
  }
  for (int i = 0; i < 60; ++i) {
    all.push_back({keys[i].c_str(), names[i].c_str(), kZones[i % 4], kIndustries[i % 6],
                   i % 5 == 0 ? "pro" : "starter", 20'000.0 + 7'000.0 * i, {}});
  }
  for (const auto& a : all) {
    v1::PutAccountRequest req;
    *req.mutable_meta() = Meta();
    v1::Account* account = req.mutable_account();
    account->set_key(a.key);
    account->set_name(a.name);
    account->set_time_zone(a.zone);
    auto& attrs = *account->mutable_attributes();
    attrs["industry"].set_string_value(a.industry);
    attrs["plan"].set_string_value(a.plan);
    attrs["ltv"].set_number_value(a.ltv);
    if (!a.tags.empty()) {
      for (const auto& t : a.tags) attrs["tags"].mutable_list_value()->add_values(t);
    }
    RETURN_IF_ERROR(registry.PutAccount(req).status());
  }

  std::vector<v1::Segment> segments(5);
  segments[0].set_key("accounting");
  segments[0].set_name("Accounting firms");
  segments[0].set_description("Clients whose month revolves around tax deadlines");
  *segments[0].add_conditions() = Cond("industry", v1::OPERATOR_EQUALS, {"accounting"});
  segments[0].set_time_zone("Europe/Moscow");
  segments[1].set_key("top-ltv");
  segments[1].set_name("Highest lifetime value");
  segments[1].set_description("Protected: they get a feature last");
  *segments[1].add_conditions() = Cond("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"2000000"});
  segments[2].set_key("beta-testers");
  segments[2].set_name("Asked for betas");
  segments[2].set_match(v1::MATCH_ANY);
  *segments[2].add_conditions() = Cond("tags", v1::OPERATOR_EQUALS, {"beta"});
  segments[2].add_included("hr-cloud");
  segments[3].set_key("internal");
  segments[3].set_name("Our own staff");
  segments[3].set_description("The vendor's own tenants: the first stage of every ramp");
  *segments[3].add_conditions() = Cond("tags", v1::OPERATOR_EQUALS, {"staff"});
  segments[4].set_key("cinemas");
  segments[4].set_name("Cinema chains");
  segments[4].set_description("Their busiest hours are weekend evenings");
  *segments[4].add_conditions() = Cond("industry", v1::OPERATOR_EQUALS, {"cinema"});
  for (const auto& s : segments) {
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_segment() = s;
    RETURN_IF_ERROR(registry.PutSegment(req).status());
  }

  v1::Flag editor;
  editor.set_key("new-invoice-editor");
  editor.set_name("New invoice editor");
  editor.set_description("The rewritten invoice editor with bulk actions");
  editor.set_type(v1::FLAG_TYPE_BOOL);
  *editor.add_variants() = BoolVariant("on", true);
  *editor.add_variants() = BoolVariant("off", false);
  editor.set_default_variant("off");
  editor.set_off_variant("off");
  editor.set_enabled(true);
  editor.set_owner("invoicing-team");
  editor.add_tags("invoicing");
  editor.set_temporary(true);
  v1::Rule* beta = editor.add_rules();
  beta->set_id("beta");
  beta->add_segments("beta-testers");
  beta->set_variant("on");
  beta->set_description("Clients who asked for the beta");

  v1::Flag export_format;
  export_format.set_key("export-format");
  export_format.set_name("Tax report export format");
  export_format.set_type(v1::FLAG_TYPE_STRING);
  for (const char* f : {"xml-2024", "xml-2026"}) {
    v1::Variant* v = export_format.add_variants();
    v->set_name(f);
    v->mutable_value()->set_string_value(f);
  }
  export_format.set_default_variant("xml-2024");
  export_format.set_off_variant("xml-2024");
  export_format.set_enabled(true);
  export_format.set_owner("reporting-team");

  v1::Flag upload;
  upload.set_key("max-upload-mb");
  upload.set_name("Largest attachment, MB");
  upload.set_type(v1::FLAG_TYPE_INT);
  for (auto [name, mb] : std::vector<std::pair<const char*, int>>{{"standard", 25}, {"large", 100}}) {
    v1::Variant* v = upload.add_variants();
    v->set_name(name);
    v->mutable_value()->set_int_value(mb);
  }
  upload.set_default_variant("standard");
  upload.set_off_variant("standard");
  upload.set_enabled(true);
  upload.set_owner("platform-team");
  v1::Rule* enterprise = upload.add_rules();
  enterprise->set_id("enterprise");
  *enterprise->add_conditions() = Cond("plan", v1::OPERATOR_EQUALS, {"enterprise"});
  enterprise->set_variant("large");

  // A feature on its way out through the b2b-default ramp: staff have it,
  // two clients asked for the beta.
  v1::Flag payments;
  payments.set_key("bulk-payments");
  payments.set_name("Bulk payment orders");
  payments.set_description("Pay many invoices with one bank file");
  payments.set_type(v1::FLAG_TYPE_BOOL);
  *payments.add_variants() = BoolVariant("on", true);
  *payments.add_variants() = BoolVariant("off", false);
  payments.set_default_variant("off");
  payments.set_off_variant("off");
  payments.set_enabled(true);
  payments.set_owner("payments-team");

  for (const auto& f : {editor, export_format, upload, payments}) {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_flag() = f;
    RETURN_IF_ERROR(registry.PutFlag(req).status());
  }

  v1::CreateRampRequest ramp;
  *ramp.mutable_meta() = Meta();
  ramp.set_flag_key("bulk-payments");
  ramp.set_template_("b2b-default");
  RETURN_IF_ERROR(registry.CreateRamp(ramp).status());
  for (const char* account : {"ledger-pro", "fresh-logistics"}) {
    v1::BetaEnrollmentRequest enroll;
    *enroll.mutable_meta() = Meta();
    enroll.set_flag_key("bulk-payments");
    enroll.set_account_key(account);
    RETURN_IF_ERROR(registry.EnrollBeta(enroll).status());
  }
  v1::RampActionRequest start;
  *start.mutable_meta() = Meta();
  start.set_flag_key("bulk-payments");
  RETURN_IF_ERROR(registry.StartRamp(start).status());

  // Freeze calendars (docs/freezes.md): the accounting deadlines for the
  // accounting firms, each in its own zone; Saturday evenings for cinemas.
  struct DemoFreeze {
    const char* calendar;
    const char* preset;
    const char* segment;
    const char* description;
  };
  for (const DemoFreeze& f : {
           DemoFreeze{"accounting-deadlines", "ru-accounting", "accounting",
                      "Reporting days: the 25th, the 28th, the 3rd and 5th, the year's end"},
           DemoFreeze{"cinema-evenings", "weekend-evening", "cinemas",
                      "No change while the halls are full"},
       }) {
    v1::AddFreezeRulesRequest add;
    *add.mutable_meta() = Meta();
    add.set_calendar(f.calendar);
    add.set_time_zone("Europe/Moscow");
    add.set_description(f.description);
    add.set_preset(f.preset);
    RETURN_IF_ERROR(registry.AddFreezeRules(add).status());
    v1::AttachFreezeCalendarRequest attach;
    *attach.mutable_meta() = Meta();
    attach.set_calendar(f.calendar);
    attach.add_segments(f.segment);
    RETURN_IF_ERROR(registry.AttachFreezeCalendar(attach).status());
  }
  return absl::OkStatus();
}

}  // namespace rampart::demo
