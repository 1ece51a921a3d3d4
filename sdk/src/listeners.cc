#include "sdk/src/listeners.h"

#include <algorithm>
#include <utility>

namespace rampart::sdk {
namespace {

// Listeners are user code: whatever they throw stays with them.
template <typename Fn>
void CallGuarded(Fn&& fn) {
  try {
    fn();
  } catch (...) {
  }
}

}  // namespace

Listeners::Id Listeners::Add(std::shared_ptr<Entry> entry) {
  const Id id = next_id_++;
  entry->id = id;
  entries_.emplace(id, std::move(entry));
  return id;
}

Listeners::Id Listeners::AddChange(std::function<void(int64_t)> listener) {
  auto e = std::make_shared<Entry>();
  e->kind = Kind::kChange;
  e->on_change = std::move(listener);
  absl::MutexLock lock(&mu_);
  return Add(std::move(e));
}

Listeners::Id Listeners::AddFlagChange(std::string flag_key,
                                       std::function<void(const std::string&)> listener) {
  auto e = std::make_shared<Entry>();
  e->kind = Kind::kFlag;
  e->flag_key = std::move(flag_key);
  e->on_flag = std::move(listener);
  absl::MutexLock lock(&mu_);
  return Add(std::move(e));
}

Listeners::Id Listeners::AddValueChange(std::string flag_key, Context context,
                                        std::function<void(const ValueChange&)> listener,
                                        absl::FunctionRef<std::optional<std::string>()> baseline) {
  auto e = std::make_shared<Entry>();
  e->kind = Kind::kValue;
  e->flag_key = std::move(flag_key);
  e->context = std::move(context);
  e->on_value = std::move(listener);
  absl::MutexLock lock(&mu_);
  e->last_json = baseline();
  return Add(std::move(e));
}

void Listeners::Remove(Id id) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second->removed = true;
  entries_.erase(it);
  if (std::this_thread::get_id() == notifier_) return;  // from inside a listener
  const auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calling_ != id; };
  mu_.Await(absl::Condition(&done));
}

bool Listeners::BeginCall(const Entry& e) {
  absl::MutexLock lock(&mu_);
  if (e.removed) return false;
  calling_ = e.id;
  return true;
}

void Listeners::EndCall() {
  absl::MutexLock lock(&mu_);
  calling_ = 0;
}

void Listeners::Notify(int64_t version, const std::vector<std::string>& changed_flags,
                       ValueFn value_of) {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    absl::MutexLock lock(&mu_);
    notifier_ = std::this_thread::get_id();
    entries.reserve(entries_.size());
    for (const auto& [id, entry] : entries_) entries.push_back(entry);
  }
  for (const std::shared_ptr<Entry>& e : entries) {
    if (!BeginCall(*e)) continue;
    switch (e->kind) {
      case Kind::kChange:
        CallGuarded([&] { e->on_change(version); });
        break;
      case Kind::kFlag:
        if (std::binary_search(changed_flags.begin(), changed_flags.end(), e->flag_key)) {
          CallGuarded([&] { e->on_flag(e->flag_key); });
        }
        break;
      case Kind::kValue: {
        std::string now = value_of(e->flag_key, e->context);
        if (!e->last_json.has_value()) {
          e->last_json = std::move(now);  // the baseline
          break;
        }
        if (*e->last_json == now) break;
        ValueChange change;
        change.flag_key = e->flag_key;
        change.account_key = e->context.account_key();
        change.old_value_json = std::move(*e->last_json);
        change.new_value_json = now;
        change.version = version;
        e->last_json = std::move(now);
        CallGuarded([&] { e->on_value(change); });
        break;
      }
    }
    EndCall();
  }
}

}  // namespace rampart::sdk
