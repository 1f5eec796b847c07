// Keeps docs/mappings-expressions.md true: every `expression → result` line of its ```expr
// and ```template blocks, and every row of its error table, is checked against the context
// and lookup tables the page itself shows.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "mappers/expr.h"
#include "tests/support/fixtures.h"

namespace sippet {
namespace expr {
namespace {

using nlohmann::json;

const char kArrow[] = "\xE2\x86\x92";  // →

struct Block {
  std::string kind;  // the word after ```
  std::vector<std::string> lines;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

struct Doc {
  std::vector<Block> blocks;
  std::vector<std::string> lines;
};

Doc ReadDoc() {
  Doc doc;
  std::istringstream in(
      sippet::testing::ReadFile(SIPPET_SOURCE_DIR "/docs/mappings-expressions.md"));
  std::string line;
  Block* open = nullptr;
  while (std::getline(in, line)) {
    doc.lines.push_back(line);
    if (line.rfind("```", 0) == 0) {
      if (open == nullptr) {
        doc.blocks.push_back(Block{line.substr(3), {}});
        open = &doc.blocks.back();
      } else {
        open = nullptr;
      }
    } else if (open != nullptr) {
      open->lines.push_back(line);
    }
  }
  return doc;
}

std::string Joined(const Block& b) {
  std::string s;
  for (const std::string& l : b.lines) s += l + "\n";
  return s;
}

json YamlToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    json o = json::object();
    for (const auto& kv : node) o[kv.first.as<std::string>()] = YamlToJson(kv.second);
    return o;
  }
  if (node.IsSequence()) {
    json a = json::array();
    for (const auto& item : node) a.push_back(YamlToJson(item));
    return a;
  }
  return node.as<std::string>();
}

class ExprDocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = ReadDoc();
    for (const Block& b : doc_.blocks) {
      if (b.kind == "json" && context_.is_null()) context_ = json::parse(Joined(b));
      if (b.kind == "yaml" && Joined(b).rfind("lookups:", 0) == 0) {
        for (const auto& kv : YAML::Load(Joined(b))["lookups"]) {
          tables_[kv.first.as<std::string>()] = YamlToJson(kv.second);
        }
      }
    }
    ASSERT_TRUE(context_.is_object());
    ASSERT_FALSE(tables_.empty());
    options_.roots = {"event", "data", "record", "link", "target", "vars"};
    options_.tables = &tables_;
  }

  // Checks one `text → expected` line, where expected is JSON or "error: <message>".
  void CheckLine(const std::string& kind, const std::string& line) {
    size_t arrow = line.rfind(kArrow);
    ASSERT_NE(arrow, std::string::npos) << line;
    std::string text = Trim(line.substr(0, arrow));
    std::string expected = Trim(line.substr(arrow + sizeof(kArrow) - 1));
    SCOPED_TRACE(text);
    CompileError error;
    EvalResult r = EvalResult::Error("not compiled");
    if (kind == "expr") {
      std::optional<Expression> e = Expression::Compile(text, options_, &error);
      ASSERT_TRUE(e.has_value()) << error.ToString();
      r = e->Evaluate(context_);
    } else {
      std::optional<Template> t = Template::Compile(text, options_, &error);
      ASSERT_TRUE(t.has_value()) << error.ToString();
      r = t->Render(context_);
    }
    if (expected.rfind("error: ", 0) == 0) {
      ASSERT_FALSE(r.ok()) << r.value().dump();
      EXPECT_EQ(r.error().substr(0, r.error().find(" (at column")), expected.substr(7));
    } else {
      ASSERT_TRUE(r.ok()) << r.error();
      EXPECT_EQ(r.value(), json::parse(expected)) << r.value().dump();
    }
    ++checked_;
  }

  Doc doc_;
  json context_;
  Tables tables_;
  CompileOptions options_;
  int checked_ = 0;
};

TEST_F(ExprDocTest, EveryExampleGivesTheDocumentedResult) {
  for (const Block& b : doc_.blocks) {
    if (b.kind != "expr" && b.kind != "template") continue;
    for (const std::string& line : b.lines) {
      if (!Trim(line).empty()) CheckLine(b.kind, line);
    }
  }
  EXPECT_GT(checked_, 80);
}

TEST_F(ExprDocTest, EveryDocumentedFilterHasAnExample) {
  std::string examples;
  for (const Block& b : doc_.blocks) {
    if (b.kind == "expr") examples += Joined(b);
  }
  for (const char* name :
       {"lower",     "upper",     "trim",     "default",     "join",   "split",  "replace",
        "to_number", "to_string", "to_bool",  "format_time", "lookup", "length", "first",
        "last",      "slice",     "truncate", "url_encode",  "json",   "keys",   "compact"}) {
    EXPECT_NE(examples.find(std::string("| ") + name), std::string::npos) << name;
  }
}

TEST_F(ExprDocTest, TheErrorTableShowsTheRealMessages) {
  int rows = 0;
  bool in_errors = false;
  for (const std::string& line : doc_.lines) {
    if (line.rfind("## ", 0) == 0) in_errors = line == "## Errors";
    if (!in_errors || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;  // the two `code` cells, with \| unescaped
    size_t at = 0;
    while (cells.size() < 2) {
      size_t b = line.find('`', at);
      size_t e = line.find('`', b + 1);
      ASSERT_NE(e, std::string::npos) << line;
      std::string cell = line.substr(b + 1, e - b - 1);
      for (size_t p; (p = cell.find("\\|")) != std::string::npos;) cell.replace(p, 2, "|");
      cells.push_back(cell);
      at = e + 1;
    }
    SCOPED_TRACE(cells[0]);
    CompileError error;
    bool compiled = cells[0].find("{{") != std::string::npos
                        ? Template::Compile(cells[0], options_, &error).has_value()
                        : Expression::Compile(cells[0], options_, &error).has_value();
    EXPECT_FALSE(compiled);
    EXPECT_EQ(error.ToString(), cells[1]);
    ++rows;
  }
  EXPECT_GE(rows, 10);
}

}  // namespace
}  // namespace expr
}  // namespace sippet
