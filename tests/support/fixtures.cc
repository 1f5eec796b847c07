#include "tests/support/fixtures.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sippet::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadFixture(const std::string& relative) {
  return ReadFile(std::string(SIPPET_TEST_FIXTURES_DIR) + "/" + relative);
}

std::vector<std::string> EventFixtureNames() {
  std::vector<std::string> names;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(SIPPET_TEST_FIXTURES_DIR) + "/events")) {
    if (e.path().extension() == ".json") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sippet::testing
