#include "lockstep/runtime/checkpoint.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "lockstep/runtime/json_fields.hpp"

namespace lockstep {

namespace jf = json_fields;

boost::json::value to_json(const checkpoint& c) {
  return boost::json::object{
    {"format", checkpoint::format},  {"version", checkpoint::version},
    {"source", c.source},            {"source_version", c.source_version},
    {"index", c.index},              {"state", c.state},
  };
}

checkpoint checkpoint_from_json(const boost::json::value& v, std::string_view origin) {
  std::string where{origin};
  if (!v.is_object() || !v.get_object().contains("format")
      || v.get_object().at("format") != boost::json::value(checkpoint::format))
    throw error(errc::invalid_state,
                where + ": not a lockstep state (expected an object with \"format\": \""
                  + std::string{checkpoint::format} + "\")");
  auto& obj = v.get_object();
  try {
    auto version = jf::uint64(jf::field(obj, "version", "checkpoint"), "version");
    if (version != checkpoint::version)
      throw error(errc::version_mismatch,
                  "format version " + std::to_string(version)
                    + " is not supported; this build reads version "
                    + std::to_string(checkpoint::version));
    jf::only_keys(obj, {"format", "version", "source", "source_version", "index", "state"},
                  "checkpoint");
    checkpoint c;
    c.source = jf::string(jf::field(obj, "source", "checkpoint"), "source");
    auto sv = jf::uint64(jf::field(obj, "source_version", "checkpoint"), "source_version");
    if (sv > UINT32_MAX)
      throw error(errc::invalid_state, "source_version is out of range");
    c.source_version = static_cast<std::uint32_t>(sv);
    c.index = jf::uint64(jf::field(obj, "index", "checkpoint"), "index");
    c.state = jf::field(obj, "state", "checkpoint");
    return c;
  } catch (const error& e) {
    throw error(e.code(), where + ": " + e.what());
  }
}

checkpoint parse_checkpoint(std::string_view text, std::string_view origin) {
  std::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec)
    throw error(errc::invalid_state,
                std::string{origin} + ": not valid JSON (" + ec.message() + ")");
  return checkpoint_from_json(v, origin);
}

checkpoint read_checkpoint(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    throw error(errc::invalid_state, file.string() + ": cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find_first_not_of(" \t\r\n") == std::string::npos)
    throw error(errc::invalid_state, file.string() + ": is empty");
  return parse_checkpoint(text.str(), file.string());
}

void write_checkpoint(const std::filesystem::path& file, const checkpoint& c) {
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    out << boost::json::serialize(to_json(c)) << '\n';
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw error(errc::io_error, tmp.string() + ": cannot be written");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw error(errc::io_error, file.string() + ": cannot be replaced (" + ec.message() + ")");
  }
}

}  // namespace lockstep
