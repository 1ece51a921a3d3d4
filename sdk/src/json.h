// Flag values as JSON text: what GetJson returns and what OnValueChange
// compares. A json_value is returned as stored (the server validated it);
// bool, int, double and string values are encoded.
#ifndef RAMPART_SDK_SRC_JSON_H_
#define RAMPART_SDK_SRC_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "rampart/v1/model.pb.h"

namespace rampart::sdk {

// `value` as JSON text; "null" for an unset value. Doubles use the shortest
// text that reads back to the same double; NaN and infinities are "null".
std::string ValueToJson(const v1::FlagValue& value);

// `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_JSON_H_
