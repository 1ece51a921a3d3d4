// Conversions between the wire enums (v1::Reason, v1::ErrorCode) and the
// public ones (rampart::Reason, rampart::ErrorCode).
#ifndef RAMPART_SDK_SRC_REASONS_H_
#define RAMPART_SDK_SRC_REASONS_H_

#include "rampart/client.h"
#include "rampart/v1/eval.pb.h"

namespace rampart::sdk {

Reason FromProto(v1::Reason reason);
ErrorCode FromProto(v1::ErrorCode code);

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_REASONS_H_
