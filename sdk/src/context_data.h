// Context::Data: what a rampart::Context holds, as the wire message, so an
// evaluation reads it in place (eval::Context borrows its fields) without
// copying a string.
#ifndef RAMPART_SDK_SRC_CONTEXT_DATA_H_
#define RAMPART_SDK_SRC_CONTEXT_DATA_H_

#include "core/eval/engine.h"
#include "rampart/client.h"
#include "rampart/v1/eval.pb.h"

namespace rampart {

struct Context::Data {
  v1::EvaluationContext proto;
};

namespace sdk {

// The engine's view of `context`; it borrows from `context`, which must
// outlive the result. Allocates nothing.
inline eval::Context EngineContext(const Context& context) {
  const v1::EvaluationContext& p = context.data().proto;
  eval::Context c;
  c.account_key = p.account_key();
  c.user_key = p.user_key();
  if (!p.attributes().empty()) c.attributes = &p.attributes();
  return c;
}

}  // namespace sdk
}  // namespace rampart

#endif  // RAMPART_SDK_SRC_CONTEXT_DATA_H_
