// A snapshot derived from another (Snapshot::Builder(const Snapshot&): the
// flags added or replaced compiled, the others shared) evaluates exactly like
// one built from scratch over the same flags, after any number of random
// changes, each snapshot derived from the last and the last then dropped.
// Linked into the engine test binaries (also under ASan, which sees a
// compiled flag outliving what it points into).
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "gtest/gtest.h"
#include "tests/testing/text_proto.h"

namespace rampart::eval {
namespace {

using ::rampart::testing::ParseTextProto;

absl::Time Utc(int y, int mo, int d, int h) {
  return absl::FromCivil(absl::CivilHour(y, mo, d, h), absl::UTCTimeZone());
}

// The freeze window of "accounting" (Moscow) that the random flags' pins name.
const absl::Time kWindowStart = Utc(2026, 12, 25, 12);
const absl::Time kWindowEnd = Utc(2026, 12, 28, 21);

// Before, inside and after the window, and just before an override's end.
const absl::Time kInstants[] = {Utc(2026, 12, 20, 9), Utc(2026, 12, 26, 9), Utc(2026, 12, 30, 9),
                                Utc(2026, 12, 22, 11)};

const char* const kAccounts[] = {"books", "ledger", "kino", "shop", "nobody"};

std::vector<v1::Segment> Segments() {
  return {ParseTextProto<v1::Segment>(R"pb(
            key: "accounting"
            time_zone: "Europe/Moscow"
            conditions { attribute: "industry" op: OPERATOR_EQUALS values: "accounting" }
          )pb"),
          ParseTextProto<v1::Segment>(R"pb(
            key: "big"
            included: "shop"
            conditions { attribute: "seats" op: OPERATOR_GREATER values: "100" }
          )pb")};
}

std::vector<v1::Account> Accounts() {
  return {ParseTextProto<v1::Account>(R"pb(
            key: "books"
            attributes {
              key: "industry"
              value { string_value: "accounting" }
            }
            attributes {
              key: "seats"
              value { number_value: 500 }
            }
          )pb"),
          ParseTextProto<v1::Account>(R"pb(
            key: "ledger"
            time_zone: "Asia/Vladivostok"
            attributes {
              key: "industry"
              value { string_value: "accounting" }
            }
          )pb"),
          ParseTextProto<v1::Account>(R"pb(
            key: "kino"
            attributes {
              key: "seats"
              value { number_value: 50 }
            }
          )pb"),
          ParseTextProto<v1::Account>(R"pb(key: "shop")pb")};
}

v1::FreezeSchedule Schedule() {
  v1::FreezeSchedule schedule;
  v1::SegmentFreezeWindows* list = schedule.add_segments();
  list->set_segment("accounting");
  list->set_time_zone("Europe/Moscow");
  v1::FreezeWindow* w = list->add_windows();
  *w->mutable_start() = rampart::ToProto(kWindowStart);
  *w->mutable_end() = rampart::ToProto(kWindowEnd);
  w->set_calendar("accounting-deadlines");
  w->set_rule("the 28th");
  return schedule;
}

// A flag of key `key` with random targeting: kill switch, archive, overrides
// (some ending), rules on segments and conditions, a rollout, a pin for the
// window.
v1::Flag RandomFlag(const std::string& key, std::mt19937& rng) {
  const auto chance = [&](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };
  const auto variant = [&] { return chance(50) ? "on" : "off"; };
  v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
    type: FLAG_TYPE_BOOL
    variants {
      name: "on"
      value { bool_value: true }
    }
    variants {
      name: "off"
      value { bool_value: false }
    }
    off_variant: "off"
  )pb");
  flag.set_key(key);
  flag.set_default_variant(variant());
  flag.set_enabled(!chance(10));
  flag.set_archived(chance(5));
  if (chance(30)) {
    v1::Override* o = flag.add_overrides();
    o->set_account_key(kAccounts[rng() % 4]);
    o->set_variant(variant());
    o->set_reason("pilot");
    if (chance(50)) *o->mutable_ends_at() = rampart::ToProto(Utc(2026, 12, 22, 12));
  }
  const int rules = static_cast<int>(rng() % 3);
  for (int i = 0; i < rules; ++i) {
    v1::Rule* r = flag.add_rules();
    r->set_id(absl::StrCat("r", i));
    r->set_variant(variant());
    if (chance(60)) r->add_segments(chance(50) ? "accounting" : "big");
    if (chance(40)) {
      v1::Condition* c = r->add_conditions();
      c->set_attribute("seats");
      c->set_op(v1::OPERATOR_LESS);
      c->add_values(absl::StrCat(rng() % 600));
    }
  }
  if (chance(50)) {
    const uint32_t on = static_cast<uint32_t>(rng() % 10001);
    v1::WeightedVariant* a = flag.mutable_rollout()->add_variants();
    a->set_variant("on");
    a->set_weight(on);
    v1::WeightedVariant* b = flag.mutable_rollout()->add_variants();
    b->set_variant("off");
    b->set_weight(10000 - on);
  }
  if (chance(30)) {
    v1::FreezePin* pin = flag.add_freeze_pins();
    pin->set_segment("accounting");
    pin->set_time_zone("Europe/Moscow");
    *pin->mutable_window_start() = rampart::ToProto(kWindowStart);
    *pin->mutable_window_end() = rampart::ToProto(kWindowEnd);
    pin->set_calendar("accounting-deadlines");
    pin->set_rule("the 28th");
    if (chance(20)) {
      pin->set_absent(true);
    } else {
      *pin->mutable_flag() = flag;
      pin->mutable_flag()->clear_freeze_pins();
      pin->mutable_flag()->set_default_variant(variant());
    }
  }
  return flag;
}

std::shared_ptr<const Snapshot> FromScratch(const std::map<std::string, v1::Flag>& flags) {
  Snapshot::Builder b;
  for (v1::Segment& s : Segments()) b.AddSegment(std::move(s));
  for (v1::Account& a : Accounts()) b.AddAccount(std::move(a));
  b.SetFreezeSchedule(Schedule());
  for (const auto& [key, flag] : flags) b.AddFlag(flag);
  return std::move(b).Build();
}

Context Books() {
  Context context;
  context.account_key = "books";
  return context;
}

std::string Describe(const Evaluation& e) {
  return absl::StrCat(e.value == nullptr ? "-" : e.value->ShortDebugString(), " ", e.variant, " ",
                      v1::Reason_Name(e.reason), " ", v1::ErrorCode_Name(e.error), " ", e.detail);
}

// Every flag key ever used, for every account (from the snapshot, and as a
// context's own account, as the server's support view passes it), at every
// instant: the same answers.
void ExpectSameAnswers(const Snapshot& derived, const Snapshot& scratch, int keys, int step) {
  const std::vector<v1::Account> accounts = Accounts();
  for (int k = 0; k < keys; ++k) {
    const std::string key = absl::StrCat("flag-", k);
    for (const char* account : kAccounts) {
      const v1::Account* own = nullptr;
      for (const v1::Account& a : accounts) {
        if (a.key() == account) own = &a;
      }
      for (const absl::Time at : kInstants) {
        Context context;
        context.account_key = account;
        ASSERT_EQ(Describe(Evaluate(derived, key, context, at)),
                  Describe(Evaluate(scratch, key, context, at)))
            << "step " << step << ", " << key << ", " << account << " at " << at;
        context.account = own;
        ASSERT_EQ(Describe(Evaluate(derived, key, context, at)),
                  Describe(Evaluate(scratch, key, context, at)))
            << "step " << step << ", " << key << ", " << account << " (own) at " << at;
      }
    }
  }
}

TEST(DerivedSnapshotTest, EvaluatesLikeOneBuiltFromScratchOverRandomChanges) {
  std::mt19937 rng(20261228);
  constexpr int kKeys = 40;
  std::map<std::string, v1::Flag> flags;
  for (int k = 0; k < kKeys; k += 2) {
    const std::string key = absl::StrCat("flag-", k);
    flags[key] = RandomFlag(key, rng);
  }
  std::shared_ptr<const Snapshot> derived = FromScratch(flags);
  for (int step = 0; step < 300; ++step) {
    Snapshot::Builder b(*derived);
    // One to four changes, on any key: replace, add, remove, and now and
    // then a flag added then removed, or removed then added, in one build.
    const int changes = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < changes; ++c) {
      const std::string key = absl::StrCat("flag-", rng() % kKeys);
      switch (rng() % 4) {
        case 0:
        case 1: {
          v1::Flag flag = RandomFlag(key, rng);
          flags[key] = flag;
          b.AddFlag(std::move(flag));
          break;
        }
        case 2:
          flags.erase(key);
          b.RemoveFlag(key);
          break;
        default: {
          b.AddFlag(RandomFlag(key, rng));
          b.RemoveFlag(key);
          v1::Flag flag = RandomFlag(key, rng);
          flags[key] = flag;
          b.AddFlag(std::move(flag));
          break;
        }
      }
    }
    derived = std::move(b).Build();  // the snapshot it came from is gone
    const std::shared_ptr<const Snapshot> scratch = FromScratch(flags);

    std::vector<std::string> derived_keys, scratch_keys;
    for (const v1::Flag* f : derived->flags()) derived_keys.push_back(f->key());
    for (const v1::Flag* f : scratch->flags()) scratch_keys.push_back(f->key());
    ASSERT_EQ(derived_keys, scratch_keys) << "step " << step;
    for (const v1::Flag* f : derived->flags()) {
      ASSERT_EQ(derived->FindFlag(f->key()), f);
      ASSERT_EQ(f->SerializeAsString(), flags.at(f->key()).SerializeAsString());
    }
    EXPECT_NE(derived->FindSegment("accounting"), nullptr);
    EXPECT_TRUE(derived->HasAccount("books"));
    EXPECT_EQ(derived->freeze_schedule().SerializeAsString(), Schedule().SerializeAsString());
    ExpectSameAnswers(*derived, *scratch, kKeys, step);
  }
}

TEST(DerivedSnapshotTest, SharesTheUnchangedFlagsAndLeavesThePreviousAsItWas) {
  std::mt19937 rng(7);
  std::map<std::string, v1::Flag> flags;
  for (int k = 0; k < 3; ++k) {
    const std::string key = absl::StrCat("flag-", k);
    flags[key] = RandomFlag(key, rng);
  }
  const std::shared_ptr<const Snapshot> previous = FromScratch(flags);
  Snapshot::Builder b(*previous);
  v1::Flag changed = RandomFlag("flag-1", rng);
  changed.set_archived(false);
  changed.set_enabled(false);
  b.AddFlag(changed);
  b.RemoveFlag("flag-2");
  b.RemoveFlag("no-such-flag");
  const std::shared_ptr<const Snapshot> next = std::move(b).Build();

  ASSERT_EQ(next->flags().size(), 2u);
  EXPECT_EQ(next->FindFlag("flag-0"), previous->FindFlag("flag-0"));  // shared, not copied
  EXPECT_EQ(next->FindFlag("flag-2"), nullptr);
  EXPECT_EQ(Evaluate(*next, "flag-1", Books(), kInstants[0]).reason, v1::REASON_DISABLED);
  EXPECT_EQ(Evaluate(*next, "flag-2", Books(), kInstants[0]).error, v1::ERROR_CODE_FLAG_NOT_FOUND);

  // The previous snapshot is unchanged.
  ASSERT_EQ(previous->flags().size(), 3u);
  EXPECT_EQ(previous->FindFlag("flag-1")->SerializeAsString(),
            flags.at("flag-1").SerializeAsString());
  ExpectSameAnswers(*previous, *FromScratch(flags), 3, -1);
}

}  // namespace
}  // namespace rampart::eval
