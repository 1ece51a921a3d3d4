#include "sdk/src/reasons.h"

namespace rampart {

const char* ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kUnknown: return "UNKNOWN";
    case Reason::kStatic: return "STATIC";
    case Reason::kDefault: return "DEFAULT";
    case Reason::kTargetingMatch: return "TARGETING_MATCH";
    case Reason::kSplit: return "SPLIT";
    case Reason::kCached: return "CACHED";
    case Reason::kDisabled: return "DISABLED";
    case Reason::kStale: return "STALE";
    case Reason::kError: return "ERROR";
    case Reason::kOverride: return "OVERRIDE";
    case Reason::kDeferred: return "DEFERRED";
    case Reason::kStage: return "STAGE";
    case Reason::kFrozen: return "FROZEN";
  }
  return "UNKNOWN";
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone: return "NONE";
    case ErrorCode::kProviderNotReady: return "PROVIDER_NOT_READY";
    case ErrorCode::kFlagNotFound: return "FLAG_NOT_FOUND";
    case ErrorCode::kParseError: return "PARSE_ERROR";
    case ErrorCode::kTypeMismatch: return "TYPE_MISMATCH";
    case ErrorCode::kTargetingKeyMissing: return "TARGETING_KEY_MISSING";
    case ErrorCode::kInvalidContext: return "INVALID_CONTEXT";
    case ErrorCode::kGeneral: return "GENERAL";
  }
  return "GENERAL";
}

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kUnknown: return "UNKNOWN";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

namespace sdk {

Reason FromProto(v1::Reason reason) {
  switch (reason) {
    case v1::REASON_STATIC: return Reason::kStatic;
    case v1::REASON_DEFAULT: return Reason::kDefault;
    case v1::REASON_TARGETING_MATCH: return Reason::kTargetingMatch;
    case v1::REASON_SPLIT: return Reason::kSplit;
    case v1::REASON_CACHED: return Reason::kCached;
    case v1::REASON_DISABLED: return Reason::kDisabled;
    case v1::REASON_STALE: return Reason::kStale;
    case v1::REASON_ERROR: return Reason::kError;
    case v1::REASON_OVERRIDE: return Reason::kOverride;
    case v1::REASON_DEFERRED: return Reason::kDeferred;
    case v1::REASON_STAGE: return Reason::kStage;
    case v1::REASON_FROZEN: return Reason::kFrozen;
    default: return Reason::kUnknown;
  }
}

ErrorCode FromProto(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_CODE_UNSPECIFIED: return ErrorCode::kNone;
    case v1::ERROR_CODE_PROVIDER_NOT_READY: return ErrorCode::kProviderNotReady;
    case v1::ERROR_CODE_FLAG_NOT_FOUND: return ErrorCode::kFlagNotFound;
    case v1::ERROR_CODE_PARSE_ERROR: return ErrorCode::kParseError;
    case v1::ERROR_CODE_TYPE_MISMATCH: return ErrorCode::kTypeMismatch;
    case v1::ERROR_CODE_TARGETING_KEY_MISSING: return ErrorCode::kTargetingKeyMissing;
    case v1::ERROR_CODE_INVALID_CONTEXT: return ErrorCode::kInvalidContext;
    default: return ErrorCode::kGeneral;
  }
}

}  // namespace sdk
}  // namespace rampart
