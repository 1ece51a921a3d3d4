// Test-only: a Registry over a RocksDB store on an in-memory Env, so unit
// tests of the registry and of what listens to it start from an empty store
// in microseconds and leave nothing on disk.
#ifndef RAMPART_SERVER_REGISTRY_TESTING_IN_MEMORY_REGISTRY_H_
#define RAMPART_SERVER_REGISTRY_TESTING_IN_MEMORY_REGISTRY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/common/clock.h"
#include "rocksdb/env.h"
#include "server/registry/registry.h"
#include "server/storage/store.h"

namespace rampart::testing {

class InMemoryRegistry {
 public:
  using Registry = registry::Registry;

  // An empty store named `name` (any path; nothing touches the disk) and a
  // registry over it reading `clock`, which must outlive it.
  static absl::StatusOr<std::unique_ptr<InMemoryRegistry>> Open(Clock& clock,
                                                                const std::string& name = "/mem/db") {
    std::unique_ptr<InMemoryRegistry> db(new InMemoryRegistry());
    db->env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    auto store = storage::Store::Open({name, db->env_.get()});
    if (!store.ok()) return store.status();
    db->store_ = std::move(*store);
    auto registry = Registry::Open(*db->store_, clock);
    if (!registry.ok()) return registry.status();
    db->registry_ = std::move(*registry);
    return db;
  }

  ~InMemoryRegistry() {
    registry_.reset();
    store_.reset();  // before the env it lives in
  }

  storage::Store* store() const { return store_.get(); }
  Registry* registry() const { return registry_.get(); }

 private:
  InMemoryRegistry() = default;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Registry> registry_;
};

}  // namespace rampart::testing

#endif  // RAMPART_SERVER_REGISTRY_TESTING_IN_MEMORY_REGISTRY_H_
