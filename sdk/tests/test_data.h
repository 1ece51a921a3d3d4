// Flags, segments and accounts for the SDK tests, built in code.
#ifndef RAMPART_SDK_TESTS_TEST_DATA_H_
#define RAMPART_SDK_TESTS_TEST_DATA_H_

#include <string>
#include <vector>

#include "rampart/v1/sdk.pb.h"

namespace rampart::sdk::testing {

// A bool flag with variants "on"/"off", default `default_on`.
v1::Flag BoolFlag(const std::string& key, bool default_on);
// The same, with a rule serving "on" to `segment`.
v1::Flag BoolFlagForSegment(const std::string& key, const std::string& segment);
// A string flag with one variant "v" serving `value`.
v1::Flag StringFlag(const std::string& key, const std::string& value);
v1::Flag IntFlag(const std::string& key, int64_t value);
v1::Flag DoubleFlag(const std::string& key, double value);
v1::Flag JsonFlag(const std::string& key, const std::string& json);

// Accounts whose attribute "industry" is "accounting".
v1::Segment IndustrySegment(const std::string& key, const std::string& industry);
v1::Account AccountIn(const std::string& key, const std::string& industry);

// The demo set: segment "accounting", accounts "acme-accounting"
// (accounting) and "kino-mir" (cinema), flag "new-invoice-editor" on for
// the segment, and `extra` flags.
v1::SdkSnapshot DemoSnapshot(int64_t version, std::vector<v1::Flag> extra = {});

v1::WatchResponse SnapshotMessage(v1::SdkSnapshot snapshot);
v1::WatchResponse DeltaMessage(int64_t from, int64_t to, std::vector<v1::Flag> put_flags,
                               std::vector<std::string> removed_flags = {});

}  // namespace rampart::sdk::testing

#endif  // RAMPART_SDK_TESTS_TEST_DATA_H_
