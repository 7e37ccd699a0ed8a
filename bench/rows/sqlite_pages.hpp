// Row sqlite_pages_rows_s: what parallel workers buy over a serial keyset
// loop on one SQLite table, for reads and for writes.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Rows/s over a table of 200 000 rows in pages of 1 000 (sqlite::pages): a
/// read (SELECT the page's rows) and a write (UPDATE them, one transaction
/// a page, WAL), each by a serial loop over the same pages (plain_loop) and
/// by a batcher with W = 1, 2 and 4. No goal: the figures are what the docs
/// report on parallelism and SQLite's single writer.
row sqlite_pages_row(context& ctx);

}  // namespace lockstep::bench
