// The client's listeners: on every update, on a flag's definition, on a
// flag's value for one context.
//
// Thread-safety: Add*/Remove from any thread; Notify from the client's
// background thread only. Listeners are called without any lock held, so
// they may call the client (evaluate, add or remove listeners). A listener
// that throws is caught and ignored: it must not kill the background thread.
// Once Remove() returns, the listener is not running and will not be called
// again, so what it captures may be destroyed; called from inside a listener
// (on the background thread) it does not wait, since it cannot wait for
// itself.
#ifndef RAMPART_SDK_SRC_LISTENERS_H_
#define RAMPART_SDK_SRC_LISTENERS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "rampart/client.h"

namespace rampart::sdk {

class Listeners {
 public:
  using Id = uint64_t;
  // The value of a flag for a context as JSON text ("null" when none).
  using ValueFn = absl::FunctionRef<std::string(const std::string& flag_key, const Context&)>;

  Id AddChange(std::function<void(int64_t)> listener);
  Id AddFlagChange(std::string flag_key, std::function<void(const std::string&)> listener);
  // `baseline()` gives the value the listener's first change is measured
  // from (nullopt: the first Notify sets it without a call). It runs under
  // the registration lock, so that the baseline and the registration are
  // atomic with respect to Notify: no update falls between them.
  Id AddValueChange(std::string flag_key, Context context,
                    std::function<void(const ValueChange&)> listener,
                    absl::FunctionRef<std::optional<std::string>()> baseline);
  void Remove(Id id);

  // After `version` was applied and published: calls the change listeners,
  // the flag listeners of `changed_flags`, and the value listeners whose
  // value (by `value_of`) differs from the last one they saw. In
  // registration order.
  void Notify(int64_t version, const std::vector<std::string>& changed_flags, ValueFn value_of);

 private:
  enum class Kind { kChange, kFlag, kValue };
  struct Entry {
    Id id = 0;
    Kind kind;
    std::string flag_key;
    Context context;
    std::function<void(int64_t)> on_change;
    std::function<void(const std::string&)> on_flag;
    std::function<void(const ValueChange&)> on_value;
    // Read and written by Notify only (after registration).
    std::optional<std::string> last_json;
    bool removed = false;  // guarded by Listeners::mu_
  };

  // Marks the start of a call of `e`; false when it was removed.
  bool BeginCall(const Entry& e);
  void EndCall();

  Id Add(std::shared_ptr<Entry> entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<Id, std::shared_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  // The listener being called (0: none) and the thread calling it.
  Id calling_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id notifier_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_LISTENERS_H_
