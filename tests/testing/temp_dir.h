// A fresh temporary directory per test, removed (recursively) on destruction.
#ifndef RAMPART_TESTS_TESTING_TEMP_DIR_H_
#define RAMPART_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace rampart::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace rampart::testing

#endif  // RAMPART_TESTS_TESTING_TEMP_DIR_H_
