#include "lockstep/sources/indexed.hpp"

#include <algorithm>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep {

namespace jf = detail::json_fields;

void indexed_params::validate(std::uint64_t dataset_size) const {
  auto bad = [](const std::string& why) {
    throw error(errc::invalid_config, "invalid indexed source: " + why);
  };
  if (dataset_size == 0)
    bad("the dataset is empty (size() is 0)");
  if (dataset_size > index_permutation::max_size)
    bad("the dataset has more than 2^62 items");
  if (batch_size == 0)
    bad("batch_size must be at least 1");
  if (epochs && *epochs == 0)
    bad("epochs must be at least 1 (or none, for no end)");
  if (drop_last && batch_size > dataset_size)
    bad("drop_last with batch_size " + std::to_string(batch_size) + " above the dataset's " +
        std::to_string(dataset_size) + " items would leave no batch");
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const indexed_state& s) {
  v = boost::json::object{
    {"seed", s.seed}, {"epoch", s.epoch}, {"position", s.position}, {"index", s.index}};
}

indexed_state tag_invoke(boost::json::value_to_tag<indexed_state>, const boost::json::value& v) {
  auto& obj = jf::object(v, "state");
  jf::only_keys(obj, {"seed", "epoch", "position", "index"}, "state");
  auto get = [&](const char* key) {
    return jf::uint64(jf::field(obj, key, "state"), std::string{"state."} + key);
  };
  return {get("seed"), get("epoch"), get("position"), get("index")};
}

namespace detail {

std::optional<index_permutation> epoch_order(const indexed_params& p, std::uint64_t size,
                                             std::uint64_t seed, std::uint64_t epoch) {
  if (!p.shuffle)
    return std::nullopt;
  // One key per (seed, epoch): consecutive epochs get unrelated orders.
  std::uint64_t x = seed ^ (epoch * 0x9E3779B97F4A7C15ULL);
  return index_permutation{size, splitmix64(x)};
}

std::optional<std::pair<indexed_batch, indexed_state>> indexed_step(const indexed_params& p,
                                                                    std::uint64_t size,
                                                                    const indexed_state& s) {
  auto epoch = s.epoch, first = s.position;
  // The epoch is over (or its short last batch is dropped): the next one.
  if (first >= size || (p.drop_last && size - first < p.batch_size)) {
    ++epoch;
    first = 0;
  }
  if (p.epochs && epoch >= *p.epochs)
    return std::nullopt;
  auto count = std::min(p.batch_size, size - first);
  return std::pair{indexed_batch{s.index, s.seed, epoch, first, count},
                   indexed_state{s.seed, epoch, first + count, s.index + 1}};
}

std::string indexed_fingerprint(const indexed_params& p, std::uint64_t size,
                                const std::string& data) {
  boost::json::object obj{
    {"size", size},
    {"batch_size", p.batch_size},
    {"shuffle", p.shuffle},
    {"epochs", p.epochs ? boost::json::value(*p.epochs) : boost::json::value(nullptr)},
    {"drop_last", p.drop_last},
  };
  // The dataset's own: a JSON value, or a string when it is not one.
  boost::system::error_code ec;
  auto parsed = boost::json::parse(data, ec);
  obj["dataset"] = ec ? boost::json::value(data) : parsed;
  return boost::json::serialize(obj);
}

}  // namespace detail

}  // namespace lockstep
