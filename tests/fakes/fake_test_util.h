#ifndef SIPPET_TESTS_FAKES_FAKE_TEST_UTIL_H_
#define SIPPET_TESTS_FAKES_FAKE_TEST_UTIL_H_

// Helpers shared by the fakes' own tests.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/fakes/fake_crm.h"
#include "tests/fakes/http_test_client.h"

namespace sippet::fakes {

// A started fake; fails the current test (and returns nullptr) when it cannot start.
inline std::unique_ptr<FakeCrmServer> StartFake(FakeCrmKind kind, FakeCrmOptions options = {}) {
  auto fake = MakeFakeCrm(kind, std::move(options));
  std::string error;
  if (!fake->Start(&error)) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  return fake;
}

}  // namespace sippet::fakes

#endif  // SIPPET_TESTS_FAKES_FAKE_TEST_UTIL_H_
