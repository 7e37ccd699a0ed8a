#include "sqlite_pages.hpp"

#include <cstdio>
#include <filesystem>
#include <random>

#include <sqlite3.h>

#include <fmt/format.h>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/job_runner.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "lockstep/sqlite/pages.hpp"

namespace lockstep::bench {

namespace {

constexpr std::int64_t table_rows = 200'000;
constexpr std::uint64_t page_rows = 1000;

void make_table(const std::string& file) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  auto sql = fmt::format(
    "CREATE TABLE items (id INTEGER PRIMARY KEY, price INTEGER NOT NULL, name TEXT);"
    "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) "
    "INSERT INTO items SELECT i, 100 + i % 7, 'item ' || i FROM n; COMMIT;",
    table_rows);
  char* msg = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string why = msg ? msg : "failed";
    sqlite3_free(msg);
    sqlite3_close(db);
    throw std::runtime_error("sqlite_pages: cannot make the table: " + why);
  }
  sqlite3_close(db);
}

// One pass over every page; rows/s. workers 0: the serial loop.
template <class Loop>
double pass(Loop& loop) {
  sqlite::pages_state s;
  std::uint64_t rows = 0;
  auto start = bench_clock::now();
  while (auto step = loop.take(s)) {
    rows += step->output.rows;
    s = step->state;
  }
  if (rows != static_cast<std::uint64_t>(table_rows))
    throw std::runtime_error(fmt::format("sqlite_pages: a pass saw {} rows", rows));
  return static_cast<double>(rows) / seconds_since(start);
}

double rows_per_s(const sqlite::pages& src, std::size_t workers) {
  if (workers == 0) {
    plain_loop loop{src};
    return pass(loop);
  }
  config cfg;
  cfg.workers = workers;
  batcher b{src, cfg};
  auto r = pass(b);
  b.stop();
  return r;
}

// One pass as a job (job_runner: pages reported as they finish); rows/s.
double job_rows_per_s(const sqlite::pages& src, std::size_t workers) {
  job_config cfg;
  cfg.run.workers = workers;
  job_runner job{src, cfg};
  std::uint64_t rows = 0;
  auto start = bench_clock::now();
  job.start(sqlite::pages_state{});
  while (auto page = job.next())
    rows += page->output ? page->output->rows : 0;
  if (rows != static_cast<std::uint64_t>(table_rows))
    throw std::runtime_error(fmt::format("sqlite_pages: a job saw {} rows", rows));
  return static_cast<double>(rows) / seconds_since(start);
}

}  // namespace

row sqlite_pages_row(context& ctx) {
  row r;
  r.name = "sqlite_pages_rows_s";
  r.unit = "rows/s";
  auto dir = std::filesystem::temp_directory_path()
             / fmt::format("lockstep-bench-sqlite-{}", std::random_device{}());
  std::filesystem::create_directories(dir);
  auto file = (dir / "shop.db").string();
  make_table(file);
  auto make = [&](std::string sql) {
    sqlite::pages_params p;
    p.db = file;
    p.table = "items";
    p.key = "id";
    p.page_size = page_rows;
    p.sql = std::move(sql);
    return sqlite::pages{p};
  };
  auto read = make("SELECT price, name FROM items WHERE id BETWEEN :first AND :last");
  auto write = make("UPDATE items SET price = price + 1 WHERE id BETWEEN :first AND :last");
  const std::vector<std::size_t> counts{0, 1, 2, 4};
  std::vector<std::string> names;
  std::vector<std::function<double()>> runs;
  for (auto* kind : {"read", "write"})
    for (auto w : counts) {
      names.push_back(w == 0 ? fmt::format("{}_serial", kind) : fmt::format("{}_w{}", kind, w));
      auto& src = std::string_view{kind} == "read" ? read : write;
      runs.push_back([&src, w] { return rows_per_s(src, w); });
      if (w < 2)
        continue;
      names.push_back(fmt::format("{}_job_w{}", kind, w));
      runs.push_back([&src, w] { return job_rows_per_s(src, w); });
    }
  std::fprintf(stderr, "  %s: %zu systems x %d repetitions\n", r.name.c_str(), runs.size(),
               ctx.opt.reps);
  auto samples = interleaved(runs, ctx.opt.reps);
  for (std::size_t i = 0; i < names.size(); ++i)
    r.add(names[i], summarize(samples[i]));
  std::filesystem::remove_all(dir);
  auto* rs = r.find("read_serial");
  auto* r4 = r.find("read_w4");
  auto* ws = r.find("write_serial");
  auto* w4 = r.find("write_w4");
  r.notes.push_back(fmt::format("W = 4 over the serial loop: reads {:.2f}x, writes {:.2f}x (SQLite "
                                "takes one writer at a time: the workers' writes queue on one "
                                "lock, their reads and the paging go on beside them)",
                                r4->median / rs->median, w4->median / ws->median));
  auto* rj = r.find("read_job_w4");
  auto* wj = r.find("write_job_w4");
  r.notes.push_back(fmt::format("the job mode (job_runner, W = 4) over the serial loop: reads "
                                "{:.2f}x, writes {:.2f}x",
                                rj->median / rs->median, wj->median / ws->median));
  r.setup = fmt::format("a table of {} rows (id INTEGER PRIMARY KEY, price, name), pages of {} "
                        "rows by keyset (sqlite::pages), WAL, one transaction a page; a pass "
                        "over every page per repetition; serial = plain_loop over the same "
                        "pages; job = job_runner",
                        table_rows, page_rows);
  return r;
}

}  // namespace lockstep::bench
