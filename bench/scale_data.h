// The data the benchmarks share, built in code.
#ifndef RAMPART_BENCH_SCALE_DATA_H_
#define RAMPART_BENCH_SCALE_DATA_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "rampart/v1/model.pb.h"
#include "rampart/v1/sdk.pb.h"

namespace rampart::bench {

inline constexpr int kScaleFlags = 10'000;
inline constexpr int kScaleAccounts = 100'000;
inline constexpr int kScaleSegments = 50;

// A bool flag with variants on/off, off by default, enabled.
inline v1::Flag BoolFlag(const std::string& key) {
  v1::Flag f;
  f.set_key(key);
  f.set_type(v1::FLAG_TYPE_BOOL);
  for (auto [name, value] : {std::pair{"on", true}, std::pair{"off", false}}) {
    v1::Variant* v = f.add_variants();
    v->set_name(name);
    v->mutable_value()->set_bool_value(value);
  }
  f.set_default_variant("off");
  f.set_off_variant("off");
  f.set_enabled(true);
  return f;
}

inline v1::Condition Cond(const char* attribute, v1::Operator op, const std::string& value) {
  v1::Condition c;
  c.set_attribute(attribute);
  c.set_op(op);
  c.add_values(value);
  return c;
}

// The SDK-scale data set (docs/benchmarks.md): 100 000 accounts with 3-4
// attributes; 50 segments, each two conditions over attributes and 20
// included accounts; 10 000 bool flags "flag-<i>", each a rule on a segment
// and a 25 % / 75 % rollout.
inline v1::SdkSnapshot ScaleData() {
  static const char* kIndustries[] = {"accounting", "cinema", "procurement",
                                      "logistics",  "hr",     "retail"};
  v1::SdkSnapshot s;
  s.set_version(1);
  for (int i = 0; i < kScaleAccounts; ++i) {
    v1::Account* a = s.add_accounts();
    a->set_key(absl::StrCat("acct-", i));
    a->set_name(absl::StrCat("Company ", i));
    a->set_time_zone("Europe/Moscow");
    auto& attrs = *a->mutable_attributes();
    attrs["industry"].set_string_value(kIndustries[i % 6]);
    attrs["plan"].set_string_value(i % 3 == 0 ? "enterprise" : "pro");
    attrs["ltv"].set_number_value((i * 7919) % 5'000'000);
    if (i % 10 == 0) attrs["tags"].mutable_list_value()->add_values("beta");
  }
  for (int i = 0; i < kScaleSegments; ++i) {
    v1::Segment* seg = s.add_segments();
    seg->set_key(absl::StrCat("segment-", i));
    *seg->add_conditions() = Cond("industry", v1::OPERATOR_EQUALS, kIndustries[i % 6]);
    *seg->add_conditions() =
        Cond("ltv", v1::OPERATOR_GREATER_OR_EQUAL, std::to_string(i * 50'000));
    for (int m = 0; m < 20; ++m) seg->add_included(absl::StrCat("acct-", i * 1000 + m));
  }
  for (int i = 0; i < kScaleFlags; ++i) {
    v1::Flag* f = s.add_flags();
    *f = BoolFlag(absl::StrCat("flag-", i));
    v1::Rule* rule = f->add_rules();
    rule->set_id("segment");
    rule->add_segments(absl::StrCat("segment-", i % kScaleSegments));
    rule->set_variant("on");
    for (auto [name, weight] : {std::pair{"on", 25'000u}, std::pair{"off", 75'000u}}) {
      v1::WeightedVariant* w = f->mutable_rollout()->add_variants();
      w->set_variant(name);
      w->set_weight(weight);
    }
  }
  return s;
}

}  // namespace rampart::bench

#endif  // RAMPART_BENCH_SCALE_DATA_H_
