#include "lockstep/runtime/rank_share.hpp"

#include <algorithm>

namespace lockstep {

std::string_view to_string(shard_mode m) {
  return m == shard_mode::split ? "split" : "interleave";
}

shard_mode parse_shard_mode(std::string_view text) {
  if (text == "interleave")
    return shard_mode::interleave;
  if (text == "split")
    return shard_mode::split;
  throw error(errc::invalid_config,
              "shard mode " + std::string{text} + " is neither interleave nor split");
}

void validate(const rank_spec& r) {
  if (r.world_size == 0)
    throw error(errc::invalid_config, "world_size must be at least 1");
  // A step iterates world_size global batches: a bound keeps a typo from
  // turning one step into hours of iteration.
  if (r.world_size > max_world_size)
    throw error(errc::invalid_config, "world_size " + std::to_string(r.world_size) +
                                        " is above the supported " +
                                        std::to_string(max_world_size));
  if (r.rank >= r.world_size)
    throw error(errc::invalid_config, "rank " + std::to_string(r.rank) +
                                        " is not below world_size " +
                                        std::to_string(r.world_size));
}

std::pair<std::size_t, std::size_t> part_range(std::size_t items, std::size_t part,
                                               std::size_t parts) {
  if (parts == 0 || part >= parts)
    throw error(errc::invalid_config, "part " + std::to_string(part) + " of " +
                                        std::to_string(parts) + " parts does not exist");
  auto base = items / parts, longer = items % parts;
  auto first = part * base + std::min(part, longer);
  return {first, first + base + (part < longer ? 1 : 0)};
}

}  // namespace lockstep
