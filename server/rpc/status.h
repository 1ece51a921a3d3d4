// The one place an absl::Status becomes a grpc::Status (the codes are the
// same numbers; the message, which names the field, is kept).
#ifndef RAMPART_SERVER_RPC_STATUS_H_
#define RAMPART_SERVER_RPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace rampart::rpc {

inline grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_STATUS_H_
