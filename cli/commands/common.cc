#include "cli/commands/common.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/expr/condition_parser.h"
#include "core/common/time_util.h"
#include "google/protobuf/util/json_util.h"
#include "rampart/v1/freeze.grpc.pb.h"

namespace rampart::cli {
namespace {

// The message of an error: one line, whatever the server sent.
std::string OneLine(absl::string_view text) {
  return absl::StrReplaceAll(absl::StripAsciiWhitespace(text), {{"\r", " "}, {"\n", " "}});
}

// Display width of UTF-8 text: its code points (good enough for names in
// Latin and Cyrillic scripts, which is what account names hold).
size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

void PrintPadded(std::ostream& out, absl::string_view text, size_t width) {
  out << text << std::string(width - std::min(width, DisplayWidth(text)), ' ');
}

// "12", "-3.5": what `NAME=VALUE` reads as a number without a type. Like the
// CSV reader, a leading zero ("0123") keeps the text a string.
bool IsPlainDecimal(absl::string_view text) {
  if (absl::ConsumePrefix(&text, "-") && text.empty()) return false;
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const auto all_digits = [](absl::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
  };
  if (!all_digits(whole) || (whole.size() > 1 && whole[0] == '0')) return false;
  return dot == absl::string_view::npos || all_digits(text.substr(dot + 1));
}

absl::Status AttributeError(absl::string_view option, absl::string_view text,
                            absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(option, " \"", text, "\": ", problem));
}

// Reads `value` as an attribute of type `type` ("" = inferred).
absl::StatusOr<v1::AttributeValue> ParseAttributeValue(absl::string_view option,
                                                       absl::string_view text,
                                                       absl::string_view type,
                                                       absl::string_view value) {
  v1::AttributeValue out;
  double number = 0;
  if (type.empty()) {
    if (value == "true" || value == "false") {
      out.set_bool_value(value == "true");
    } else if (IsPlainDecimal(value) && absl::SimpleAtod(value, &number)) {
      out.set_number_value(number);
    } else {
      out.set_string_value(std::string(value));
    }
  } else if (type == "string") {
    out.set_string_value(std::string(value));
  } else if (type == "number") {
    if (!absl::SimpleAtod(value, &number) || !std::isfinite(number)) {
      return AttributeError(option, text, absl::StrCat("\"", value, "\" is not a number"));
    }
    out.set_number_value(number);
  } else if (type == "bool") {
    if (value != "true" && value != "false") {
      return AttributeError(option, text, "a bool is true or false");
    }
    out.set_bool_value(value == "true");
  } else if (type == "list") {
    for (absl::string_view item : absl::StrSplit(value, ';', absl::SkipEmpty())) {
      out.mutable_list_value()->add_values(std::string(item));
    }
    out.mutable_list_value();  // an empty list is still a list
  } else {
    return AttributeError(
        option, text,
        absl::StrCat("unknown type \"", type, "\" (use string, number, bool or list)"));
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Session

CLI::App* Session::AddVerb(CLI::App* parent, const std::string& name,
                           const std::string& description, std::function<absl::Status()> run) {
  return AddVerbWithExitCode(parent, name, description,
                             [run = std::move(run)]() -> absl::StatusOr<int> {
                               RETURN_IF_ERROR(run());
                               return kExitOk;
                             });
}

CLI::App* Session::AddVerbWithExitCode(CLI::App* parent, const std::string& name,
                                       const std::string& description, Action run) {
  CLI::App* verb = parent->add_subcommand(name, description);
  verb->callback([this, run = std::move(run)] { picked_ = run; });
  return verb;
}

int Session::RunPickedVerb() {
  if (!picked_) {  // CLI11's require_subcommand prevents this
    std::cerr << "rampart: error: no command given (see rampart --help)\n";
    return kExitUsage;
  }
  absl::StatusOr<int> exit_code = picked_();
  std::cout.flush();
  if (exit_code.ok()) return *exit_code;
  std::cerr << "rampart: error: " << OneLine(exit_code.status().message()) << "\n";
  return kExitError;
}

std::shared_ptr<grpc::Channel> Session::channel() const {
  if (channel_ == nullptr) {
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (options_.tls || !options_.tls_ca_file.empty()) {
      grpc::SslCredentialsOptions ssl;
      // Read by main() before any call (absent: the system's roots).
      ssl.pem_root_certs = options_.tls_ca_pem;
      credentials = grpc::SslCredentials(ssl);
    }
    channel_ = grpc::CreateChannel(options_.server, credentials);
  }
  return channel_;
}

std::unique_ptr<grpc::ClientContext> Session::NewCallContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_seconds * 1000)));
  if (!options_.token.empty()) context->AddMetadata("authorization", "Bearer " + options_.token);
  return context;
}

absl::Status Session::CheckRpc(const grpc::Status& status) const {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  const std::string details = OneLine(status.error_message());
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::Status(
          code, absl::StrCat("cannot reach rampartd at ", options_.server, ": ", details));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::Status(
          code,
          absl::StrCat("DEADLINE_EXCEEDED: no answer from rampartd at ", options_.server,
                       " within ", FormatNumber(options_.timeout_seconds), "s (raise --timeout)"));
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::Status(
          code,
          absl::StrCat("UNAUTHENTICATED: ", details,
                       options_.token.empty() ? " (a new rampartd writes the first admin token to "
                                                "DATA_DIR/admin.token)"
                                              : ""));
    default:
      return absl::Status(code, absl::StrCat(absl::StatusCodeToString(code), ": ", details));
  }
}

v1::WriteMeta Session::Meta(const WriteOptions& write, int64_t expected_revision) const {
  v1::WriteMeta meta;
  meta.set_actor(options_.actor);
  meta.set_reason(write.reason);
  meta.set_expected_revision(expected_revision);
  meta.set_break_freeze(write.break_freeze);
  if (ShowsReach()) PrintReach(0, write.break_freeze);
  return meta;
}

bool Session::ShowsReach() const {
  if (json()) return false;
  for (const CLI::App* noun : reach_nouns_) {
    if (noun->parsed()) return true;
  }
  return false;
}

namespace {

std::string Until(const google::protobuf::Timestamp& ts, const std::string& zone) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(zone, &tz)) tz = absl::UTCTimeZone();
  return absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M %Ez", FromProto(ts), tz), " (",
                      zone.empty() ? "UTC" : zone, ")");
}

// The revision a write's response carries: its `revision`, or its ramp's.
int64_t RevisionOf(const google::protobuf::Message& m) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  if (const auto* f = d->FindFieldByName("revision");
      f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    return r->GetInt64(m, f);
  }
  if (const auto* f = d->FindFieldByName("ramp");
      f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
      r->HasField(m, f)) {
    return RevisionOf(r->GetMessage(m, f));
  }
  return 0;
}

}  // namespace

// Best effort: the write is done; a failure to describe it is a note.
void Session::PrintReach(int64_t revision, bool break_freeze) const {
  v1::ReachRequest request;
  request.set_revision(revision);
  v1::Reach reach;
  v1::FreezeService::Stub stub(channel());
  std::unique_ptr<grpc::ClientContext> context = NewCallContext();
  if (!stub.DescribeReach(context.get(), request, &reach).ok()) return;
  if (revision != 0 && reach.flags().empty()) return;
  if (revision == 0) {
    if (reach.held() == 0) return;
    std::cout << "frozen now: " << reach.held() << " accounts; "
              << (break_freeze ? "--break-freeze: this change reaches them at once"
                               : "a change reaches them when their windows close")
              << ":\n";
  } else {
    std::cout << "reaches " << reach.now() << " accounts now";
    if (!reach.now_sample().empty()) {
      std::cout << " (" << absl::StrJoin(reach.now_sample(), ", ")
                << (reach.now() > reach.now_sample_size() ? ", ..." : "") << ")";
    }
    std::cout << "; " << reach.held() << " in frozen segments"
              << (reach.held() > 0 ? ", when their windows close:" : "") << "\n";
  }
  for (const v1::HeldAccounts& h : reach.held_by_window()) {
    std::cout << "  " << (h.segment().empty() ? std::string("(every account)") : h.segment())
              << ": " << h.accounts() << " accounts until " << Until(h.until(), h.time_zone())
              << ", " << h.calendar() << "/" << h.rule() << "\n";
  }
}

absl::Status Session::Print(const google::protobuf::Message& message,
                            const std::function<void()>& print_table) const {
  if (!json()) {
    print_table();
    return absl::OkStatus();
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string text;
  const auto status = google::protobuf::util::MessageToJsonString(message, &text, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print as JSON: ", status.ToString()));
  }
  std::cout << text;
  if (!absl::EndsWith(text, "\n")) std::cout << "\n";
  return absl::OkStatus();
}

absl::Status Session::Confirm(const google::protobuf::Message& message,
                              const std::string& line) const {
  return Print(message, [&] {
    std::cout << line << "\n";
    if (const int64_t revision = RevisionOf(message); revision > 0 && ShowsReach()) {
      PrintReach(revision, false);
    }
  });
}

// ---------------------------------------------------------------------------
// Options

void AddWriteOptions(CLI::App* verb, WriteOptions& write, bool change) {
  verb->add_option("--reason", write.reason, "Why (required; recorded in the audit log)")
      ->required()
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return absl::StripAsciiWhitespace(text).empty() ? "must not be empty" : "";
          },
          ""));
  verb->add_flag("--break-freeze", write.break_freeze,
                 "Reach accounts in frozen segments at once (the kill switch, a rollback); "
                 "recorded in the audit log");
  if (change) {
    verb->add_option("--revision", write.revision,
                     "The revision you expect the object to have; the change fails if it "
                     "moved on (default: the current revision)")
        ->check(CLI::PositiveNumber);
  }
}

void AddLimitOption(CLI::App* verb, int& limit, int default_limit) {
  limit = default_limit;
  verb->add_option("--limit", limit, "At most this many items; 0 = all")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

void ExcludeEach(CLI::Option* file, const std::vector<CLI::Option*>& others) {
  for (CLI::Option* other : others) file->excludes(other);
}

std::string Confirmation(absl::string_view noun, absl::string_view key, absl::string_view verb,
                         int64_t revision) {
  return absl::StrFormat("%s \"%s\" %s (revision %d)", noun, key, verb, revision);
}

absl::Status ReconcileFileKey(const std::string& path, const std::string& key,
                              const std::string& file_key) {
  if (key.empty() && file_key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--file \"", path, "\" has no \"key\"; give KEY"));
  }
  if (!key.empty() && !file_key.empty() && key != file_key) {
    return absl::InvalidArgumentError(absl::StrCat("KEY \"", key, "\" differs from the key \"",
                                                   file_key, "\" in --file \"", path, "\""));
  }
  return absl::OkStatus();
}

void NoteMore(const std::string& next_page_token) { NoteCut(!next_page_token.empty()); }

void NoteCut(bool cut) {
  if (!cut) return;
  std::cout.flush();
  std::cerr << "(more items: raise --limit, or --limit 0 for all)\n";
}

// ---------------------------------------------------------------------------
// Parsing

absl::StatusOr<std::pair<std::string, v1::AttributeValue>> ParseAttribute(absl::string_view option,
                                                                          absl::string_view text) {
  const size_t eq = text.find('=');
  if (eq == absl::string_view::npos || eq == 0) {
    return AttributeError(option, text, "expected NAME=VALUE");
  }
  absl::string_view name = text.substr(0, eq);
  absl::string_view type;
  if (const size_t colon = name.find(':'); colon != absl::string_view::npos) {
    type = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (name.empty()) return AttributeError(option, text, "expected NAME:TYPE=VALUE");
  }
  ASSIGN_OR_RETURN(v1::AttributeValue value,
                   ParseAttributeValue(option, text, type, text.substr(eq + 1)));
  return std::make_pair(std::string(name), std::move(value));
}

absl::Status ParseAttributes(absl::string_view option, const std::vector<std::string>& texts,
                             google::protobuf::Map<std::string, v1::AttributeValue>* attributes) {
  for (const std::string& text : texts) {
    ASSIGN_OR_RETURN(auto attribute, ParseAttribute(option, text));
    if (!attributes->insert({attribute.first, attribute.second}).second) {
      return AttributeError(option, text,
                            absl::StrCat("attribute \"", attribute.first, "\" given twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseConditions(absl::string_view option, const std::vector<std::string>& texts,
                             google::protobuf::RepeatedPtrField<v1::Condition>* out) {
  for (const std::string& text : texts) {
    ASSIGN_OR_RETURN(*out->Add(), ParseCondition(option, text));
  }
  return absl::OkStatus();
}

absl::StatusOr<google::protobuf::Timestamp> ParseTimeOption(absl::string_view option,
                                                            absl::string_view text) {
  ASSIGN_OR_RETURN(absl::Time time, rampart::ParseTime(option, text));
  return rampart::ToProto(time);
}

absl::StatusOr<std::string> ReadTextFile(absl::string_view option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (!in || !(text << in.rdbuf())) {
    return absl::InvalidArgumentError(
        absl::StrCat(option, " \"", path, "\": cannot read: ", std::strerror(errno)));
  }
  return text.str();
}

absl::Status ReadJsonFile(absl::string_view option, const std::string& path,
                          google::protobuf::Message* message) {
  ASSIGN_OR_RETURN(const std::string text, ReadTextFile(option, path));
  const auto status = google::protobuf::util::JsonStringToMessage(text, message);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(option, " \"", path, "\": not a ", message->GetDescriptor()->full_name(),
                     " in protobuf JSON: ", std::string(status.message())));
  }
  return absl::OkStatus();
}

void AddUnique(const std::vector<std::string>& values,
               google::protobuf::RepeatedPtrField<std::string>* field) {
  for (const std::string& value : values) {
    if (std::find(field->begin(), field->end(), value) == field->end()) field->Add()->assign(value);
  }
}

absl::Status RemoveEach(absl::string_view option, const std::vector<std::string>& values,
                        absl::string_view what,
                        google::protobuf::RepeatedPtrField<std::string>* field) {
  for (const std::string& value : values) {
    auto it = std::find(field->begin(), field->end(), value);
    if (it == field->end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(option, " \"", value, "\": not among the ", what));
    }
    field->erase(it);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Formatting

std::string FormatNumber(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::abs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.15g", value);
}

std::string FormatAttributeValue(const v1::AttributeValue& value) {
  switch (value.kind_case()) {
    case v1::AttributeValue::kStringValue:
      return absl::StrCat("\"", value.string_value(), "\"");
    case v1::AttributeValue::kNumberValue:
      return FormatNumber(value.number_value());
    case v1::AttributeValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::AttributeValue::kListValue:
      return absl::StrCat("[", absl::StrJoin(value.list_value().values(), ", "), "]");
    case v1::AttributeValue::KIND_NOT_SET:
      break;
  }
  return "(unset)";
}

std::string FormatFlagValue(const v1::FlagValue& value) {
  switch (value.kind_case()) {
    case v1::FlagValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::FlagValue::kStringValue:
      return absl::StrCat("\"", value.string_value(), "\"");
    case v1::FlagValue::kIntValue:
      return absl::StrCat(value.int_value());
    case v1::FlagValue::kDoubleValue:
      return FormatNumber(value.double_value());
    case v1::FlagValue::kJsonValue:
      return value.json_value();
    case v1::FlagValue::KIND_NOT_SET:
      break;
  }
  return "-";
}

namespace {
template <typename Format>
std::vector<std::string> SortedAttributes(
    const google::protobuf::Map<std::string, v1::AttributeValue>& attributes, Format format) {
  std::vector<std::string> names;
  for (const auto& [name, value] : attributes) names.push_back(name);
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const std::string& name : names) out.push_back(format(name, attributes.at(name)));
  return out;
}
}  // namespace

std::vector<std::string> FormatAttributeLines(
    const google::protobuf::Map<std::string, v1::AttributeValue>& attributes) {
  return SortedAttributes(attributes, [](const std::string& name, const v1::AttributeValue& v) {
    return absl::StrCat(name, " = ", FormatAttributeValue(v));
  });
}

std::string FormatAttributesInline(
    const google::protobuf::Map<std::string, v1::AttributeValue>& attributes) {
  return absl::StrJoin(SortedAttributes(attributes,
                                        [](const std::string& name, const v1::AttributeValue& v) {
                                          return absl::StrCat(name, "=", FormatAttributeValue(v));
                                        }),
                       " ");
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  return rampart::IsSet(timestamp) ? rampart::FormatTime(rampart::FromProto(timestamp)) : "-";
}

std::string OrDash(absl::string_view text) { return text.empty() ? "-" : std::string(text); }

std::string FormatConditions(const google::protobuf::RepeatedPtrField<v1::Condition>& conditions,
                             v1::Match match) {
  std::vector<std::string> parts;
  for (const v1::Condition& condition : conditions) parts.push_back(FormatCondition(condition));
  return absl::StrJoin(parts, match == v1::MATCH_ANY ? " or " : " and ");
}

std::string EnumLabel(absl::string_view prefix, const std::string& name) {
  absl::string_view label = name;
  absl::ConsumePrefix(&label, prefix);
  return absl::AsciiStrToLower(label);
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(header_.size());
  const auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  const auto print_row = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i + 1 < row.size(); ++i) PrintPadded(out, row[i], widths[i] + 2);
    if (!row.empty()) out << row.back();
    out << "\n";
  };
  print_row(header_);
  for (const auto& row : rows_) print_row(row);
}

Fields& Fields::Add(std::string name, std::string value) {
  return Add(std::move(name), std::vector<std::string>{OrDash(value)});
}

Fields& Fields::Add(std::string name, std::vector<std::string> lines) {
  if (lines.empty()) lines.push_back("-");
  fields_.emplace_back(std::move(name), std::move(lines));
  return *this;
}

void Fields::Print(std::ostream& out) const {
  size_t width = 0;
  for (const auto& [name, lines] : fields_) width = std::max(width, DisplayWidth(name) + 1);
  for (const auto& [name, lines] : fields_) {
    for (size_t i = 0; i < lines.size(); ++i) {
      PrintPadded(out, i == 0 ? name + ":" : "", width + 2);
      out << lines[i] << "\n";
    }
  }
}

}  // namespace rampart::cli
