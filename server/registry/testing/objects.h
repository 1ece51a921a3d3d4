// Test-only: the objects the registry tests keep making — an on/off bool
// flag and a segment of the accounts with one attribute value.
#ifndef RAMPART_SERVER_REGISTRY_TESTING_OBJECTS_H_
#define RAMPART_SERVER_REGISTRY_TESTING_OBJECTS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "rampart/v1/model.pb.h"

namespace rampart::testing {

// Bool flag `key`, enabled, variants "on" (true) and "off" (false), off by
// default and when killed.
inline v1::Flag OnOffFlag(absl::string_view key) {
  v1::Flag f;
  f.set_key(std::string(key));
  f.set_type(v1::FLAG_TYPE_BOOL);
  f.add_variants()->set_name("on");
  f.mutable_variants(0)->mutable_value()->set_bool_value(true);
  f.add_variants()->set_name("off");
  f.mutable_variants(1)->mutable_value()->set_bool_value(false);
  f.set_default_variant("off");
  f.set_off_variant("off");
  f.set_enabled(true);
  return f;
}

// Segment `key` of the accounts whose `attribute` equals `value`, in `zone`
// (empty: none).
inline v1::Segment AttributeSegment(absl::string_view key, absl::string_view attribute,
                                    absl::string_view value, absl::string_view zone = "") {
  v1::Segment s;
  s.set_key(std::string(key));
  s.set_time_zone(std::string(zone));
  v1::Condition* c = s.add_conditions();
  c->set_attribute(std::string(attribute));
  c->set_op(v1::OPERATOR_EQUALS);
  c->add_values(std::string(value));
  return s;
}

}  // namespace rampart::testing

#endif  // RAMPART_SERVER_REGISTRY_TESTING_OBJECTS_H_
