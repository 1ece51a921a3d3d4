// One structured (JSON) line per request on stderr: time, method, peer,
// actor, status code, duration and, on failure, the error message.
// Thread-safe: each line is written with one write(2).
#ifndef RAMPART_SERVER_RPC_REQUEST_LOG_H_
#define RAMPART_SERVER_RPC_REQUEST_LOG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/common/clock.h"

namespace rampart::rpc {

class RequestLog {
 public:
  // `enabled` false: Write() does nothing (benchmarks, quiet tests).
  RequestLog(Clock& clock, bool enabled) : clock_(clock), enabled_(enabled) {}

  // Times one request from construction to Write().
  class Entry {
   public:
    Entry(const RequestLog& log, absl::string_view method, std::string peer, std::string actor);
    void Write(const absl::Status& status) const;

   private:
    const RequestLog& log_;
    absl::string_view method_;
    std::string peer_;
    std::string actor_;
    absl::Time start_;
  };

 private:
  Clock& clock_;
  bool enabled_;
};

// The line for one request, e.g.
// {"ts":"2026-11-23T15:00:00.123Z","method":"FlagService.PutFlag",
//  "peer":"ipv4:127.0.0.1:4242","actor":"alice","code":"OK","ms":1.204}
std::string FormatRequestLine(absl::Time at, absl::string_view method, absl::string_view peer,
                              absl::string_view actor, const absl::Status& status,
                              absl::Duration took);

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_REQUEST_LOG_H_
