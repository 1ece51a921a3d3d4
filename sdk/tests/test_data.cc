#include "sdk/tests/test_data.h"

#include <utility>

namespace rampart::sdk::testing {
namespace {

v1::Flag WithVariants(const std::string& key, v1::FlagType type,
                      std::vector<std::pair<std::string, v1::FlagValue>> variants,
                      const std::string& default_variant, const std::string& off_variant) {
  v1::Flag f;
  f.set_key(key);
  f.set_type(type);
  f.set_enabled(true);
  for (auto& [name, value] : variants) {
    v1::Variant* v = f.add_variants();
    v->set_name(name);
    *v->mutable_value() = value;
  }
  f.set_default_variant(default_variant);
  f.set_off_variant(off_variant);
  f.set_revision(1);
  return f;
}

v1::FlagValue Bool(bool b) {
  v1::FlagValue v;
  v.set_bool_value(b);
  return v;
}

}  // namespace

v1::Flag BoolFlag(const std::string& key, bool default_on) {
  return WithVariants(key, v1::FLAG_TYPE_BOOL, {{"on", Bool(true)}, {"off", Bool(false)}},
                      default_on ? "on" : "off", "off");
}

v1::Flag BoolFlagForSegment(const std::string& key, const std::string& segment) {
  v1::Flag f = BoolFlag(key, false);
  v1::Rule* r = f.add_rules();
  r->set_id("r1");
  r->add_segments(segment);
  r->set_variant("on");
  return f;
}

v1::Flag StringFlag(const std::string& key, const std::string& value) {
  v1::FlagValue v;
  v.set_string_value(value);
  return WithVariants(key, v1::FLAG_TYPE_STRING, {{"v", v}}, "v", "v");
}

v1::Flag IntFlag(const std::string& key, int64_t value) {
  v1::FlagValue v;
  v.set_int_value(value);
  return WithVariants(key, v1::FLAG_TYPE_INT, {{"v", v}}, "v", "v");
}

v1::Flag DoubleFlag(const std::string& key, double value) {
  v1::FlagValue v;
  v.set_double_value(value);
  return WithVariants(key, v1::FLAG_TYPE_DOUBLE, {{"v", v}}, "v", "v");
}

v1::Flag JsonFlag(const std::string& key, const std::string& json) {
  v1::FlagValue v;
  v.set_json_value(json);
  return WithVariants(key, v1::FLAG_TYPE_JSON, {{"v", v}}, "v", "v");
}

v1::Segment IndustrySegment(const std::string& key, const std::string& industry) {
  v1::Segment s;
  s.set_key(key);
  s.set_match(v1::MATCH_ALL);
  v1::Condition* c = s.add_conditions();
  c->set_attribute("industry");
  c->set_op(v1::OPERATOR_EQUALS);
  c->add_values(industry);
  return s;
}

v1::Account AccountIn(const std::string& key, const std::string& industry) {
  v1::Account a;
  a.set_key(key);
  a.set_name(key);
  (*a.mutable_attributes())["industry"].set_string_value(industry);
  return a;
}

v1::SdkSnapshot DemoSnapshot(int64_t version, std::vector<v1::Flag> extra) {
  v1::SdkSnapshot s;
  s.set_version(version);
  *s.add_segments() = IndustrySegment("accounting", "accounting");
  *s.add_accounts() = AccountIn("acme-accounting", "accounting");
  *s.add_accounts() = AccountIn("kino-mir", "cinema");
  *s.add_flags() = BoolFlagForSegment("new-invoice-editor", "accounting");
  for (v1::Flag& f : extra) *s.add_flags() = std::move(f);
  return s;
}

v1::WatchResponse SnapshotMessage(v1::SdkSnapshot snapshot) {
  v1::WatchResponse r;
  *r.mutable_snapshot() = std::move(snapshot);
  return r;
}

v1::WatchResponse DeltaMessage(int64_t from, int64_t to, std::vector<v1::Flag> put_flags,
                               std::vector<std::string> removed_flags) {
  v1::WatchResponse r;
  v1::SdkDelta* d = r.mutable_delta();
  d->set_from_version(from);
  d->set_version(to);
  for (v1::Flag& f : put_flags) *d->add_put_flags() = std::move(f);
  for (std::string& k : removed_flags) d->add_removed_flags(std::move(k));
  return r;
}

}  // namespace rampart::sdk::testing
