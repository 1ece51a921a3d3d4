// `rampart account import FILE`: streams a CRM export to
// AccountService.ImportAccounts in batches, as the reader delivers rows, so a
// file of a million accounts never sits in memory.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/import/account_reader.h"
#include "rampart/v1/admin.grpc.pb.h"

namespace rampart::cli {
namespace {

inline constexpr int kRowsPerMessage = 1000;
inline constexpr int64_t kProgressEvery = 5000;
inline constexpr int kRejectedRowsShown = 20;

using ImportStream = grpc::ClientWriter<v1::ImportAccountsRequest>;

struct ImportOptions {
  std::string file;
  std::optional<std::string> format;
  bool strict = false;
  bool dry_run = false;
  WriteOptions write;
};

// "45 000": thousands grouped by spaces, for the progress line.
std::string GroupThousands(int64_t n) {
  std::string digits = absl::StrCat(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, " ");
  return digits;
}

// "\rimport: 45 000 rows read" on stderr every kProgressEvery rows, when
// stderr is a terminal; a final count and a newline at the end.
class Progress {
 public:
  Progress() : enabled_(isatty(STDERR_FILENO) == 1) {}
  void Count() {
    if (++rows_ % kProgressEvery == 0) Show();
  }
  void Done() {
    if (shown_) {
      Show();
      std::cerr << "\n";
    }
  }

 private:
  void Show() {
    if (!enabled_) return;
    std::cerr << "\rimport: " << GroupThousands(rows_) << " rows read" << std::flush;
    shown_ = true;
  }
  const bool enabled_;
  int64_t rows_ = 0;
  bool shown_ = false;
};

// Groups rows into messages of kRowsPerMessage. After a failed Write (the
// server ended the call) it refuses more rows; Finish then says why.
class BatchWriter {
 public:
  explicit BatchWriter(ImportStream* stream) : stream_(stream) {}
  bool Send(const v1::ImportAccountsRequest& request) {
    ok_ = ok_ && stream_->Write(request);
    return ok_;
  }
  bool Add(v1::ImportRow row) {
    *batch_.add_rows() = std::move(row);
    return batch_.rows_size() < kRowsPerMessage || Flush();
  }
  bool Flush() {
    if (batch_.rows_size() == 0) return ok_;
    Send(batch_);
    batch_.Clear();
    return ok_;
  }

 private:
  ImportStream* stream_;
  v1::ImportAccountsRequest batch_;
  bool ok_ = true;
};

std::string CommitNote(const v1::ImportAccountsResponse& response, const ImportOptions& o) {
  if (response.committed()) return absl::StrCat("committed (revision ", response.revision(), ")");
  if (o.dry_run) return "nothing written (--dry-run)";
  if (o.strict && response.rejected() > 0)
    return "nothing written (--strict and rows were rejected)";
  return "nothing written";
}

void PrintSummary(const v1::ImportAccountsResponse& response, const ImportOptions& o) {
  std::cout << absl::StrFormat(
      "import \"%s\": %d created, %d updated, %d unchanged, %d rejected; %s\n", o.file,
      response.created(), response.updated(), response.unchanged(), response.rejected(),
      CommitNote(response, o));
  int shown = 0;
  for (const v1::RowError& error : response.errors()) {
    if (shown == kRejectedRowsShown) break;
    std::cout << "line " << error.line() << ": " << (error.key().empty() ? "" : error.key() + ": ")
              << error.message() << "\n";
    ++shown;
  }
  if (response.rejected() > shown) {
    std::cout << "... and " << response.rejected() - shown << " more\n";
  }
}

absl::StatusOr<int> RunImport(Session& session, const ImportOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", o.file, "\": cannot open: ", std::strerror(errno)));
  }
  const ImportFormat format =
      o.format.has_value() ? (*o.format == "jsonl" ? ImportFormat::kJsonLines : ImportFormat::kCsv)
                           : FormatFromPath(o.file);

  v1::AccountService::Stub stub(session.channel());
  std::unique_ptr<grpc::ClientContext> context = session.NewCallContext();
  v1::ImportAccountsResponse response;
  std::unique_ptr<ImportStream> stream = stub.ImportAccounts(context.get(), &response);

  BatchWriter writer(stream.get());
  v1::ImportAccountsRequest first;
  v1::ImportOptions& options = *first.mutable_options();
  *options.mutable_meta() = session.Meta(o.write, 0);
  options.set_strict(o.strict);
  options.set_dry_run(o.dry_run);
  options.set_source(o.file);
  writer.Send(first);

  Progress progress;
  const absl::Status read = ReadAccounts(in, format, [&](v1::ImportRow row) {
    progress.Count();
    return writer.Add(std::move(row));
  });
  progress.Done();
  if (!read.ok()) {
    // Cancel rather than half-close: the server must not commit a partial
    // file. Finish only collects the CANCELLED status.
    context->TryCancel();
    stream->Finish().ok();
    return absl::InvalidArgumentError(absl::StrCat("\"", o.file, "\": ", read.message()));
  }
  writer.Flush();
  stream->WritesDone();
  RETURN_IF_ERROR(session.CheckRpc(stream->Finish()));

  RETURN_IF_ERROR(session.Print(response, [&] { PrintSummary(response, o); }));
  return response.rejected() > 0 ? kExitRowsRejected : kExitOk;
}

}  // namespace

void AddAccountImportVerb(CLI::App* account, Session& session) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* verb = session.AddVerbWithExitCode(
      account, "import",
      "Upsert accounts from a CRM export (CSV with a header row, or JSON lines). Exit 0 when "
      "every row was accepted, 3 when rows were rejected (the good rows are committed, or "
      "nothing with --strict), 1 on errors",
      [&session, o] { return RunImport(session, *o); });
  verb->add_option("FILE", o->file, "The export to read")->required();
  verb->add_option("--format", o->format,
                   "csv or jsonl (default: from the file name: .jsonl/.ndjson/.json are JSON "
                   "lines, else CSV)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  verb->add_flag("--strict", o->strict, "Write nothing if any row is rejected");
  verb->add_flag("--dry-run", o->dry_run, "Validate and count; write nothing");
  AddWriteOptions(verb, o->write, /*change=*/false);
}

}  // namespace rampart::cli
