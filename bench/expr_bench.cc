// Prints how fast the expression language compiles and evaluates a contact mapping's fields.
// Usage: expr_bench [iterations]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mappers/expr.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  using sippet::expr::CompileError;
  using sippet::expr::CompileOptions;
  using sippet::expr::Expression;
  using sippet::expr::Tables;
  using sippet::expr::Template;
  int iterations = argc > 1 ? std::atoi(argv[1]) : 200000;

  Tables tables = {{"countries", {{"GB", "United Kingdom"}, {"FR", "France"}}}};
  CompileOptions options;
  options.roots = {"event", "data", "record", "link", "target", "vars"};
  options.tables = &tables;

  const char* when = "data.email != null and 'test' not in data.tags";
  const std::vector<const char*> fields = {
      "{{ data.email | trim | lower }}",
      "{{ data.first_name }} {{ data.last_name | upper }}",
      "{{ data.phone | replace(' ', '') }}",
      "{{ data.country | lookup('countries', 'Other') }}",
      "{{ data.tags | join(';') }}",
      "{{ data.updated_at | format_time('unix_ms') }}",
      "{{ data.score | to_string }}",
      "/crm/v3/objects/contacts/{{ link.external_id | url_encode }}",
  };
  nlohmann::json context = nlohmann::json::parse(R"({
    "event": {"id": "evt_1", "type": "contact.updated"},
    "data": {"email": " Ada.Lovelace@Example.com ", "first_name": "Ada", "last_name": "Lovelace",
             "phone": "+44 20 7946 0958", "country": "GB", "tags": ["vip", "billing"],
             "updated_at": "2026-11-01T08:00:00.050Z", "score": 0.93},
    "link": {"external_id": "551 09"}
  })");

  CompileError error;
  Clock::time_point t0 = Clock::now();
  std::optional<Expression> condition;
  std::vector<Template> templates;
  for (int i = 0; i < 1000; ++i) {
    condition = Expression::Compile(when, options, &error);
    templates.clear();
    for (const char* f : fields) templates.push_back(*Template::Compile(f, options, &error));
  }
  Clock::time_point t1 = Clock::now();
  if (!condition) {
    std::fprintf(stderr, "compile failed: %s\n", error.ToString().c_str());
    return 1;
  }

  size_t checksum = 0;
  for (int i = 0; i < iterations; ++i) {
    if (!sippet::expr::IsTruthy(condition->Evaluate(context).value())) return 1;
    for (const Template& t : templates) checksum += t.Render(context).value().size();
  }
  Clock::time_point t2 = Clock::now();

  double compile_us = Seconds(t0, t1) / 1000 * 1e6;
  double per_record_us = Seconds(t1, t2) / iterations * 1e6;
  std::printf("compile one mapping (1 condition + %zu templates): %.1f us\n", fields.size(),
              compile_us);
  std::printf("evaluate one record (1 condition + %zu templates): %.2f us, %.0f records/s\n",
              fields.size(), per_record_us, 1e6 / per_record_us);
  std::printf("(checksum %zu)\n", checksum);
  return 0;
}
