// Status propagation macros, in the shape of Abseil's internal ones (which
// Debian's Abseil 20220623 does not ship). Used at every module boundary.
#ifndef RAMPART_CORE_COMMON_STATUS_MACROS_H_
#define RAMPART_CORE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RAMPART_STATUS_CONCAT_INNER_(a, b) a##b
#define RAMPART_STATUS_CONCAT_(a, b) RAMPART_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status _rampart_status = (expr);   \
    if (!_rampart_status.ok()) return _rampart_status; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F())` declares x from F()'s value, or returns
// F()'s status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr)                                        \
  ASSIGN_OR_RETURN_IMPL_(RAMPART_STATUS_CONCAT_(_rampart_so_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(so, lhs, expr) \
  auto so = (expr);                           \
  if (!so.ok()) return std::move(so).status(); \
  lhs = std::move(so).value()

#endif  // RAMPART_CORE_COMMON_STATUS_MACROS_H_
