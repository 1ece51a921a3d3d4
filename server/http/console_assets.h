// The console's files (server/http/console), compiled into rampartd by
// cmake/embed_files.cmake so that the binary serves the console alone.
#ifndef RAMPART_SERVER_HTTP_CONSOLE_ASSETS_H_
#define RAMPART_SERVER_HTTP_CONSOLE_ASSETS_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rampart::http {

struct Asset {
  absl::string_view name;  // "index.html"
  absl::string_view content;
};

absl::Span<const Asset> ConsoleAssets();

}  // namespace rampart::http

#endif  // RAMPART_SERVER_HTTP_CONSOLE_ASSETS_H_
