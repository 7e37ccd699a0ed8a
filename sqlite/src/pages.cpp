#include "lockstep/sqlite/pages.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <mutex>
#include <vector>

#include <sqlite3.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep::sqlite {

namespace jf = detail::json_fields;

void pages_params::validate() const {
  auto bad = [](const std::string& why) {
    throw error(errc::invalid_config, "invalid sqlite pages: " + why);
  };
  if (db.empty())
    bad("db must name a database file");
  if (table.empty())
    bad("table must name a table");
  if (key.empty())
    bad("key must name the table's INTEGER PRIMARY KEY column");
  if (page_size == 0 || page_size > (std::uint64_t{1} << 40))
    bad("page_size must be in [1, 2^40]");
  if (sql.empty())
    bad("sql must be a statement using :first and :last");
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const pages_state& s) {
  v = boost::json::object{
    {"index", s.index},
    {"after", s.after ? boost::json::value(*s.after) : boost::json::value(nullptr)}};
}

pages_state tag_invoke(boost::json::value_to_tag<pages_state>, const boost::json::value& v) {
  auto& obj = jf::object(v, "state");
  jf::only_keys(obj, {"index", "after"}, "state");
  pages_state s{jf::uint64(jf::field(obj, "index", "state"), "state.index"), std::nullopt};
  auto& after = jf::field(obj, "after", "state");
  if (after.is_int64())
    s.after = after.as_int64();
  else if (after.is_uint64() && after.as_uint64() <= std::numeric_limits<std::int64_t>::max())
    s.after = static_cast<std::int64_t>(after.as_uint64());
  else if (!after.is_null())
    throw error(errc::invalid_state, "state.after must be an integer key or null");
  return s;
}

namespace {

std::string quoted(const std::string& name) {
  std::string q = "\"";
  for (char c : name)
    q += c == '"' ? std::string{"\"\""} : std::string{c};
  return q + "\"";
}

// One connection and its prepared statements, finalized with it.
class connection {
 public:
  connection(const pages_params& p) : file_(p.db) {
    if (sqlite3_open_v2(p.db.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw error(errc::invalid_config, "cannot open the database " + p.db + ": " + why);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(p.busy_timeout_ms));
  }
  ~connection() {
    for (auto* s : statements_)
      sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Prepares `sql`; nullptr and the message in `why` when it does not compile.
  sqlite3_stmt* prepare(const std::string& sql, std::string& why, const char** tail = nullptr) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &s, tail)
        != SQLITE_OK) {
      why = sqlite3_errmsg(db_);
      return nullptr;
    }
    if (s)
      statements_.push_back(s);
    else
      why = "it holds no statement";
    return s;
  }
  sqlite3_stmt* prepare_or_throw(const std::string& sql) {
    std::string why;
    auto* s = prepare(sql, why);
    if (!s)
      throw error(errc::invalid_config, file_ + ": " + why + " (in: " + sql + ")");
    return s;
  }
  void exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string why = msg ? msg : "failed";
      sqlite3_free(msg);
      throw error(errc::invalid_config, file_ + ": " + sql + ": " + why);
    }
  }
  sqlite3* handle() const { return db_; }

 private:
  std::string file_;
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

// Steps a query of one integer column: the value, or nullopt for no row or NULL.
std::optional<std::int64_t> one_integer(sqlite3* db, sqlite3_stmt* s) {
  auto rc = sqlite3_step(s);
  std::optional<std::int64_t> v;
  if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    v = sqlite3_column_int64(s, 0);
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    std::string why = sqlite3_errmsg(db);
    sqlite3_reset(s);
    throw std::runtime_error("sqlite pages: finding the next page failed: " + why);
  }
  sqlite3_reset(s);
  return v;
}

}  // namespace

struct pages::shared {
  pages_params params;
  std::string fingerprint;
  // iterate's connection and statements (iterate may be called from several threads).
  std::mutex iterate_mtx;
  std::unique_ptr<connection> pager;
  sqlite3_stmt* nth_key = nullptr;  // the key page_size - 1 rows on from ?1
  sqlite3_stmt* max_key = nullptr;  // the largest key from ?1
  sqlite3_stmt* min_key = nullptr;  // the smallest key from ?1
  sqlite3_stmt* count = nullptr;
  // materialize's connections, one per concurrent worker, each with the statement.
  struct worker_connection {
    std::unique_ptr<connection> conn;
    sqlite3_stmt* statement = nullptr;
    int first = 0, last = 0;  // its parameters' indexes
  };
  std::mutex pool_mtx;
  std::vector<std::unique_ptr<worker_connection>> idle;
  // SQLite takes one writer at a time: this process's writers queue here
  // rather than in SQLite's busy handler, which sleeps 1 to 100 ms between
  // tries (other processes still meet the busy timeout).
  std::mutex write_mtx;

  std::unique_ptr<worker_connection> open_worker() {
    auto w = std::make_unique<worker_connection>();
    w->conn = std::make_unique<connection>(params);
    std::string why;
    const char* tail = nullptr;
    w->statement = w->conn->prepare(params.sql, why, &tail);
    if (!w->statement)
      throw error(errc::invalid_config, "the sql does not compile: " + why);
    if (tail && std::any_of(tail, params.sql.c_str() + params.sql.size(),
                            [](char c) { return !std::isspace(static_cast<unsigned char>(c)); }))
      throw error(errc::invalid_config, "the sql must be one statement (found more after the "
                                        "first: " + std::string{tail} + ")");
    w->first = sqlite3_bind_parameter_index(w->statement, ":first");
    w->last = sqlite3_bind_parameter_index(w->statement, ":last");
    if (w->first == 0 || w->last == 0)
      throw error(errc::invalid_config,
                  "the sql must use :first and :last (the page's key range): " + params.sql);
    return w;
  }
};

pages::pages(pages_params p) : db_(std::make_shared<shared>()) {
  p.validate();
  auto& d = *db_;
  d.params = std::move(p);
  auto& pr = d.params;
  d.pager = std::make_unique<connection>(pr);
  auto& c = *d.pager;
  auto* exists = c.prepare_or_throw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
  sqlite3_bind_text(exists, 1, pr.table.c_str(), -1, SQLITE_TRANSIENT);
  if (one_integer(c.handle(), exists).value_or(0) == 0)
    throw error(errc::invalid_config, "no table " + pr.table + " in " + pr.db);
  // The key must be the rowid's alias: an INTEGER PRIMARY KEY, alone.
  auto* info = c.prepare_or_throw("SELECT type, pk FROM pragma_table_info(?1) WHERE name = ?2");
  sqlite3_bind_text(info, 1, pr.table.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(info, 2, pr.key.c_str(), -1, SQLITE_TRANSIENT);
  bool found = sqlite3_step(info) == SQLITE_ROW;
  std::string type = found ? reinterpret_cast<const char*>(sqlite3_column_text(info, 0)) : "";
  auto pk = found ? sqlite3_column_int(info, 1) : 0;
  sqlite3_reset(info);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  auto* pks = c.prepare_or_throw("SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0");
  sqlite3_bind_text(pks, 1, pr.table.c_str(), -1, SQLITE_TRANSIENT);
  if (!found)
    throw error(errc::invalid_config, "table " + pr.table + " has no column " + pr.key);
  if (type != "INTEGER" || pk != 1 || one_integer(c.handle(), pks).value_or(0) != 1)
    throw error(errc::invalid_config, "key " + pr.key + " is not the INTEGER PRIMARY KEY of " +
                                        pr.table + " (keyset pagination pages by the rowid)");
  if (pr.wal)
    c.exec("PRAGMA journal_mode = WAL");
  auto t = quoted(pr.table), k = quoted(pr.key);
  d.nth_key = c.prepare_or_throw("SELECT " + k + " FROM " + t + " WHERE " + k + " >= ?1 ORDER BY "
                                 + k + " LIMIT 1 OFFSET ?2");
  d.max_key = c.prepare_or_throw("SELECT max(" + k + ") FROM " + t + " WHERE " + k + " >= ?1");
  d.min_key = c.prepare_or_throw("SELECT min(" + k + ") FROM " + t + " WHERE " + k + " >= ?1");
  d.count = c.prepare_or_throw("SELECT count(*) FROM " + t);
  d.idle.push_back(d.open_worker());  // the statement is checked now, not at the first page
  d.fingerprint = boost::json::serialize(boost::json::object{
    {"table", pr.table}, {"key", pr.key}, {"page_size", pr.page_size}, {"sql", pr.sql}});
}

pages::~pages() = default;
pages::pages(const pages&) = default;

const pages_params& pages::settings() const noexcept {
  return db_->params;
}

std::string pages::fingerprint() const {
  return db_->fingerprint;
}

std::uint64_t pages::rows() const {
  std::lock_guard<std::mutex> guard{db_->iterate_mtx};
  return static_cast<std::uint64_t>(one_integer(db_->pager->handle(), db_->count).value_or(0));
}

std::optional<std::pair<page, pages_state>> pages::iterate(const pages_state& s) const {
  constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
  if (s.after == std::numeric_limits<std::int64_t>::max())
    return std::nullopt;
  auto from = s.after ? *s.after + 1 : lowest;
  auto& d = *db_;
  std::lock_guard<std::mutex> guard{d.iterate_mtx};
  auto* h = d.pager->handle();
  sqlite3_bind_int64(d.min_key, 1, from);
  auto first = one_integer(h, d.min_key);
  if (!first)
    return std::nullopt;
  sqlite3_bind_int64(d.nth_key, 1, from);
  sqlite3_bind_int64(d.nth_key, 2, static_cast<std::int64_t>(d.params.page_size - 1));
  auto last = one_integer(h, d.nth_key);
  if (!last) {  // a short last page
    sqlite3_bind_int64(d.max_key, 1, from);
    last = one_integer(h, d.max_key);
  }
  return std::make_pair(page{s.index, *first, *last}, pages_state{s.index + 1, *last});
}

page_result pages::materialize(const page& b) const {
  auto& d = *db_;
  std::unique_ptr<shared::worker_connection> w;
  {
    std::lock_guard<std::mutex> guard{d.pool_mtx};
    if (!d.idle.empty()) {
      w = std::move(d.idle.back());
      d.idle.pop_back();
    }
  }
  if (!w)
    w = d.open_worker();
  auto give_back = [&] {
    sqlite3_reset(w->statement);
    std::lock_guard<std::mutex> guard{d.pool_mtx};
    d.idle.push_back(std::move(w));
  };
  auto* s = w->statement;
  sqlite3_bind_int64(s, w->first, b.first);
  sqlite3_bind_int64(s, w->last, b.last);
  std::uint64_t rows = 0;
  int rc;
  {
    std::unique_lock<std::mutex> writing{d.write_mtx, std::defer_lock};
    if (!sqlite3_stmt_readonly(s))
      writing.lock();
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      ++rows;
  }
  if (rc != SQLITE_DONE) {
    std::string what = "sqlite pages: page " + std::to_string(b.index) + " (keys "
                       + std::to_string(b.first) + ".." + std::to_string(b.last)
                       + "): " + sqlite3_errmsg(w->conn->handle());
    give_back();
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
      throw std::runtime_error(what);  // another writer held the lock too long: retried
    throw permanent_error(what);
  }
  if (!sqlite3_stmt_readonly(s))
    rows = static_cast<std::uint64_t>(sqlite3_changes64(w->conn->handle()));
  give_back();
  return {b.index, b.first, b.last, rows};
}

}  // namespace lockstep::sqlite
