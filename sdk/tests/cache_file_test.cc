#include "sdk/src/cache_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "sdk/tests/test_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace rampart::sdk {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
  EXPECT_EQ(Crc32(""), 0u);
}

TEST(CacheFile, RoundTrip) {
  rampart::testing::TempDir dir;
  const std::string path = dir.path() + "/rampart.snapshot";
  const v1::SdkSnapshot snapshot = testing::DemoSnapshot(42, {testing::StringFlag("s", "x")});
  ASSERT_TRUE(WriteCacheFile(path, snapshot).ok());

  absl::StatusOr<v1::SdkSnapshot> read = ReadCacheFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*read, snapshot));
  // The header is as documented.
  const std::string bytes = ReadAll(path);
  EXPECT_EQ(bytes.substr(0, 4), "RMPC");
  EXPECT_EQ(bytes.size(), kCacheHeaderSize + snapshot.ByteSizeLong());
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(CacheFile, OverwritesAtomically) {
  rampart::testing::TempDir dir;
  const std::string path = dir.path() + "/c";
  ASSERT_TRUE(WriteCacheFile(path, testing::DemoSnapshot(1)).ok());
  ASSERT_TRUE(WriteCacheFile(path, testing::DemoSnapshot(2)).ok());
  absl::StatusOr<v1::SdkSnapshot> read = ReadCacheFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version(), 2);
}

TEST(CacheFile, MissingIsNotFound) {
  rampart::testing::TempDir dir;
  EXPECT_THAT(ReadCacheFile(dir.path() + "/none"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/none")));
}

TEST(CacheFile, UnwritableDirectoryIsAnError) {
  EXPECT_FALSE(WriteCacheFile("/nonexistent-dir/c", testing::DemoSnapshot(1)).ok());
}

class CorruptCacheFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/c";
    ASSERT_TRUE(WriteCacheFile(path_, testing::DemoSnapshot(7)).ok());
    bytes_ = ReadAll(path_);
  }
  absl::Status ReadBack(const std::string& bytes) {
    WriteAll(path_, bytes);
    return ReadCacheFile(path_).status();
  }

  rampart::testing::TempDir dir_;
  std::string path_;
  std::string bytes_;
};

TEST_F(CorruptCacheFile, ForeignFile) {
  EXPECT_THAT(ReadBack("{\"flags\": []}\n"), StatusIs(absl::StatusCode::kDataLoss,
                                                     HasSubstr("not a Rampart cache file")));
  EXPECT_THAT(ReadBack(""), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("bad magic")));
}

TEST_F(CorruptCacheFile, Truncated) {
  EXPECT_THAT(ReadBack(bytes_.substr(0, bytes_.size() - 3)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated")));
  EXPECT_THAT(ReadBack(bytes_.substr(0, 10)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated")));
}

TEST_F(CorruptCacheFile, FlippedBit) {
  std::string bytes = bytes_;
  bytes[bytes.size() - 5] ^= 0x10;
  EXPECT_THAT(ReadBack(bytes), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("checksum")));
}

TEST_F(CorruptCacheFile, OtherFormatVersion) {
  std::string bytes = bytes_;
  bytes[4] = 9;
  EXPECT_THAT(ReadBack(bytes), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("format version 9")));
}

TEST_F(CorruptCacheFile, ValidChecksumOverGarbage) {
  // A well-formed header around bytes that are not an SdkSnapshot.
  const std::string garbage = "\xff\xff\xff\xff\xff";
  std::string bytes = bytes_.substr(0, 8);
  for (int i = 0; i < 8; ++i) bytes.push_back(i == 0 ? static_cast<char>(garbage.size()) : 0);
  const uint32_t crc = Crc32(garbage);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  bytes += garbage;
  EXPECT_THAT(ReadBack(bytes), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not parse")));
}

}  // namespace
}  // namespace rampart::sdk
