// Keyset pages over SQLite: every row in exactly one page, in key order;
// parallel writers with WAL; a locked database retried, other errors not;
// bad input refused naming it.
#include "lockstep/sqlite/pages.hpp"

#include <filesystem>
#include <string>

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "temp_dir.hpp"

namespace lockstep::sqlite {
namespace {

// A database handle for the test's own statements.
struct db_handle {
  sqlite3* db = nullptr;
  explicit db_handle(const std::string& file) {
    EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
  }
  ~db_handle() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* msg = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg), SQLITE_OK) << msg;
  }
  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
    auto v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
  }
};

// `rows` rows with keys 1, 4, 7, ... (gaps, as deletes leave them).
std::string make_db(const test::temp_dir& dir, std::int64_t rows) {
  auto file = (dir / "shop.db").string();
  db_handle h{file};
  h.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, price INTEGER NOT NULL, done INTEGER NOT "
         "NULL DEFAULT 0, name TEXT)");
  if (rows == 0)
    return file;
  h.exec("BEGIN");
  h.exec("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < "
         + std::to_string(rows) + ") INSERT INTO items (id, price) SELECT 3 * i + 1, 100 FROM n");
  h.exec("COMMIT");
  return file;
}

pages_params params(const std::string& db, std::uint64_t page_size,
                    std::string sql = "UPDATE items SET done = done + 1 WHERE id BETWEEN :first "
                                      "AND :last") {
  pages_params p;
  p.db = db;
  p.table = "items";
  p.key = "id";
  p.page_size = page_size;
  p.sql = std::move(sql);
  return p;
}

TEST(sqlite_pages, every_row_is_in_exactly_one_page_in_key_order) {
  test::temp_dir dir;
  auto db = make_db(dir, 1003);
  pages src{params(db, 100, "SELECT id FROM items WHERE id BETWEEN :first AND :last")};
  EXPECT_EQ(src.rows(), 1003u);
  plain_loop loop{src};
  pages_state s;
  std::uint64_t rows = 0, n = 0;
  std::int64_t previous_last = 0;
  while (auto step = loop.take(s)) {
    auto& r = step->output;
    EXPECT_EQ(r.index, n);
    EXPECT_GT(r.first, previous_last);
    EXPECT_EQ(r.rows, n < 10 ? 100u : 3u);  // 10 full pages, then 3 rows
    rows += r.rows;
    previous_last = r.last;
    s = step->state;
    ++n;
  }
  EXPECT_EQ(n, 11u);
  EXPECT_EQ(rows, 1003u);
  EXPECT_EQ(previous_last, 3 * 1002 + 1);
}

// Four workers writing at once: WAL and the busy timeout serialize the
// writes; every row is updated (an idempotent update: a hedged page runs
// twice), and every page is delivered once.
TEST(sqlite_pages, parallel_writers_update_every_row) {
  test::temp_dir dir;
  auto db = make_db(dir, 20'000);
  pages src{params(db, 500, "UPDATE items SET done = 1, price = 110 WHERE id BETWEEN :first AND "
                            ":last")};
  config cfg;
  cfg.workers = 4;
  batcher b{src, cfg};
  pages_state s;
  std::uint64_t changed = 0, n = 0;
  while (auto step = b.take(s)) {
    changed += step->output.rows;
    s = step->state;
    ++n;
  }
  EXPECT_EQ(n, 40u);
  EXPECT_EQ(changed, 20'000u);
  db_handle h{db};
  EXPECT_EQ(h.integer("SELECT count(*) FROM items WHERE done = 1 AND price = 110"), 20'000);
  EXPECT_EQ(h.integer("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

TEST(sqlite_pages, a_state_resumes_at_the_page_after_it) {
  test::temp_dir dir;
  auto db = make_db(dir, 1000);
  pages src{params(db, 64, "SELECT id FROM items WHERE id BETWEEN :first AND :last")};
  pages_state s;
  std::vector<page> all;
  while (auto step = src.iterate(s)) {
    all.push_back(step->first);
    s = step->second;
  }
  ASSERT_EQ(all.size(), 16u);
  auto text = checkpoint_text(src, pages_state{4, all[3].last}, 4);
  auto back = parse_checkpoint(src, text, "test");
  EXPECT_EQ(src.iterate(back.state)->first, all[4]);
  // Another statement is another job: its checkpoint is refused.
  pages other{params(db, 64)};
  EXPECT_THROW(parse_checkpoint(other, text, "test"), error);
}

TEST(sqlite_pages, an_empty_table_has_no_page) {
  test::temp_dir dir;
  auto db = make_db(dir, 0);
  pages src{params(db, 10)};
  EXPECT_FALSE(src.iterate({}));
  EXPECT_EQ(src.rows(), 0u);
}

// SQLITE_BUSY after the timeout is retried (another writer may finish); a
// constraint failure is not.
TEST(sqlite_pages, a_locked_database_is_retried_other_errors_are_not) {
  test::temp_dir dir;
  auto db = make_db(dir, 100);
  auto p = params(db, 10);
  p.busy_timeout_ms = 20;
  pages src{p};
  auto first = src.iterate({})->first;
  db_handle locker{db};
  locker.exec("BEGIN IMMEDIATE");  // holds the write lock
  try {
    src.materialize(first);
    ADD_FAILURE() << "wrote through another writer's lock";
  } catch (const permanent_error&) {
    ADD_FAILURE() << "a locked database was taken as a permanent failure";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("locked"), std::string::npos) << e.what();
  }
  locker.exec("COMMIT");
  EXPECT_EQ(src.materialize(first).rows, 10u);  // the retry succeeds

  pages strict{params(db, 10, "UPDATE items SET price = NULL WHERE id BETWEEN :first AND :last")};
  EXPECT_THROW(strict.materialize(strict.iterate({})->first), permanent_error);
}

TEST(sqlite_pages, bad_input_is_refused_naming_it) {
  test::temp_dir dir;
  auto db = make_db(dir, 10);
  {
    db_handle h{db};
    h.exec("CREATE TABLE tags (name TEXT PRIMARY KEY, n INTEGER)");
  }
  auto refused = [](pages_params p, const std::string& names) {
    try {
      pages src{p};
      ADD_FAILURE() << "accepted, expected a refusal naming " << names;
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      EXPECT_NE(std::string{e.what()}.find(names), std::string::npos) << e.what();
    }
  };
  auto missing = (dir / "missing.db").string();
  refused(params(missing, 10), "missing.db");
  EXPECT_FALSE(std::filesystem::exists(missing));  // not created
  auto p = params(db, 10);
  p.table = "nope";
  refused(p, "no table nope");
  p = params(db, 10);
  p.key = "price";
  refused(p, "key price is not the INTEGER PRIMARY KEY");
  p = params(db, 10);
  p.key = "colour";
  refused(p, "no column colour");
  p = params(db, 10);
  p.table = "tags";
  p.key = "name";
  refused(p, "key name is not the INTEGER PRIMARY KEY");
  refused(params(db, 10, "UPDATE itemz SET done = 1 WHERE id BETWEEN :first AND :last"), "itemz");
  refused(params(db, 10, "UPDATE items SET done = 1 WHERE id >= :first"), ":last");
  refused(params(db, 10, "SELECT :first, :last; DELETE FROM items"), "one statement");
  refused(params(db, 0), "page_size");
  db_handle h{db};
  EXPECT_EQ(h.integer("SELECT count(*) FROM items WHERE done <> 0"), 0);  // nothing changed
}

}  // namespace
}  // namespace lockstep::sqlite
