// Telling two source fingerprints apart, in words a user can act on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lockstep::detail {

/// The first difference between two fingerprints (JSON texts, see
/// source.hpp), or nullopt when they are equal. `a_name` and `b_name` say
/// whose each one is ("the checkpoint", "this run"). The difference names
/// its path: a parameter ("batch_size: 32 in the checkpoint, 16 in this
/// run"), or, in a list of named objects, the object by its name
/// ("recordings[SC4001E0].samples: ..."). Text that is not JSON is compared
/// as it is.
std::optional<std::string> fingerprint_difference(std::string_view a, std::string_view b,
                                                  std::string_view a_name,
                                                  std::string_view b_name);

}  // namespace lockstep::detail
