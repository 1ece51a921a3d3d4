// `rampart audit list`: who changed what, when and why (AuditService).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "rampart/v1/admin.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::AuditService::Stub;

struct AuditOptions {
  std::string flag, account, segment, actor;
  std::optional<std::string> from, to;
  int limit = 0;
  bool oldest_first = false;
};

absl::StatusOr<v1::ListAuditRequest> BuildRequest(const AuditOptions& o) {
  v1::ListAuditRequest request;
  const std::pair<v1::ObjectKind, const std::string*> objects[] = {
      {v1::OBJECT_KIND_FLAG, &o.flag},
      {v1::OBJECT_KIND_ACCOUNT, &o.account},
      {v1::OBJECT_KIND_SEGMENT, &o.segment},
  };
  for (const auto& [kind, key] : objects) {
    if (key->empty()) continue;
    request.set_kind(kind);
    request.set_object_key(*key);
  }
  request.set_actor(o.actor);
  if (o.from) {
    ASSIGN_OR_RETURN(*request.mutable_from(), ParseTimeOption("--from", *o.from));
  }
  if (o.to) {
    ASSIGN_OR_RETURN(*request.mutable_to(), ParseTimeOption("--to", *o.to));
  }
  request.set_oldest_first(o.oldest_first);
  return request;
}

void PrintAuditTable(const v1::ListAuditResponse& response) {
  Table table({"revision", "time", "actor", "object", "action", "operation", "reason"});
  for (const v1::AuditEntry& entry : response.entries()) {
    table.AddRow(
        {absl::StrCat(entry.revision()), FormatTimestamp(entry.time()), entry.actor(),
         absl::StrCat(EnumLabel("OBJECT_KIND_", v1::ObjectKind_Name(entry.kind())), " ",
                      entry.object_key()),
         EnumLabel("AUDIT_ACTION_", v1::AuditAction_Name(entry.action())),
         absl::StrCat(OrDash(entry.operation()), entry.break_freeze() ? " (broke the freeze)" : ""),
         entry.reason()});
  }
  table.Print(std::cout);
  NoteMore(response.next_page_token());
}

}  // namespace

void AddAuditCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand("audit", "The audit log: every change, who, when and why");
  noun->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();
  CLI::App* verb = session.AddVerb(noun, "list", "List audit entries, newest first", [&session, o] {
    ASSIGN_OR_RETURN(v1::ListAuditRequest request, BuildRequest(*o));
    ASSIGN_OR_RETURN(auto response, ReadPages(o->limit, &v1::ListAuditResponse::entries_size,
                                              [&](const v1::Page& page) {
                                                *request.mutable_page() = page;
                                                return session.Call(&Stub::ListAudit, request);
                                              }));
    return session.Print(response, [&] { PrintAuditTable(response); });
  });
  CLI::Option* flag = verb->add_option("--flag", o->flag, "Only this flag's entries");
  CLI::Option* account = verb->add_option("--account", o->account, "Only this account's entries");
  CLI::Option* segment = verb->add_option("--segment", o->segment, "Only this segment's entries");
  flag->excludes(account)->excludes(segment);
  account->excludes(segment);
  verb->add_option("--actor", o->actor, "Only changes by this actor");
  verb->add_option("--from", o->from,
                   "Only changes at or after this TIME (RFC 3339, or '2026-12-15 09:00' / "
                   "'2026-12-15' in UTC)");
  verb->add_option("--to", o->to, "Only changes before this TIME");
  verb->add_flag("--oldest-first", o->oldest_first, "Oldest entries first");
  AddLimitOption(verb, o->limit, 50);
}

}  // namespace rampart::cli
