#ifndef SIPPET_TESTS_SUPPORT_FIXTURES_H_
#define SIPPET_TESTS_SUPPORT_FIXTURES_H_

#include <string>
#include <vector>

namespace sippet::testing {

// Reads tests/fixtures/<relative> as bytes; fails the test (throws) if missing.
std::string ReadFixture(const std::string& relative);
// Names of tests/fixtures/events/*.json, sorted.
std::vector<std::string> EventFixtureNames();
// Reads any file as bytes; throws std::runtime_error if it cannot.
std::string ReadFile(const std::string& path);

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_FIXTURES_H_
