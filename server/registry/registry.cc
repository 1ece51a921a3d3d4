#include "server/registry/registry.h"

#include "core/common/status_macros.h"
#include "server/storage/encoding.h"

namespace rampart::registry {

absl::StatusOr<std::unique_ptr<Registry>> Registry::Open(storage::Store& store, Clock& clock) {
  ASSIGN_OR_RETURN(auto raw, store.Get(storage::Cf::kMeta, storage::kMetaRevision));
  int64_t revision = 0;
  if (raw.has_value()) {
    absl::string_view view = *raw;
    auto rev = storage::GetBigEndian64(&view);
    if (!rev) return absl::DataLossError("meta.revision: corrupt");
    revision = static_cast<int64_t>(*rev);
  }
  std::unique_ptr<Registry> registry(new Registry(store, clock, revision));
  RETURN_IF_ERROR(registry->LoadFreezeState());
  return registry;
}

Registry::Registry(storage::Store& store, Clock& clock, int64_t revision)
    : store_(store),
      clock_(clock),
      schedule_(std::make_shared<const v1::FreezeSchedule>()),
      revision_(revision) {}

void Registry::SetChangeListener(ChangeListener* listener) {
  absl::MutexLock lock(&write_mu_);
  listener_ = listener;
}

int64_t Registry::revision() const {
  absl::MutexLock lock(&revision_mu_);
  return revision_;
}

}  // namespace rampart::registry
