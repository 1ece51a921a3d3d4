// Page sizes and tokens shared by the registry's list calls. Internal.
#ifndef RAMPART_SERVER_REGISTRY_PAGING_H_
#define RAMPART_SERVER_REGISTRY_PAGING_H_

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rampart/v1/admin.pb.h"

namespace rampart::registry {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// The page size asked for: 0 means the default; INVALID_ARGUMENT outside
// [0, kMaxPageSize].
inline absl::StatusOr<int> PageSize(const v1::Page& page) {
  if (page.page_size() < 0 || page.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page.page_size: ", page.page_size(),
                                                   " is outside 0..", kMaxPageSize));
  }
  return page.page_size() == 0 ? kDefaultPageSize : page.page_size();
}

// Collects up to `size` items; remembers whether one more was seen, so that
// the last page has no next token.
template <typename T>
class PageCollector {
 public:
  explicit PageCollector(int size) : size_(size) {}
  // Returns false when the page is full and one more item was seen.
  bool Add(const T& item) {
    if (static_cast<int>(items_.size()) == size_) {
      more_ = true;
      return false;
    }
    items_.push_back(item);
    return true;
  }
  std::vector<T>& items() { return items_; }
  bool more() const { return more_; }

 private:
  int size_;
  bool more_ = false;
  std::vector<T> items_;
};

}  // namespace rampart::registry

#endif  // RAMPART_SERVER_REGISTRY_PAGING_H_
