#include "tests/fakes/fake_crm_state.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

namespace sippet::fakes {

std::string ToLowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string IsoTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool ParseJson(const std::string& body, nlohmann::json* out, std::string* error) {
  try {
    *out = nlohmann::json::parse(body);
    return true;
  } catch (const nlohmann::json::exception& e) {
    *error = e.what();
    return false;
  }
}

// ---- RecordStore ----

void RecordStore::SetIdFormatter(const std::string& type, IdFormatter formatter) {
  std::lock_guard<std::mutex> lock(mutex_);
  tables_[type].formatter = std::move(formatter);
}

StoredRecord RecordStore::CreateLocked(Table& table, nlohmann::json fields) {
  int64_t seq = table.next_sequence++;
  StoredRecord rec;
  rec.id = table.formatter ? table.formatter(seq) : std::to_string(seq);
  rec.fields = std::move(fields);
  rec.created_at = rec.updated_at = clock_->NowUnixSeconds();
  table.rows[seq] = rec;
  table.by_id[rec.id] = seq;
  ++table.counts.creates;
  return rec;
}

StoredRecord* RecordStore::FindLocked(Table& table, const std::string& id) {
  auto it = table.by_id.find(id);
  if (it == table.by_id.end()) return nullptr;
  return &table.rows[it->second];
}

StoredRecord RecordStore::Create(const std::string& type, nlohmann::json fields) {
  std::lock_guard<std::mutex> lock(mutex_);
  return CreateLocked(tables_[type], std::move(fields));
}

std::optional<StoredRecord> RecordStore::Update(const std::string& type, const std::string& id,
                                                const nlohmann::json& patch) {
  std::lock_guard<std::mutex> lock(mutex_);
  Table& table = tables_[type];
  StoredRecord* rec = FindLocked(table, id);
  if (rec == nullptr) return std::nullopt;
  if (patch.is_object()) {
    for (const auto& [k, v] : patch.items()) rec->fields[k] = v;
  }
  rec->updated_at = clock_->NowUnixSeconds();
  ++table.counts.updates;
  return *rec;
}

std::optional<StoredRecord> RecordStore::Replace(const std::string& type, const std::string& id,
                                                 nlohmann::json fields) {
  std::lock_guard<std::mutex> lock(mutex_);
  Table& table = tables_[type];
  StoredRecord* rec = FindLocked(table, id);
  if (rec == nullptr) return std::nullopt;
  rec->fields = std::move(fields);
  rec->updated_at = clock_->NowUnixSeconds();
  ++table.counts.updates;
  return *rec;
}

bool RecordStore::Delete(const std::string& type, const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Table& table = tables_[type];
  auto it = table.by_id.find(id);
  if (it == table.by_id.end()) return false;
  table.rows.erase(it->second);
  table.by_id.erase(it);
  ++table.counts.deletes;
  return true;
}

std::optional<StoredRecord> RecordStore::Get(const std::string& type, const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto t = tables_.find(type);
  if (t == tables_.end()) return std::nullopt;
  auto it = t->second.by_id.find(id);
  if (it == t->second.by_id.end()) return std::nullopt;
  return t->second.rows.at(it->second);
}

UpsertOutcome RecordStore::Upsert(const std::string& type, const Predicate& match,
                                  const nlohmann::json& patch, nlohmann::json fields_for_create) {
  std::lock_guard<std::mutex> lock(mutex_);
  Table& table = tables_[type];
  for (auto& [seq, rec] : table.rows) {
    if (!match(rec.fields)) continue;
    if (patch.is_object()) {
      for (const auto& [k, v] : patch.items()) rec.fields[k] = v;
    }
    rec.updated_at = clock_->NowUnixSeconds();
    ++table.counts.updates;
    return {rec, false};
  }
  return {CreateLocked(table, std::move(fields_for_create)), true};
}

namespace {
bool FieldEquals(const nlohmann::json& fields, const std::string& field, const std::string& value,
                 bool case_insensitive) {
  if (!fields.is_object()) return false;
  auto it = fields.find(field);
  if (it == fields.end() || it->is_null()) return false;
  std::string actual = it->is_string() ? it->get<std::string>() : it->dump();
  if (case_insensitive) return ToLowerAscii(actual) == ToLowerAscii(value);
  return actual == value;
}
}  // namespace

std::vector<StoredRecord> RecordStore::FindBy(const std::string& type, const std::string& field,
                                              const std::string& value,
                                              bool case_insensitive) const {
  return FindWhere(type, [&](const nlohmann::json& f) {
    return FieldEquals(f, field, value, case_insensitive);
  });
}

std::vector<StoredRecord> RecordStore::FindWhere(const std::string& type,
                                                 const Predicate& match) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<StoredRecord> out;
  auto t = tables_.find(type);
  if (t == tables_.end()) return out;
  for (const auto& [seq, rec] : t->second.rows) {
    if (match(rec.fields)) out.push_back(rec);
  }
  return out;
}

std::vector<StoredRecord> RecordStore::List(const std::string& type) const {
  return FindWhere(type, [](const nlohmann::json&) { return true; });
}

size_t RecordStore::Size(const std::string& type) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto t = tables_.find(type);
  return t == tables_.end() ? 0 : t->second.rows.size();
}

ObjectCounts RecordStore::Counts(const std::string& type) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto t = tables_.find(type);
  return t == tables_.end() ? ObjectCounts{} : t->second.counts;
}

nlohmann::json RecordStore::Dump() const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [type, table] : tables_) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [seq, rec] : table.rows) {
      rows.push_back({{"id", rec.id}, {"fields", rec.fields}});
    }
    out[type] = std::move(rows);
  }
  return out;
}

nlohmann::json RecordStore::CountsJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [type, table] : tables_) {
    out[type] = {{"records", table.rows.size()},
                 {"creates", table.counts.creates},
                 {"updates", table.counts.updates},
                 {"deletes", table.counts.deletes}};
  }
  return out;
}

// ---- RequestLog ----

int64_t RequestLog::Begin(LoggedRequest entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  entry.sequence = next_sequence_++;
  entries_.push_back(std::move(entry));
  return entries_.back().sequence;
}

void RequestLog::Finish(int64_t sequence, int status, const std::string& fault) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->sequence == sequence) {
      it->status = status;
      it->fault = fault;
      return;
    }
  }
}

std::vector<LoggedRequest> RequestLog::Entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_;
}

size_t RequestLog::Size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

size_t RequestLog::CountOf(const std::string& method, const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [&](const auto& e) {
    return e.method == method && e.path == path;
  }));
}

void RequestLog::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

// ---- ConcurrencyTracker ----

void ConcurrencyTracker::Enter(const std::vector<std::string>& keys, const std::string& method,
                               const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++total_;
  max_total_ = std::max(max_total_, total_);
  for (const auto& key : keys) {
    int n = ++in_flight_[key];
    max_per_key_ = std::max(max_per_key_, n);
    if (n > 1) violations_.push_back({key, method, path, n});
  }
  changed_.notify_all();
}

void ConcurrencyTracker::Exit(const std::vector<std::string>& keys) {
  std::lock_guard<std::mutex> lock(mutex_);
  --total_;
  for (const auto& key : keys) {
    auto it = in_flight_.find(key);
    if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
  }
  changed_.notify_all();
}

int ConcurrencyTracker::MaxInFlightPerKey() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return max_per_key_;
}

int ConcurrencyTracker::MaxInFlightTotal() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return max_total_;
}

int ConcurrencyTracker::InFlightTotal() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return total_;
}

std::vector<ConcurrencyViolation> ConcurrencyTracker::Violations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return violations_;
}

void ConcurrencyTracker::Pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_ = true;
}

void ConcurrencyTracker::Resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_ = false;
  changed_.notify_all();
}

void ConcurrencyTracker::WaitWhilePaused() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !paused_; });
}

bool ConcurrencyTracker::WaitForInFlight(int n, int timeout_ms) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return total_ >= n; });
}

void ConcurrencyTracker::Reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  max_total_ = total_;
  max_per_key_ = 0;
  for (const auto& [k, n] : in_flight_) max_per_key_ = std::max(max_per_key_, n);
  violations_.clear();
}

// ---- TokenBook ----

void TokenBook::Add(const std::string& token, int max_uses, int64_t expires_at) {
  std::lock_guard<std::mutex> lock(mutex_);
  tokens_[token] = Entry{0, max_uses, expires_at, false};
}

TokenCheck TokenBook::Use(const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return TokenCheck::kUnknown;
  Entry& e = it->second;
  if (e.expired) return TokenCheck::kExpired;
  if ((e.max_uses > 0 && e.uses >= e.max_uses) ||
      (e.expires_at > 0 && clock_->NowUnixSeconds() >= e.expires_at)) {
    e.expired = true;
    return TokenCheck::kExpired;
  }
  ++e.uses;
  return TokenCheck::kValid;
}

void TokenBook::ExpireAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [token, e] : tokens_) e.expired = true;
}

bool TokenBook::empty() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tokens_.empty();
}

}  // namespace sippet::fakes
