// `rampart whois` and `rampart history`: the support view (SupportService;
// issue 6). whois: every flag for one account, its value, why, since when
// and what comes next, now or --at a past instant; history: the changes the
// account saw, when, by whom and why.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "core/common/time_util.h"
#include "rampart/v1/support.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::SupportService::Stub;

struct WhoisOptions {
  std::string account;
  std::string user;
  std::string at;
};

struct HistoryOptions {
  std::string account;
  std::string flag;
  std::string user;
  std::string from;
  std::string to;
  int limit = 0;
};

std::string Value(const v1::FlagValue& v, bool has) { return has ? FormatFlagValue(v) : "-"; }

void PrintWhois(const v1::WhoisView& w) {
  Fields head;
  head.Add("account", absl::StrCat(w.account().key(), w.account().name().empty()
                                                          ? ""
                                                          : absl::StrCat(" (", w.account().name(), ")")));
  head.Add("at", absl::StrCat(FormatTimestamp(w.at()),
                              w.historical() ? "  (from the history)" : ""));
  head.Add("segments", OrDash(absl::StrJoin(w.segments(), ", ")));
  head.Add("frozen", w.frozen() ? absl::StrCat("yes, by ", w.frozen_by(), " until ",
                                               FormatTimestamp(w.frozen_until()))
                                : std::string("no"));
  head.Print(std::cout);
  std::cout << "\n";
  Table table({"flag", "value", "reason", "since", "why", "next"});
  for (const v1::WhoisFlag& f : w.flags()) {
    std::vector<std::string> next;
    for (const v1::WhoisNext& n : f.next()) {
      next.push_back(absl::StrCat(FormatTimestamp(n.at()), " ", n.what()));
    }
    table.AddRow({f.flag_key(),
                  f.error_code() != v1::ERROR_CODE_UNSPECIFIED
                      ? EnumLabel("ERROR_CODE_", v1::ErrorCode_Name(f.error_code()))
                      : Value(f.value(), f.has_value()),
                  v1::Reason_Name(f.reason()).substr(7), FormatTimestamp(f.since()),
                  OrDash(f.why()), OrDash(absl::StrJoin(next, "; "))});
  }
  table.Print(std::cout);
}

void PrintHistory(const v1::HistoryResponse& h) {
  Table table({"seen", "flag", "value", "reason", "changed", "by", "operation", "why"});
  for (const v1::HistoryEvent& e : h.events()) {
    std::string operation = e.operation();
    if (e.held()) operation += " (held by a freeze)";
    if (e.break_freeze()) operation += " (broke the freeze)";
    std::string subject = e.flag_key(), value = "-", reason = "-";
    if (!e.segment_key().empty()) {
      subject = absl::StrCat("(segment ", e.segment_key(), ")");
      value = e.joined_segment() ? "joined" : "left";
    } else if (e.flag_key().empty()) {
      subject = "(account)";
    } else {
      value =
          absl::StrCat(Value(e.before(), e.has_before()), " -> ", Value(e.after(), e.has_after()));
      reason = v1::Reason_Name(e.reason()).substr(7);
    }
    table.AddRow({FormatTimestamp(e.at()), subject, value, reason, FormatTimestamp(e.changed_at()),
                  e.actor(), operation, e.change_reason()});
  }
  table.Print(std::cout);
  if (h.truncated()) std::cerr << "(older events left out: raise --limit)\n";
}

}  // namespace

void AddSupportCommands(CLI::App& root, Session& session) {
  auto w = std::make_shared<WhoisOptions>();
  CLI::App* whois = session.AddVerb(
      &root, "whois",
      "Every flag for an account: value, why, since when, what comes next (now or --at)",
      [&session, w] {
        v1::WhoisRequest request;
        request.set_account(w->account);
        request.set_user_key(w->user);
        if (!w->at.empty()) {
          ASSIGN_OR_RETURN(*request.mutable_at(), ParseTimeOption("--at", w->at));
        }
        ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::Whois, request));
        return session.Print(resp, [&] { PrintWhois(resp); });
      });
  whois->add_option("ACCOUNT", w->account, "The account's key")->required();
  whois->add_option("--user", w->user, "A user inside the account");
  whois->add_option("--at", w->at,
                    "As of this past TIME (RFC 3339, or '2026-12-15 09:00' in UTC), from the "
                    "history; default: now");

  auto h = std::make_shared<HistoryOptions>();
  CLI::App* history = session.AddVerb(
      &root, "history", "The changes an account saw (of every flag, or --flag), oldest first",
      [&session, h] {
        v1::HistoryRequest request;
        request.set_account(h->account);
        request.set_flag(h->flag);
        request.set_user_key(h->user);
        request.set_limit(h->limit);
        if (!h->from.empty()) {
          ASSIGN_OR_RETURN(*request.mutable_from(), ParseTimeOption("--from", h->from));
        }
        if (!h->to.empty()) {
          ASSIGN_OR_RETURN(*request.mutable_to(), ParseTimeOption("--to", h->to));
        }
        ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::History, request));
        return session.Print(resp, [&] { PrintHistory(resp); });
      });
  history->add_option("--account", h->account, "The account's key")->required();
  history->add_option("--flag", h->flag, "Only this flag");
  history->add_option("--user", h->user, "A user inside the account");
  history->add_option("--from", h->from, "From this TIME (inclusive)");
  history->add_option("--to", h->to, "Until this TIME (exclusive; default: now)");
  history->add_option("--limit", h->limit, "At most this many events, the newest (default 100)");
}

}  // namespace rampart::cli
