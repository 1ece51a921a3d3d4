// The support view (issue 6: "whois for an account with 10 000 flags: at most
// 20 ms in the server; --at a past moment over 1 000 000 audit entries: at
// most 100 ms"). Results in docs/benchmarks.md.
//
//   BM_Whois_10000Flags: Registry::Whois now, for one account, on an
//     in-memory RocksDB registry holding 10 000 flags (each a segment rule
//     and a 25 % rollout, the SDK benchmarks' flags), 50 segments, and 1 000
//     of the flags changed once since their creation (so "since" walks their
//     history).
//   BM_Whois_10000Flags_EditedSegments/N: the same registry, then N of the
//     50 segments edited 4 times each, each edit but the first moving the
//     account in or out of it (an explicit member, then excluded, ...):
//     the "since" of the flags naming them (N/50 of all) walks back through
//     the segments as they were. N = 50: every flag's.
//   BM_Whois_10000Flags_AfterACommit: the same registry without the 1 000
//     changes, a whois right after each commit that changes one flag (the
//     commit is not timed): what a whois pays when the registry's compiled
//     current flags (server/registry/support_view.h) must be brought up to
//     date with the commit.
//   BM_WhoisAt_1MillionAuditEntries: Registry::Whois --at the middle of an
//     audit log of 1 000 000 entries (100 flags, each changed 10 000 times,
//     one change a second). The entries are written to the store directly,
//     in the registry's own format (an entry and its object index key per
//     change), because making a million changes through the registry would
//     take the benchmark's setup tens of minutes; the read path measured is
//     the one rampartd runs.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/scale_data.h"
#include "benchmark/benchmark.h"
#include "core/common/time_util.h"
#include "server/registry/registry.h"
#include "server/registry/testing/in_memory_registry.h"
#include "server/registry/transaction.h"
#include "server/storage/encoding.h"
#include "tests/testing/simulated_clock.h"

namespace rampart {
namespace {

void Require(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "support_bench: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

v1::WriteMeta Meta() {
  v1::WriteMeta m;
  m.set_actor("bench");
  m.set_reason("bench");
  return m;
}

// The account, the 50 segments and `flags` flags of the scale data set.
void Populate(registry::Registry& r, int flags) {
  const v1::SdkSnapshot data = bench::ScaleData();
  v1::PutAccountRequest account;
  *account.mutable_meta() = Meta();
  *account.mutable_account() = data.accounts(1);
  account.mutable_account()->clear_revision();
  Require(r.PutAccount(account).status(), "account");
  for (const v1::Segment& s : data.segments()) {
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_segment() = s;
    req.mutable_segment()->clear_included();
    Require(r.PutSegment(req).status(), "segment");
  }
  for (int i = 0; i < flags; ++i) {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_flag() = data.flags(i);
    Require(r.PutFlag(req).status(), "flag");
  }
}

// The registry of BM_Whois_10000Flags; with `segment_edits`, each segment
// then edited that many times (below).
testing::InMemoryRegistry* WhoisRegistry(testing::SimulatedClock& clock, const std::string& path,
                                         int segments_edited, int segment_edits) {
  auto db = testing::InMemoryRegistry::Open(clock, path);
  Require(db.status(), "open");
  registry::Registry& r = *(*db)->registry();
  Populate(r, bench::kScaleFlags);
  clock.AdvanceTime(absl::Hours(1));
  for (int i = 0; i < 1000; ++i) {  // 1 000 flags changed once
    auto flag = r.GetFlag(absl::StrCat("flag-", i * 10));
    Require(flag.status(), "get");
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_meta()->set_expected_revision(flag->revision());
    *req.mutable_flag() = *flag;
    req.mutable_flag()->set_default_variant("on");
    Require(r.PutFlag(req).status(), "update");
  }
  // The first `segments_edited` segments edited in turn, the k-th edit
  // listing acct-1 as a member (k even) or as excluded (k odd): each edit
  // but the first of a segment holding acct-1 already moves it in or out.
  for (int k = 0; k < segment_edits; ++k) {
    for (int i = 0; i < segments_edited; ++i) {
      clock.AdvanceTime(absl::Minutes(1));
      auto segment = r.GetSegment(absl::StrCat("segment-", i));
      Require(segment.status(), "get segment");
      v1::PutSegmentRequest req;
      *req.mutable_meta() = Meta();
      req.mutable_meta()->set_expected_revision(segment->revision());
      *req.mutable_segment() = *segment;
      req.mutable_segment()->clear_included();
      req.mutable_segment()->clear_excluded();
      if (k % 2 == 0) {
        req.mutable_segment()->add_included("acct-1");
      } else {
        req.mutable_segment()->add_excluded("acct-1");
      }
      Require(r.PutSegment(req).status(), "edit segment");
    }
  }
  clock.AdvanceTime(absl::Hours(1));
  return db->release();
}

void WhoisAcct1(benchmark::State& state, testing::InMemoryRegistry& db) {
  v1::WhoisRequest req;
  req.set_account("acct-1");
  size_t flags = 0;
  for (auto _ : state) {
    auto w = db.registry()->Whois(req);
    Require(w.status(), "whois");
    flags = static_cast<size_t>(w->flags_size());
  }
  if (flags != static_cast<size_t>(bench::kScaleFlags))
    Require(absl::InternalError("flags"), "count");
  state.counters["flags"] = static_cast<double>(flags);
}

void BM_Whois_10000Flags(benchmark::State& state) {
  static testing::SimulatedClock clock(absl::FromUnixSeconds(1'798'000'000));
  static auto* db = WhoisRegistry(clock, "/mem/whois", 0, 0);
  WhoisAcct1(state, *db);
}
BENCHMARK(BM_Whois_10000Flags)->Unit(benchmark::kMillisecond)->UseRealTime();

// Argument: how many of the 50 segments were edited (4 times each); each
// names the segment rule of 1/50 of the flags.
void BM_Whois_10000Flags_EditedSegments(benchmark::State& state) {
  static std::map<int64_t, std::pair<testing::SimulatedClock*, testing::InMemoryRegistry*>> dbs;
  auto& [clock, db] = dbs[state.range(0)];
  if (db == nullptr) {
    clock = new testing::SimulatedClock(absl::FromUnixSeconds(1'798'000'000));
    db = WhoisRegistry(*clock, absl::StrCat("/mem/whois-edited-", state.range(0)),
                       static_cast<int>(state.range(0)), 4);
  }
  WhoisAcct1(state, *db);
}
BENCHMARK(BM_Whois_10000Flags_EditedSegments)
    ->Arg(1)
    ->Arg(bench::kScaleSegments)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The first whois after a commit (one flag changed, outside the timing):
// the registry's compiled set of current flags is updated for it.
void BM_Whois_10000Flags_AfterACommit(benchmark::State& state) {
  static testing::SimulatedClock clock(absl::FromUnixSeconds(1'798'000'000));
  static auto* db = [] {
    auto db = testing::InMemoryRegistry::Open(clock, "/mem/whois-after-commit");
    Require(db.status(), "open");
    Populate(*(*db)->registry(), bench::kScaleFlags);
    return db->release();
  }();
  registry::Registry& r = *db->registry();
  v1::WhoisRequest req;
  req.set_account("acct-1");
  int i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    clock.AdvanceTime(absl::Seconds(1));
    auto flag = r.GetFlag(absl::StrCat("flag-", i++ % bench::kScaleFlags));
    Require(flag.status(), "get");
    v1::PutFlagRequest put;
    *put.mutable_meta() = Meta();
    put.mutable_meta()->set_expected_revision(flag->revision());
    *put.mutable_flag() = *flag;
    put.mutable_flag()->set_default_variant(flag->default_variant() == "on" ? "off" : "on");
    Require(r.PutFlag(put).status(), "update");
    state.ResumeTiming();
    Require(r.Whois(req).status(), "whois");
  }
}
BENCHMARK(BM_Whois_10000Flags_AfterACommit)->Unit(benchmark::kMillisecond)->UseRealTime();

constexpr int kHistoryFlags = 100;
constexpr int kEntries = 1'000'000;

void BM_WhoisAt_1MillionAuditEntries(benchmark::State& state) {
  static const absl::Time t0 = absl::FromUnixSeconds(1'798'000'000);
  static testing::SimulatedClock clock(t0);
  static auto* db = [] {
    auto db = testing::InMemoryRegistry::Open(clock, "/mem/history");
    Require(db.status(), "open");
    registry::Registry& r = *(*db)->registry();
    Populate(r, kHistoryFlags);
    const int64_t first = r.revision() + 1;
    const v1::SdkSnapshot data = bench::ScaleData();
    // One change a second, flag i % 100 alternating its default.
    storage::WriteBatch batch;
    int64_t revision = first;
    for (int i = 0; i < kEntries; ++i, ++revision) {
      v1::Flag flag = data.flags(i % kHistoryFlags);
      flag.set_default_variant(i % 2 == 0 ? "on" : "off");
      const absl::Time t = t0 + absl::Seconds(1 + i);
      flag.set_revision(revision);
      *flag.mutable_updated_at() = ToProto(t);
      v1::AuditEntry e;
      e.set_revision(revision);
      *e.mutable_time() = ToProto(t);
      e.set_actor("bench");
      e.set_reason("bench");
      e.set_kind(v1::OBJECT_KIND_FLAG);
      e.set_object_key(flag.key());
      e.set_action(v1::AUDIT_ACTION_UPDATE);
      e.set_after_json(registry::ToJson(flag));
      e.set_after(flag.SerializeAsString());
      e.set_operation("flag.put");
      const storage::AuditPosition pos{static_cast<uint64_t>(revision), 0};
      batch.Put(storage::Cf::kAudit, storage::AuditKey(pos), e.SerializeAsString());
      batch.Put(storage::Cf::kAuditIndex,
                storage::AuditIndexKey(
                    storage::AuditObjectIndexPrefix(v1::OBJECT_KIND_FLAG, flag.key()), pos),
                "");
      if (i >= kEntries - kHistoryFlags) {
        batch.Put(storage::Cf::kFlags, flag.key(), flag.SerializeAsString());
      }
      if ((i + 1) % 20000 == 0 || i + 1 == kEntries) {
        std::string rev;
        storage::PutBigEndian64(&rev, static_cast<uint64_t>(revision));
        batch.Put(storage::Cf::kMeta, storage::kMetaRevision, rev);
        Require((*db)->store()->Write(batch), "write");
        batch = storage::WriteBatch();
      }
    }
    clock.SetTime(t0 + absl::Seconds(kEntries + 10));
    return db->release();
  }();
  v1::WhoisRequest req;
  req.set_account("acct-1");
  *req.mutable_at() = ToProto(t0 + absl::Seconds(kEntries / 2) + absl::Milliseconds(500));
  int64_t revision = 0;
  for (auto _ : state) {
    auto w = db->registry()->Whois(req);
    Require(w.status(), "whois --at");
    revision = w->revision();
  }
  state.counters["revision"] = static_cast<double>(revision);
}
BENCHMARK(BM_WhoisAt_1MillionAuditEntries)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rampart

BENCHMARK_MAIN();
