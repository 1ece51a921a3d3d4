// The plumbing every `rampart` verb shares: the session (global options, the
// gRPC channel, the verb the command line picked), WriteMeta and revision
// handling, parsing of the option syntaxes people type (attributes,
// conditions, times, JSON files), and output (JSON or aligned tables).
//
// The CLI is single-threaded; nothing here is thread-safe.
//
// Errors: every function returns absl::Status / StatusOr whose message is the
// one line the user reads after "rampart: error: ". Local input errors name
// the option (`--attr "ltv": expected NAME=VALUE`); RPC errors carry the gRPC
// code name (`INVALID_ARGUMENT: <server message>`).
#ifndef RAMPART_CLI_COMMANDS_COMMON_H_
#define RAMPART_CLI_COMMANDS_COMMON_H_

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/common/status_macros.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "rampart/v1/admin.pb.h"
#include "rampart/v1/model.pb.h"

namespace rampart::cli {

// Exit codes (docs/cli.md lists them).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;         // any failure, local or RPC
inline constexpr int kExitUsage = 2;         // the command line itself is wrong
inline constexpr int kExitRowsRejected = 3;  // `account import` rejected rows
inline constexpr int kExitFrozen = 4;        // `freeze check`: the account is frozen

// The largest page the API serves (admin.proto, Page.page_size).
inline constexpr int kMaxPageSize = 1000;

// The options on the root command, valid for every verb.
struct GlobalOptions {
  std::string server;            // HOST:PORT of rampartd
  std::string output = "table";  // "table" or "json"
  std::string actor;             // WriteMeta.actor
  double timeout_seconds = 30;   // the deadline of each RPC
  std::string token;             // `authorization: Bearer <token>`; empty: none
  std::string token_file;        // read into `token` when that is empty
  std::string tls_ca_file;       // PEM roots: the channel uses TLS with them
  bool tls = false;              // TLS with the system's roots
  std::string tls_ca_pem;        // the contents of tls_ca_file
};

// The options of every mutating verb.
struct WriteOptions {
  std::string reason;
  // --break-freeze: the change reaches accounts in frozen segments at once.
  bool break_freeze = false;
  // --revision; unset: the object's current revision (changes), 0 (creates).
  std::optional<int64_t> revision;
};

// One run of the CLI: the global options, the channel to rampartd (opened on
// first use, after parsing), and the verb the command line picked.
class Session {
 public:
  // A verb's work, run after parsing; returns the exit code on success.
  using Action = std::function<absl::StatusOr<int>()>;

  explicit Session(const GlobalOptions& options) : options_(options) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.output == "json"; }

  // Adds verb `name` under `parent`; when the command line picks it, `run`
  // runs after parsing and the verb exits 0 on success.
  CLI::App* AddVerb(CLI::App* parent, const std::string& name, const std::string& description,
                    std::function<absl::Status()> run);
  // The same for a verb that chooses its own exit code.
  CLI::App* AddVerbWithExitCode(CLI::App* parent, const std::string& name,
                                const std::string& description, Action run);

  // Runs the picked verb. Returns its exit code, or kExitError after printing
  // its error as one line on stderr.
  int RunPickedVerb();

  // Calls a unary RPC with the --timeout deadline, e.g.
  //   session.Call(&v1::FlagService::Stub::GetFlag, request)
  // Returns the response, or the error as CheckRpc words it.
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                          Response*),
                                const Request& request) {
    Stub stub(channel());
    std::unique_ptr<grpc::ClientContext> context = NewCallContext();
    Response response;
    RETURN_IF_ERROR(CheckRpc((stub.*rpc)(context.get(), request, &response)));
    return response;
  }

  std::shared_ptr<grpc::Channel> channel() const;
  // A context whose deadline is --timeout from now.
  std::unique_ptr<grpc::ClientContext> NewCallContext() const;

  // OK for an OK status; else an error whose message is the line to print:
  // "CODE: server message", or "cannot reach rampartd at HOST:PORT: ..." for
  // UNAVAILABLE. The absl code equals the gRPC code.
  absl::Status CheckRpc(const grpc::Status& status) const;

  // WriteMeta for a write: the --actor, --reason and `expected_revision`.
  v1::WriteMeta Meta(const WriteOptions& write, int64_t expected_revision) const;

  // With --output json prints `message` (protobuf's JSON mapping, proto field
  // names, every primitive field, indented); else runs `print_table`.
  absl::Status Print(const google::protobuf::Message& message,
                     const std::function<void()>& print_table) const;
  // Prints the result of a write: `message` as JSON, or `line` in table mode.
  // After a write by a verb of a noun given to ShowReach, also whom it
  // reaches (table mode): the accounts whose values it changed now, and those
  // in frozen segments when their windows close (FreezeService.DescribeReach
  // of the revision `message` carries).
  absl::Status Confirm(const google::protobuf::Message& message, const std::string& line) const;

  // The verbs of `noun` change what accounts see (flags, ramps): before
  // their write, Meta() prints who is frozen now, and Confirm() whom the
  // write reached.
  void ShowReach(CLI::App* noun) { reach_nouns_.push_back(noun); }

 private:
  bool ShowsReach() const;
  // Revision 0: who is frozen before a write (`break_freeze`: the write
  // will reach them at once); else whom that revision reached.
  void PrintReach(int64_t revision, bool break_freeze) const;

  const GlobalOptions& options_;
  mutable std::shared_ptr<grpc::Channel> channel_;
  std::vector<CLI::App*> reach_nouns_;
  Action picked_;
};

// ---------------------------------------------------------------------------
// Command-line options shared by many verbs

// Adds --reason (required, non-empty) and, when `change`, --revision.
void AddWriteOptions(CLI::App* verb, WriteOptions& write, bool change);
// Adds --limit N (default `default_limit`; 0 = all).
void AddLimitOption(CLI::App* verb, int& limit, int default_limit);
// Makes `file` (a --file option) exclusive with each of `others`.
void ExcludeEach(CLI::Option* file, const std::vector<CLI::Option*>& others);

// `noun "key" verb (revision N)`, the confirmation line of a write.
std::string Confirmation(absl::string_view noun, absl::string_view key, absl::string_view verb,
                         int64_t revision);

// ---------------------------------------------------------------------------
// Revisions: "GET, modify, PUT with the revision"

// The expected_revision of a change: --revision when given, else the object's
// current revision, read with `get`.
template <typename Object, typename Get>
absl::StatusOr<int64_t> RevisionForChange(const WriteOptions& write, Get get) {
  if (write.revision.has_value()) return *write.revision;
  ASSIGN_OR_RETURN(Object current, get());
  return current.revision();
}

// Reads the object with `get`, applies `modify` to it, and writes it with
// `put(meta, object)`, expecting --revision when given, else the revision it
// read. Returns what `put` returns.
template <typename Object, typename Get, typename Modify, typename Put>
absl::StatusOr<Object> ReadModifyWrite(const Session& session, const WriteOptions& write, Get get,
                                       Modify modify, Put put) {
  ASSIGN_OR_RETURN(Object object, get());
  const v1::WriteMeta meta = session.Meta(write, write.revision.value_or(object.revision()));
  RETURN_IF_ERROR(modify(object));
  return put(meta, object);
}

// The expected_revision of a change read from --file: --revision when given,
// else the file's revision when it has one, else the current revision.
template <typename Object, typename Get>
absl::StatusOr<int64_t> RevisionForFileChange(const WriteOptions& write, const Object& file,
                                              Get get) {
  if (!write.revision.has_value() && file.revision() != 0) return file.revision();
  return RevisionForChange<Object>(write, get);
}

// ---------------------------------------------------------------------------
// Paging

// Reads up to `limit` items (0: all) page by page with `fetch(const
// v1::Page&)`. `size` counts a response's items, e.g.
// &v1::ListFlagsResponse::flags_size. Returns the pages merged into one
// response; its next_page_token is set when more items remain.
template <typename Response, typename Fetch>
absl::StatusOr<Response> ReadPages(int limit, int (Response::*size)() const, Fetch fetch) {
  Response all;
  v1::Page page;
  int read = 0;
  while (true) {
    page.set_page_size(limit == 0 ? kMaxPageSize : std::min(limit - read, kMaxPageSize));
    ASSIGN_OR_RETURN(Response one, fetch(page));
    const int got = (one.*size)();
    read += got;
    const std::string token = one.next_page_token();
    all.MergeFrom(one);
    all.set_next_page_token(token);
    // An empty page ends the loop too, so a confused server cannot spin us.
    if (token.empty() || got == 0 || (limit > 0 && read >= limit)) return all;
    page.set_page_token(token);
  }
}

// In table mode, tells stderr that a list was cut at --limit.
void NoteMore(const std::string& next_page_token);
// The same for a list that says so otherwise (`cut`: more items exist).
void NoteCut(bool cut);

// ---------------------------------------------------------------------------
// Parsing what people type

// Parses `--attr` values into `attributes`. Syntax: NAME=VALUE, the type
// inferred (true/false: bool; a plain decimal number: number; else string),
// or NAME:TYPE=VALUE with TYPE string, number, bool or list (items separated
// by ';'). INVALID_ARGUMENT naming `option` and the value on bad syntax.
absl::Status ParseAttributes(absl::string_view option, const std::vector<std::string>& texts,
                             google::protobuf::Map<std::string, v1::AttributeValue>* attributes);
// One attribute, as above.
absl::StatusOr<std::pair<std::string, v1::AttributeValue>> ParseAttribute(absl::string_view option,
                                                                          absl::string_view text);

// Parses `--where` conditions (cli/expr syntax) and appends them to `out`.
absl::Status ParseConditions(absl::string_view option, const std::vector<std::string>& texts,
                             google::protobuf::RepeatedPtrField<v1::Condition>* out);

// Parses a TIME option (RFC 3339, or "2026-12-15 09:00" / "2026-12-15" in UTC).
absl::StatusOr<google::protobuf::Timestamp> ParseTimeOption(absl::string_view option,
                                                            absl::string_view text);

// The whole file at `path` (a --file option or argument named `option`);
// INVALID_ARGUMENT naming both when it cannot be read.
absl::StatusOr<std::string> ReadTextFile(absl::string_view option, const std::string& path);
// Reads a file holding `message` in protobuf's JSON mapping; unknown fields
// are errors. The error names `option` and the path.
absl::Status ReadJsonFile(absl::string_view option, const std::string& path,
                          google::protobuf::Message* message);

// Objects read from --file (a Segment or Flag in protobuf JSON): `key`, the
// KEY argument (may be empty), fills in a key the file lacks and must equal
// one it has.
absl::Status ReconcileFileKey(const std::string& path, const std::string& key,
                              const std::string& file_key);
template <typename Object>
absl::StatusOr<Object> ReadObjectFile(const std::string& path, const std::string& key) {
  Object object;
  RETURN_IF_ERROR(ReadJsonFile("--file", path, &object));
  RETURN_IF_ERROR(ReconcileFileKey(path, key, object.key()));
  if (object.key().empty()) object.set_key(key);
  return object;
}

// Appends each of `values` to `field` unless it is there already.
void AddUnique(const std::vector<std::string>& values,
               google::protobuf::RepeatedPtrField<std::string>* field);
// Removes each of `values` from `field`; INVALID_ARGUMENT naming `option`
// when one is not there (`what` names the list, e.g. "included accounts").
absl::Status RemoveEach(absl::string_view option, const std::vector<std::string>& values,
                        absl::string_view what,
                        google::protobuf::RepeatedPtrField<std::string>* field);

// ---------------------------------------------------------------------------
// Formatting for table mode

// `"text"` for strings, 1200000 / true / [a, b] for the rest.
std::string FormatAttributeValue(const v1::AttributeValue& value);
// One "name = value" line per attribute, sorted by name.
std::vector<std::string> FormatAttributeLines(
    const google::protobuf::Map<std::string, v1::AttributeValue>& attributes);
// "name=value name=value", sorted by name, for a table cell.
std::string FormatAttributesInline(
    const google::protobuf::Map<std::string, v1::AttributeValue>& attributes);
// A flag value as typed: true, 42, 0.5, "text" (quoted), or the JSON text.
std::string FormatFlagValue(const v1::FlagValue& value);
// RFC 3339 in UTC, or "-" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);
// A number without exponent for whole values: 1200000, 0.25.
std::string FormatNumber(double value);
// "-" for an empty string, else the string.
std::string OrDash(absl::string_view text);
// The conditions joined by " and " (MATCH_ALL) or " or " (MATCH_ANY).
std::string FormatConditions(const google::protobuf::RepeatedPtrField<v1::Condition>& conditions,
                             v1::Match match = v1::MATCH_ALL);
// An enum value's name without its prefix and lower-cased:
// EnumLabel("FLAG_TYPE_", "FLAG_TYPE_BOOL") == "bool".
std::string EnumLabel(absl::string_view prefix, const std::string& name);

// Aligned columns under a header row, two spaces apart.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> cells);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Aligned "field: value" lines; a value of several lines continues under the
// first one.
class Fields {
 public:
  Fields& Add(std::string name, std::string value);
  // One line per element; "-" when empty.
  Fields& Add(std::string name, std::vector<std::string> lines);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> fields_;
};

}  // namespace rampart::cli

#endif  // RAMPART_CLI_COMMANDS_COMMON_H_
