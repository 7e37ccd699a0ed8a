// Keyset pagination over an SQLite table: one page of rows per batch. API.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>

namespace lockstep::sqlite {

struct pages_params {
  std::string db;     ///< the database file (it must exist)
  std::string table;  ///< the table paged through
  std::string key;    ///< its INTEGER PRIMARY KEY column
  std::uint64_t page_size = 1000;  ///< rows per page (the last page may hold fewer)
  /// Run once per page with :first and :last bound to the page's key range
  /// (first <= key <= last), e.g. "UPDATE t SET price = price * 1.1 WHERE
  /// id BETWEEN :first AND :last". A SELECT's rows are counted, a change's
  /// changed rows.
  std::string sql;
  std::uint32_t busy_timeout_ms = 10000;  ///< how long a locked database is waited for
  /// Switch the database to write-ahead logging (persistent, the database's
  /// own setting), so readers and one writer do not block each other.
  bool wal = true;

  /// Throws lockstep::error(invalid_config) naming the bad field.
  void validate() const;
};

/// Where the paging stands: the pages done, and the last key of the last one
/// (none before the first page).
struct pages_state {
  std::uint64_t index = 0;
  std::optional<std::int64_t> after{};
  static pages_state seeded(std::uint64_t) { return {}; }
  friend bool operator==(const pages_state&, const pages_state&) = default;
};

/// JSON: {"index": N, "after": K | null}.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const pages_state& s);
pages_state tag_invoke(boost::json::value_to_tag<pages_state>, const boost::json::value& v);

/// A page: its position and its key range.
struct page {
  std::uint64_t index = 0;
  std::int64_t first = 0;
  std::int64_t last = 0;
  friend bool operator==(const page&, const page&) = default;
};

/// What running the statement on a page did.
struct page_result {
  std::uint64_t index = 0;
  std::int64_t first = 0, last = 0;
  std::uint64_t rows = 0;  ///< rows a SELECT returned, or rows the statement changed
  friend bool operator==(const page_result&, const page_result&) = default;
};

template <class Archive>
void serialize(Archive& ar, page& x) {
  ar(x.index, x.first, x.last);
}

template <class Archive>
void serialize(Archive& ar, page_result& x) {
  ar(x.index, x.first, x.last, x.rows);
}

/// batch-orchestra's pipelined pagination on SQLite: iterate finds the next
/// page's last key through the key's index (WHERE key > after ORDER BY key
/// LIMIT 1 OFFSET page_size - 1, then MAX(key) for a short last page), so one
/// scan of the key set in page steps, no OFFSET from the table's start and
/// no pass up front; materialize runs the user's statement on the page's
/// range, on a connection of its own (a pool, one per concurrent worker).
/// Locked databases are waited for up to busy_timeout_ms; a page that still
/// finds it locked fails and is retried; any other SQLite error fails the
/// page for good (lockstep::permanent_error).
///
/// Opening checks everything it can, each refused with
/// lockstep::error(invalid_config) naming it: the file, the table, the key
/// (an INTEGER PRIMARY KEY of the table) and the statement (it must compile
/// and use :first and :last).
class pages {
 public:
  using state_type = pages_state;
  using batch_type = page;
  using output_type = page_result;
  static constexpr std::string_view name = "sqlite_pages";
  static constexpr std::uint32_t state_version = 1;

  explicit pages(pages_params p);
  ~pages();
  pages(const pages&);
  pages& operator=(const pages&) = delete;

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const;
  output_type materialize(const batch_type& b) const;

  /// The table, key, page size and statement (not the rows: a job that
  /// changes them resumes against itself).
  std::string fingerprint() const;
  static std::uint64_t index_of(const state_type& s) noexcept { return s.index; }

  const pages_params& settings() const noexcept;
  /// Rows of the table (one COUNT when asked), for progress and ETAs.
  std::uint64_t rows() const;

 private:
  struct shared;
  std::shared_ptr<shared> db_;
};

}  // namespace lockstep::sqlite
