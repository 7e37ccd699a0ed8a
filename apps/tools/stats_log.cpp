#include "stats_log.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lockstep/messages/errors.hpp"

namespace lockstep::cli {

std::string stats_line(const stats_sample& s) {
  auto& st = s.stats;
  boost::json::object o;
  o["t"] = s.seconds;
  o["batches"] = s.batches;
  o["delivered"] = st.delivered;
  o["bytes_delivered"] = st.bytes_delivered;
  o["rate"] = st.rate;
  o["retries"] = st.retries;
  o["restarts"] = st.restarts;
  o["workers_lost"] = st.workers_lost;
  o["hedges"] = st.hedges;
  o["hedges_won"] = st.hedges_won;
  o["take_wait_s"] = st.take_wait_seconds;
  o["issued"] = st.issued;
  o["ahead"] = st.ahead;
  o["in_flight"] = st.in_flight;
  o["stuck"] = st.stuck.size();
  o["stuck_reported"] = st.stuck_reported;
  if (st.oldest) {
    o["oldest_index"] = st.oldest->index;
    o["oldest_age_s"] = st.oldest->age_seconds;
  }
  boost::json::array workers;
  for (auto& w : st.workers)
    workers.push_back(boost::json::object{{"worker", w.worker},
                                          {"node", w.node},
                                          {"busy", w.busy},
                                          {"busy_s", w.busy_seconds},
                                          {"jobs", w.jobs}});
  o["workers"] = std::move(workers);
  o["pool"] = s.pool;
  o["status"] = std::string{to_string(s.status.status)};
  o["paused"] = s.status.paused;
  return boost::json::serialize(o);
}

stats_log::stats_log(const std::string& path, double every, const std::string& resume)
    : path_(path), every_(every) {
  if (path_.empty())
    return;
  if (!(every_ > 0))
    throw error(errc::invalid_config, "--stats-every must be a positive number of seconds");
  struct stat ps {}, rs {};
  if (!resume.empty() && ::stat(path_.c_str(), &ps) == 0 && ::stat(resume.c_str(), &rs) == 0
      && ps.st_dev == rs.st_dev && ps.st_ino == rs.st_ino)
    throw error(errc::invalid_config, "--stats-json " + path_ + " is the checkpoint --resume reads ("
                                        + resume + "); the stats would be appended to it");
  file_ = std::fopen(path_.c_str(), "ae");
  if (!file_)
    throw error(errc::invalid_config, "--stats-json " + path_ + " cannot be opened for appending ("
                                        + std::strerror(errno) + ")");
}

stats_log::~stats_log() {
  if (file_)
    std::fclose(file_);
}

void stats_log::write(const stats_sample& s) {
  if (!file_)
    return;
  auto line = stats_line(s) + "\n";
  if (std::fputs(line.c_str(), file_) < 0 || std::fflush(file_) != 0)
    throw error(errc::io_error, "--stats-json " + path_ + ": write failed (" + std::strerror(errno) + ")");
  next_ = s.seconds + every_;
}

}  // namespace lockstep::cli
