// price_migration: batch-orchestra's "inflate product prices" as a lockstep
// job. The keyset pages come from lockstep::sqlite::pages; each page is
// processed in C++ (read the rows, compute, write back in one transaction),
// several pages at once, at least once each, resumable from a checkpoint.
// Run: build/dev/examples/price_migration DB CHECKPOINT
// (DB is created with 20 000 products if it does not exist; stop it at any
// point and run it again: it goes on from its checkpoint.)
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <sqlite3.h>

#include <lockstep/lockstep.hpp>
#include <lockstep/sqlite/pages.hpp>

namespace {

// One connection per worker thread, opened on first use.
sqlite3* connection(const std::string& file) {
  thread_local std::unique_ptr<sqlite3, int (*)(sqlite3*)> db{nullptr, sqlite3_close};
  if (!db) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error(file + ": " + sqlite3_errmsg(raw));
    db.reset(raw);
    sqlite3_busy_timeout(raw, 10000);
  }
  return db.get();
}

void exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db));  // retried by the job
}

// The pages of `products`; each is repriced in C++. Idempotent: the new
// price is computed from the old one into its own column, so a page run
// twice (a retry, a hedge, a resumed job) writes the same values.
struct price_pages {
  using state_type = lockstep::sqlite::pages_state;
  using batch_type = lockstep::sqlite::page;
  using output_type = std::uint64_t;  // products repriced
  static constexpr std::string_view name = "price_pages";

  std::string file;
  lockstep::sqlite::pages keys{{.db = file,
                                .table = "products",
                                .key = "id",
                                .page_size = 500,
                                .sql = "SELECT id FROM products WHERE id BETWEEN :first AND :last"}};

  auto iterate(const state_type& s) const { return keys.iterate(s); }

  std::uint64_t materialize(const batch_type& page) const {
    auto* db = connection(file);
    exec(db, "BEGIN IMMEDIATE");
    sqlite3_stmt* read = nullptr;
    sqlite3_stmt* write = nullptr;
    sqlite3_prepare_v2(db, "SELECT id, price_cents FROM products WHERE id BETWEEN ? AND ?", -1,
                       &read, nullptr);
    sqlite3_prepare_v2(db, "UPDATE products SET price_2027_cents = ? WHERE id = ?", -1, &write,
                       nullptr);
    sqlite3_bind_int64(read, 1, page.first);
    sqlite3_bind_int64(read, 2, page.last);
    std::uint64_t n = 0;
    while (sqlite3_step(read) == SQLITE_ROW) {
      auto id = sqlite3_column_int64(read, 0);
      auto cents = sqlite3_column_int64(read, 1);
      // 7% inflation, rounded to the next 9 cents ending (x.99 style).
      auto raised = static_cast<sqlite3_int64>(std::ceil(static_cast<double>(cents) * 1.07));
      raised += (9 - raised % 10 + 10) % 10;
      sqlite3_bind_int64(write, 1, raised);
      sqlite3_bind_int64(write, 2, id);
      sqlite3_step(write);
      sqlite3_reset(write);
      ++n;
    }
    sqlite3_finalize(read);
    sqlite3_finalize(write);
    exec(db, "COMMIT");
    return n;
  }
  std::string fingerprint() const { return keys.fingerprint(); }
  static std::uint64_t index_of(const state_type& s) { return s.index; }
};

void make_shop(const std::string& file) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  exec(db,
       "CREATE TABLE products (id INTEGER PRIMARY KEY, price_cents INTEGER NOT NULL, "
       "price_2027_cents INTEGER);"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
       "INSERT INTO products (id, price_cents) SELECT i, 100 + (i * 7919) % 99900 FROM n;");
  sqlite3_close(db);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: price_migration DB CHECKPOINT\n");
    return 2;
  }
  std::string file = argv[1], saved = argv[2];
  if (!std::filesystem::exists(file))
    make_shop(file);

  lockstep::job_config cfg;
  cfg.run.workers = 2;
  cfg.checkpoint = saved;  // the watermark and the pages done beyond it
  cfg.checkpoint_every = std::chrono::seconds{1};
  lockstep::job_runner job{price_pages{file}, cfg};
  if (std::filesystem::exists(saved))
    job.start(lockstep::load_job_progress(saved, job.source()));  // only pages not done
  else
    job.start(price_pages::state_type{});

  std::uint64_t pages = 0, products = 0;
  while (auto page = job.next()) {  // in the order pages finish
    ++pages;
    if (page->output)
      products += *page->output;
    else
      std::fprintf(stderr, "page %llu failed: %s\n",
                   static_cast<unsigned long long>(page->index), page->error.c_str());
  }
  job.stop();  // the last progress, to the checkpoint
  auto done = job.progress();
  std::printf("%llu products repriced in %llu pages; %zu pages failed; %llu pages done in all\n",
              static_cast<unsigned long long>(products), static_cast<unsigned long long>(pages),
              done.failed.size(), static_cast<unsigned long long>(done.index));
  return done.failed.empty() ? 0 : 1;
}
