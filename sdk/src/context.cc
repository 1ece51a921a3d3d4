// rampart::Context: a copy-on-write handle on a v1::EvaluationContext.
// Copies share one Data; the first setter called on a shared copy clones it,
// so a context built once per request can be copied into listeners and
// threads for the price of a reference count.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rampart/client.h"
#include "sdk/src/context_data.h"

namespace rampart {
namespace {

// One shared empty Data for default-constructed contexts: `Context()` does
// not allocate until it is first changed.
const std::shared_ptr<Context::Data>& EmptyData() {
  static const auto* empty = new std::shared_ptr<Context::Data>(std::make_shared<Context::Data>());
  return *empty;
}

}  // namespace

Context::Context() : data_(EmptyData()) {}

Context::Context(std::string account_key) : data_(std::make_shared<Data>()) {
  data_->proto.set_account_key(std::move(account_key));
}

Context::Context(const Context&) = default;
Context& Context::operator=(const Context&) = default;
// A moved-from Context is valid and empty (never a null data_).
Context::Context(Context&& other) noexcept : data_(std::move(other.data_)) {
  other.data_ = EmptyData();
}
Context& Context::operator=(Context&& other) noexcept {
  if (this != &other) {
    data_ = std::move(other.data_);
    other.data_ = EmptyData();
  }
  return *this;
}
Context::~Context() = default;

Context::Data& Context::Mutable() {
  // use_count() == 1 means no other Context (and no evaluation, which only
  // borrows through a const Context&) sees this Data, so it may change in
  // place. Copies are made on one thread at a time per Context object.
  if (data_.use_count() != 1) data_ = std::make_shared<Data>(*data_);
  return *data_;
}

Context& Context::SetAccount(std::string account_key) {
  Mutable().proto.set_account_key(std::move(account_key));
  return *this;
}

Context& Context::SetUser(std::string user_key) {
  Mutable().proto.set_user_key(std::move(user_key));
  return *this;
}

Context& Context::Set(const std::string& name, std::string value) {
  (*Mutable().proto.mutable_attributes())[name].set_string_value(std::move(value));
  return *this;
}

Context& Context::Set(const std::string& name, const char* value) {
  return Set(name, std::string(value == nullptr ? "" : value));
}

Context& Context::Set(const std::string& name, double value) {
  (*Mutable().proto.mutable_attributes())[name].set_number_value(value);
  return *this;
}

Context& Context::Set(const std::string& name, int value) {
  return Set(name, static_cast<double>(value));
}

Context& Context::Set(const std::string& name, bool value) {
  (*Mutable().proto.mutable_attributes())[name].set_bool_value(value);
  return *this;
}

Context& Context::Set(const std::string& name, std::vector<std::string> values) {
  v1::StringList* list = (*Mutable().proto.mutable_attributes())[name].mutable_list_value();
  list->clear_values();
  for (std::string& v : values) list->add_values(std::move(v));
  return *this;
}

const std::string& Context::account_key() const { return data_->proto.account_key(); }
const std::string& Context::user_key() const { return data_->proto.user_key(); }

}  // namespace rampart
