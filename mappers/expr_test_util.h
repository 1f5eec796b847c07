#ifndef SIPPET_MAPPERS_EXPR_TEST_UTIL_H_
#define SIPPET_MAPPERS_EXPR_TEST_UTIL_H_

// Shared fixtures of the expression language tests.

#include <nlohmann/json.hpp>
#include <string>

#include "mappers/expr.h"

namespace sippet {
namespace expr {
namespace testing {

inline const nlohmann::json& Context() {
  static const nlohmann::json kContext = nlohmann::json::parse(R"({
    "event": {"type": "contact.created", "id": "evt_1",
              "occurred_at": "2026-11-30T09:12:05.500Z"},
    "data": {
      "email": " Ada.Lovelace@Example.com ", "first_name": "Ada", "last_name": "Lovelace",
      "tags": ["vip", "billing"], "empty_list": [], "empty_obj": {}, "zero": 0,
      "score": 0.93, "count": 826, "big": 1e21, "nothing": null, "blank": "",
      "odd key": "odd", "nested": {"a": {"b": [10, 20, {"c": "deep"}]}},
      "cost": "0.000412", "flag": "yes", "country": "GB", "dial": 44,
      "unicode": "Émile Zoë Straße Łódź Σίσυφος Жанна 日本", "mixed": [1, null, "a", null],
      "obj": {"b": 2, "a": 1, "n": null}, "t": true, "f": false,
      "path": "a b/c?d=é&x", "in": "keyword as a key"
    },
    "link": {"external_id": "123"},
    "vars": {"limit": 3, "sep": ";"}
  })");
  return kContext;
}

inline const Tables& TestTables() {
  static const Tables kTables = {
      {"countries", nlohmann::json::parse(R"({"GB": "United Kingdom", "FR": "France",
                                             "44": "by dialling code"})")},
      {"labels", nlohmann::json::parse(R"({"billing.refund_request": {"queue": "refunds"}})")},
      {"not_a_map", nlohmann::json::parse(R"(["GB", "FR"])")},
  };
  return kTables;
}

inline CompileOptions Options() {
  CompileOptions o;
  o.roots = {"event", "data", "record", "link", "target", "vars"};
  o.tables = &TestTables();
  return o;
}

}  // namespace testing
}  // namespace expr
}  // namespace sippet

#endif  // SIPPET_MAPPERS_EXPR_TEST_UTIL_H_
