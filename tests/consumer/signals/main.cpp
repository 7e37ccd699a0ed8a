// The signals component from an installed copy: a missing dataset is named.
#include <cstring>

#include <lockstep/lockstep.hpp>
#include <lockstep/signals/dataset.hpp>

int main() {
  try {
    lockstep::signals::dataset::open("no-such-dataset");
  } catch (const lockstep::error& e) {
    return e.code() == lockstep::errc::invalid_dataset && std::strstr(e.what(), "no-such-dataset") ? 0 : 1;
  }
  return 1;
}
