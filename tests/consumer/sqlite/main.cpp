// The sqlite component from an installed copy: a missing database is named
// (and not created), through a job over its pages.
#include <cstring>
#include <filesystem>

#include <lockstep/lockstep.hpp>
#include <lockstep/sqlite/pages.hpp>

int main() {
  try {
    lockstep::job_runner job{lockstep::sqlite::pages{{.db = "no-such.db",
                                                      .table = "t",
                                                      .key = "id",
                                                      .sql = "SELECT :first, :last"}}};
  } catch (const lockstep::error& e) {
    return e.code() == lockstep::errc::invalid_config && std::strstr(e.what(), "no-such.db")
               && !std::filesystem::exists("no-such.db")
             ? 0
             : 1;
  }
  return 1;
}
