// `rampart segment ...`: named sets of accounts (SegmentService).
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/expr/condition_parser.h"
#include "core/common/keys.h"
#include "rampart/v1/admin.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::SegmentService::Stub;

absl::StatusOr<v1::Segment> GetSegment(Session& session, const std::string& key) {
  v1::GetSegmentRequest request;
  request.set_key(key);
  return session.Call(&Stub::GetSegment, request);
}

absl::StatusOr<v1::Segment> PutSegment(Session& session, const v1::WriteMeta& meta,
                                       const v1::Segment& segment) {
  v1::PutSegmentRequest request;
  *request.mutable_meta() = meta;
  *request.mutable_segment() = segment;
  return session.Call(&Stub::PutSegment, request);
}

std::string MatchLabel(v1::Match match) { return match == v1::MATCH_ANY ? "any" : "all"; }

// The field options of `segment create` and `segment update`; the
// un-options (--uninclude, --clear-conditions...) are update's only.
struct SegmentEdits {
  std::optional<std::string> name, description, time_zone, match;
  std::vector<std::string> include, exclude, uninclude, unexclude, where;
  bool clear_conditions = false;
};

// Adds the field options; returns them, so that --file can exclude them.
std::vector<CLI::Option*> AddEditOptions(CLI::App* verb, SegmentEdits& e, bool update) {
  std::vector<CLI::Option*> options = {
      verb->add_option("--name", e.name, "Display name"),
      verb->add_option("--description", e.description, "What the segment is for"),
      verb->add_option("--include", e.include, "Add this account as a member; repeatable"),
      verb->add_option("--exclude", e.exclude,
                       "Keep this account out even when the conditions match; repeatable"),
      verb->add_option("--where", e.where,
                       absl::StrCat(update ? "Append a condition" : "A condition",
                                    " over account attributes, e.g. 'industry == accounting', "
                                    "'ltv >= 1000000'; repeatable")),
      verb->add_option("--match", e.match,
                       "all: every condition must hold (the default); any: one is enough")
          ->check(CLI::IsMember({"all", "any"})),
      verb->add_option("--tz", e.time_zone,
                       "IANA zone for the segment's freeze calendars when an account has none"),
  };
  if (update) {
    options.push_back(verb->add_option("--uninclude", e.uninclude,
                                       "Remove this account from the members; repeatable"));
    options.push_back(verb->add_option("--unexclude", e.unexclude,
                                       "Remove this account from the excluded; repeatable"));
    options.push_back(verb->add_flag("--clear-conditions", e.clear_conditions,
                                     "Drop every condition (before appending --where ones)"));
  }
  return options;
}

absl::Status ApplyEdits(const SegmentEdits& e, v1::Segment& segment) {
  if (e.time_zone) RETURN_IF_ERROR(ValidateTimeZone("--tz", *e.time_zone));
  if (e.name) segment.set_name(*e.name);
  if (e.description) segment.set_description(*e.description);
  if (e.time_zone) segment.set_time_zone(*e.time_zone);
  if (e.match) segment.set_match(*e.match == "any" ? v1::MATCH_ANY : v1::MATCH_ALL);
  RETURN_IF_ERROR(
      RemoveEach("--uninclude", e.uninclude, "included accounts", segment.mutable_included()));
  RETURN_IF_ERROR(
      RemoveEach("--unexclude", e.unexclude, "excluded accounts", segment.mutable_excluded()));
  AddUnique(e.include, segment.mutable_included());
  AddUnique(e.exclude, segment.mutable_excluded());
  if (e.clear_conditions) segment.clear_conditions();
  return ParseConditions("--where", e.where, segment.mutable_conditions());
}

void PrintSegment(const v1::Segment& segment) {
  std::vector<std::string> conditions;
  for (const v1::Condition& condition : segment.conditions()) {
    conditions.push_back(FormatCondition(condition));
  }
  Fields()
      .Add("key", segment.key())
      .Add("name", segment.name())
      .Add("description", segment.description())
      .Add("time zone", segment.time_zone())
      .Add("match", MatchLabel(segment.match()))
      .Add("conditions", conditions)
      .Add("included", absl::StrJoin(segment.included(), ", "))
      .Add("excluded", absl::StrJoin(segment.excluded(), ", "))
      .Add("revision", absl::StrCat(segment.revision()))
      .Add("created", FormatTimestamp(segment.created_at()))
      .Add("updated", FormatTimestamp(segment.updated_at()))
      .Print(std::cout);
}

void AddCreate(CLI::App* noun, Session& session) {
  struct Options {
    std::string key, file;
    SegmentEdits edits;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "create", "Create a segment", [&session, o] {
    v1::Segment segment;
    if (!o->file.empty()) {
      ASSIGN_OR_RETURN(segment, ReadObjectFile<v1::Segment>(o->file, o->key));
    } else {
      if (o->key.empty()) return absl::InvalidArgumentError("give the segment's KEY, or --file");
      RETURN_IF_ERROR(ValidateKey("segment key", o->key));
      segment.set_key(o->key);
      segment.set_match(v1::MATCH_ALL);
      RETURN_IF_ERROR(ApplyEdits(o->edits, segment));
    }
    ASSIGN_OR_RETURN(v1::Segment created, PutSegment(session, session.Meta(o->write, 0), segment));
    return session.Confirm(created,
                           Confirmation("segment", created.key(), "created", created.revision()));
  });
  verb->add_option("KEY", o->key, "The new segment's key (optional with --file)");
  ExcludeEach(verb->add_option("--file", o->file,
                               "Create from a file holding the Segment message in protobuf JSON"),
              AddEditOptions(verb, o->edits, /*update=*/false));
  AddWriteOptions(verb, o->write, /*change=*/false);
}

void AddGet(CLI::App* noun, Session& session) {
  auto key = std::make_shared<std::string>();
  CLI::App* verb = session.AddVerb(noun, "get", "Show one segment", [&session, key] {
    ASSIGN_OR_RETURN(v1::Segment segment, GetSegment(session, *key));
    return session.Print(segment, [&] { PrintSegment(segment); });
  });
  verb->add_option("KEY", *key, "The segment's key")->required();
}

void AddList(CLI::App* noun, Session& session) {
  auto limit = std::make_shared<int>();
  CLI::App* verb = session.AddVerb(noun, "list", "List segments", [&session, limit] {
    ASSIGN_OR_RETURN(auto response, ReadPages(*limit, &v1::ListSegmentsResponse::segments_size,
                                              [&](const v1::Page& page) {
                                                v1::ListSegmentsRequest request;
                                                *request.mutable_page() = page;
                                                return session.Call(&Stub::ListSegments, request);
                                              }));
    return session.Print(response, [&] { PrintSegmentTable(response); });
  });
  AddLimitOption(verb, *limit, 100);
}

void AddMembers(CLI::App* noun, Session& session) {
  struct Options {
    std::string key;
    int limit = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb =
      session.AddVerb(noun, "members", "List the accounts a segment holds now", [&session, o] {
        v1::ListSegmentMembersRequest request;
        request.set_key(o->key);
        ASSIGN_OR_RETURN(auto response,
                         ReadPages(o->limit, &v1::ListAccountsResponse::accounts_size,
                                   [&](const v1::Page& page) {
                                     *request.mutable_page() = page;
                                     return session.Call(&Stub::ListSegmentMembers, request);
                                   }));
        return session.Print(response, [&] { PrintAccountTable(response); });
      });
  verb->add_option("KEY", o->key, "The segment's key")->required();
  AddLimitOption(verb, o->limit, 100);
}

void AddUpdate(CLI::App* noun, Session& session) {
  struct Options {
    std::string key, file;
    SegmentEdits edits;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "update", "Change a segment", [&session, o] {
    const auto get = [&] { return GetSegment(session, o->key); };
    const auto put = [&](const v1::WriteMeta& meta, const v1::Segment& segment) {
      return PutSegment(session, meta, segment);
    };
    v1::Segment updated;
    if (!o->file.empty()) {
      ASSIGN_OR_RETURN(const v1::Segment segment, ReadObjectFile<v1::Segment>(o->file, o->key));
      ASSIGN_OR_RETURN(const int64_t revision, RevisionForFileChange(o->write, segment, get));
      ASSIGN_OR_RETURN(updated, put(session.Meta(o->write, revision), segment));
    } else {
      ASSIGN_OR_RETURN(updated, ReadModifyWrite<v1::Segment>(
                                    session, o->write, get,
                                    [&](v1::Segment& s) { return ApplyEdits(o->edits, s); }, put));
    }
    return session.Confirm(updated,
                           Confirmation("segment", updated.key(), "updated", updated.revision()));
  });
  verb->add_option("KEY", o->key, "The segment's key")->required();
  ExcludeEach(verb->add_option("--file", o->file,
                               "Replace the segment with the Segment message in this protobuf "
                               "JSON file (its revision is used unless --revision)"),
              AddEditOptions(verb, o->edits, /*update=*/true));
  AddWriteOptions(verb, o->write, /*change=*/true);
}

void AddDelete(CLI::App* noun, Session& session) {
  struct Options {
    std::string key;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "delete", "Delete a segment (refused while a flag rule uses it)", [&session, o] {
        ASSIGN_OR_RETURN(const int64_t revision, RevisionForChange<v1::Segment>(o->write, [&] {
                           return GetSegment(session, o->key);
                         }));
        v1::DeleteSegmentRequest request;
        *request.mutable_meta() = session.Meta(o->write, revision);
        request.set_key(o->key);
        ASSIGN_OR_RETURN(v1::DeleteResponse response, session.Call(&Stub::DeleteSegment, request));
        return session.Confirm(response,
                               Confirmation("segment", o->key, "deleted", response.revision()));
      });
  verb->add_option("KEY", o->key, "The segment's key")->required();
  AddWriteOptions(verb, o->write, /*change=*/true);
}

}  // namespace

void PrintSegmentTable(const v1::ListSegmentsResponse& response) {
  Table table({"key", "name", "conditions", "included", "excluded"});
  for (const v1::Segment& segment : response.segments()) {
    table.AddRow({segment.key(), segment.name(),
                  OrDash(FormatConditions(segment.conditions(), segment.match())),
                  absl::StrCat(segment.included_size()), absl::StrCat(segment.excluded_size())});
  }
  table.Print(std::cout);
  NoteMore(response.next_page_token());
}

void AddSegmentCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand("segment", "Segments: named sets of accounts");
  noun->require_subcommand(1);
  AddCreate(noun, session);
  AddGet(noun, session);
  AddList(noun, session);
  AddMembers(noun, session);
  AddUpdate(noun, session);
  AddDelete(noun, session);
}

}  // namespace rampart::cli
