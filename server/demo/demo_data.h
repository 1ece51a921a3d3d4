// The demo data set rampartd loads into a new data dir with --demo: a few
// accounts of a software vendor's clients (accounting firms, a cinema chain,
// a procurement department), three segments and three flags, so the README's
// tour has something to show. Written through the registry like any change,
// so it is audited (actor "rampartd-demo").
#ifndef RAMPART_SERVER_DEMO_DEMO_DATA_H_
#define RAMPART_SERVER_DEMO_DEMO_DATA_H_

#include "absl/status/status.h"
#include "server/registry/registry.h"

namespace rampart::demo {

absl::Status LoadDemoData(registry::Registry& registry);

}  // namespace rampart::demo

#endif  // RAMPART_SERVER_DEMO_DEMO_DATA_H_
