#include "lockstep/runtime/job_progress.hpp"

#include <boost/json/value.hpp>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

namespace jf = json_fields;

namespace {

// More offsets than any window holds (run_channel's max_window).
constexpr std::size_t max_done_ahead = std::size_t{1} << 20;

void read_state(from_json_fn state_from, const boost::json::value& v, void* out,
                const std::string& what) {
  try {
    state_from(v, out);
  } catch (const std::exception& e) {
    throw error(errc::invalid_state, what + ": " + e.what());
  }
}

}  // namespace

void progress_to_json(boost::json::value& out, to_json_fn state_to, const void* watermark,
                      const std::vector<std::uint64_t>& done_ahead,
                      const std::vector<failure_view>& failed) {
  boost::json::value w;
  state_to(watermark, w);
  boost::json::array done(done_ahead.begin(), done_ahead.end());
  boost::json::array fails;
  for (auto& f : failed) {
    boost::json::value s;
    state_to(f.state, s);
    fails.push_back(boost::json::object{
      {"index", f.index}, {"state", std::move(s)}, {"error", *f.error}, {"attempts", f.attempts}});
  }
  out = boost::json::object{
    {"watermark", std::move(w)}, {"done_ahead", std::move(done)}, {"failed", std::move(fails)}};
}

void progress_from_json(const boost::json::value& in, from_json_fn state_from, void* watermark,
                        std::vector<std::uint64_t>& done_ahead, const failure_sink& failed) {
  if (!in.is_object() || !in.get_object().contains("watermark")) {
    read_state(state_from, in, watermark, "state");  // a plain state
    return;
  }
  auto& obj = in.get_object();
  jf::only_keys(obj, {"watermark", "done_ahead", "failed"}, "job progress");
  read_state(state_from, obj.at("watermark"), watermark, "watermark");
  auto& done = jf::field(obj, "done_ahead", "job progress");
  if (!done.is_array())
    throw error(errc::invalid_state, "done_ahead: expected an array of page offsets");
  if (done.get_array().size() > max_done_ahead)
    throw error(errc::invalid_state, "done_ahead: more than " + std::to_string(max_done_ahead)
                                       + " offsets");
  for (auto& v : done.get_array()) {
    auto offset = jf::uint64(v, "done_ahead");
    if (!done_ahead.empty() && offset <= done_ahead.back())
      throw error(errc::invalid_state,
                  "done_ahead: offsets must ascend, each once (" + std::to_string(offset)
                    + " after " + std::to_string(done_ahead.back()) + ")");
    done_ahead.push_back(offset);
  }
  auto& fails = jf::field(obj, "failed", "job progress");
  if (!fails.is_array())
    throw error(errc::invalid_state, "failed: expected an array of failed pages");
  for (auto& v : fails.get_array()) {
    auto& f = jf::object(v, "failed page");
    jf::only_keys(f, {"index", "state", "error", "attempts"}, "failed page");
    auto index = jf::uint64(jf::field(f, "index", "failed page"), "index");
    auto error_text = jf::string(jf::field(f, "error", "failed page"), "error");
    auto attempts = jf::uint64(jf::field(f, "attempts", "failed page"), "attempts");
    if (attempts > UINT32_MAX)
      throw error(errc::invalid_state, "failed page: attempts is out of range");
    try {
      failed(index, jf::field(f, "state", "failed page"), std::move(error_text),
             static_cast<std::uint32_t>(attempts));
    } catch (const error&) {
      throw;
    } catch (const std::exception& e) {
      throw error(errc::invalid_state, std::string{"failed page state: "} + e.what());
    }
  }
}

}  // namespace lockstep::detail
