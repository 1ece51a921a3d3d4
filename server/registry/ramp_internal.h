// Shared by the registry's ramp files (ramps.cc, ramp_feedback.cc,
// ramp_templates.cc). Internal to server/registry.
#ifndef RAMPART_SERVER_REGISTRY_RAMP_INTERNAL_H_
#define RAMPART_SERVER_REGISTRY_RAMP_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/ramp/planner.h"
#include "rampart/v1/model.pb.h"
#include "server/registry/transaction.h"
#include "server/storage/store.h"

namespace rampart::registry {

// Every account and segment, loaded for a step, a preview or a status.
struct RegistryWorld {
  std::vector<v1::Account> accounts;  // key order
  absl::flat_hash_map<std::string, v1::Segment> segments;
  ramp::RegistryView view() const { return ramp::RegistryView{accounts, &segments}; }
};

// Loads every account and segment (for a step, a preview, a status).
absl::StatusOr<RegistryWorld> LoadWorld(const storage::Store& store);

// Stores `after` and, when what it serves changed, its flag with the new
// serving view (Flag.ramp), in `tx`.
void PutRampWithServing(Transaction& tx, const v1::Ramp* before, v1::Ramp& after,
                        const v1::Flag& flag);

// The instant the step out of the current stage falls due; nullopt when it
// is by hand, the ramp does not run, or there is no next stage.
std::optional<absl::Time> DueAt(const v1::Ramp& ramp);

// Problem reports of a flag at or after `since`.
absl::StatusOr<uint64_t> CountProblemsSince(const storage::Store& store,
                                            absl::string_view flag_key, absl::Time since);

// Problem reports of a flag by the stage serving when they came in:
// result[s] for stage s in 1..stages (result[0]: no stage).
absl::StatusOr<std::vector<uint64_t>> CountProblemsByStage(const storage::Store& store,
                                                           absl::string_view flag_key,
                                                           int stages);

}  // namespace rampart::registry

#endif  // RAMPART_SERVER_REGISTRY_RAMP_INTERNAL_H_
