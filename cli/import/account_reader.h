// Reads a CRM export of accounts, CSV with a header row or JSON lines, into
// ImportRow messages for AccountService.ImportAccounts. Used by
// `rampart account import`. Not thread-safe (one reader per file).
//
// CSV (RFC 4180: quoted fields, "" escapes, embedded newlines, CRLF): the
// header names the columns. `key` is required; `name` and `time_zone` (also
// accepted: `timezone`, `tz`) are the account's own fields; every other column
// is an attribute. A header may give a column's type as `name:type` with type
// one of string, number, bool, list (list items separated by ';'). Without a
// type, a value is read as bool (true/false), else as number when the whole
// text is a decimal number without a leading zero ("0123" stays a string),
// else as string. An empty cell means "no such attribute".
//
// JSON lines: one object per line, e.g.
//   {"key":"acme","name":"ACME","time_zone":"Europe/Moscow","ltv":1200000,
//    "tags":["beta"],"attributes":{"plan":"pro"}}
// Members other than key/name/time_zone/attributes are attributes, as are the
// members of "attributes". Attribute values: string, number, bool, or a list
// of strings; anything else rejects the row naming the member. Blank lines
// are skipped.
//
// A row that cannot be read becomes an ImportRow with parse_error set (and
// its line number); reading goes on with the next row. Only a file-level
// problem (unreadable file, CSV without a `key` column, unknown type in the
// header) fails the whole read.
#ifndef RAMPART_CLI_IMPORT_ACCOUNT_READER_H_
#define RAMPART_CLI_IMPORT_ACCOUNT_READER_H_

#include <functional>
#include <istream>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "rampart/v1/admin.pb.h"

namespace rampart::cli {

enum class ImportFormat { kCsv, kJsonLines };

// Picks the format from the file name: ".jsonl"/".ndjson"/".json" -> JSON
// lines, else CSV.
ImportFormat FormatFromPath(absl::string_view path);

// Called once per data row, in file order. Return false to stop reading.
using RowSink = std::function<bool(v1::ImportRow row)>;

// Reads all rows from `in`. Returns OK when the file as a whole was readable
// (rows with errors are still delivered, with parse_error set), else
// INVALID_ARGUMENT naming the problem and, where there is one, the line.
absl::Status ReadAccounts(std::istream& in, ImportFormat format, const RowSink& sink);

}  // namespace rampart::cli

#endif  // RAMPART_CLI_IMPORT_ACCOUNT_READER_H_
