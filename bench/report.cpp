#include "report.hpp"

#include <algorithm>
#include <fstream>

#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>

namespace lockstep::bench {

namespace json = boost::json;

machine describe_machine() {
  machine m;
  auto n = sysconf(_SC_NPROCESSORS_ONLN);
  m.cores = n > 0 ? static_cast<unsigned>(n) : 0;
  std::ifstream cpuinfo{"/proc/cpuinfo"};
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      m.cpu = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  if (uname(&u) == 0)
    m.kernel = fmt::format("{} {}", u.sysname, u.release);
  return m;
}

namespace {

std::string number(double v) {
  if (v >= 100 || v <= -100)
    return fmt::format("{:.0f}", v);
  if (v >= 10 || v <= -10)
    return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

using line = std::vector<std::string>;

void print_lines(std::FILE* out, const std::vector<line>& lines) {
  std::vector<std::size_t> width(lines.front().size(), 0);
  for (auto& l : lines)
    for (std::size_t i = 0; i < l.size(); ++i)
      width[i] = std::max(width[i], l[i].size());
  for (std::size_t k = 0; k < lines.size(); ++k) {
    std::fputc('|', out);
    for (std::size_t i = 0; i < lines[k].size(); ++i)
      std::fprintf(out, " %-*s |", static_cast<int>(width[i]), lines[k][i].c_str());
    std::fputc('\n', out);
    if (k == 0) {
      std::fputc('|', out);
      for (auto w : width)
        std::fprintf(out, "%s|", std::string(w + 2, '-').c_str());
      std::fputc('\n', out);
    }
  }
}

json::object summary_json(const summary& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}};
}

}  // namespace

void print_table(std::FILE* out, const report& r) {
  std::fprintf(out, "lockstep bench (%s, repetitions: %d): %u cores, %s, %s\n\n",
               r.quick ? "quick" : "full", r.reps, r.host.cores, r.host.cpu.c_str(),
               r.host.kernel.c_str());
  std::vector<line> lines{{"row", "system", "median", "min..max", "goal", "ratio", "result"}};
  for (auto& row : r.rows) {
    auto title = fmt::format("{} ({})", row.name, row.unit);
    if (row.skipped) {
      lines.push_back({title, "", "", "", "skipped: " + *row.skipped, "", "skip"});
      continue;
    }
    for (auto& f : row.figures) {
      lines.push_back({title, f.system, number(f.value.median),
                       fmt::format("{}..{}", number(f.value.min), number(f.value.max)), "", "", ""});
      title.clear();
    }
    for (auto& g : row.goals)
      lines.push_back({"", "", "", "", g.text, g.skipped ? "" : fmt::format("{:.3g}", g.ratio),
                       g.skipped ? "skip: " + *g.skipped : g.passed() ? "pass" : "MISS"});
  }
  print_lines(out, lines);
  std::fprintf(out, "\n");
  for (auto& row : r.rows) {
    if (row.setup.empty() && row.notes.empty() && row.costs.empty())
      continue;
    std::fprintf(out, "- %s: %s\n", row.name.c_str(), row.setup.c_str());
    std::string costs;
    for (auto& c : row.costs)
      costs += fmt::format("{}{} {:.3g} us, {:.2f}", costs.empty() ? "" : "; ", c.system,
                           c.cpu_us.median, c.switches.median);
    if (!costs.empty())
      std::fprintf(
        out, "  - per batch in this process (CPU time of all its threads, context switches): %s\n",
        costs.c_str());
    for (auto& n : row.notes)
      std::fprintf(out, "  - %s\n", n.c_str());
  }
}

json::object to_json(const report& r) {
  json::object out;
  out["machine"] = {{"cores", r.host.cores}, {"cpu", r.host.cpu}, {"kernel", r.host.kernel}};
  out["quick"] = r.quick;
  out["reps"] = r.reps;
  json::array rows;
  for (auto& row : r.rows) {
    json::object o{{"name", row.name}, {"unit", row.unit},
                   {"higher_is_better", row.higher_is_better}};
    if (row.skipped) {
      o["skipped"] = *row.skipped;
      o["values"] = json::object{};
      o["spread"] = json::object{};
      o["cpu_us_per_batch"] = json::object{};
      o["ctx_switches_per_batch"] = json::object{};
      rows.push_back(std::move(o));
      continue;
    }
    o["setup"] = row.setup;
    json::object values;
    json::object spread;
    for (auto& f : row.figures) {
      values[f.system] = f.value.median;
      spread[f.system] = json::array{f.value.min, f.value.max};
    }
    o["values"] = std::move(values);
    o["spread"] = std::move(spread);
    json::object cpu;
    json::object switches;
    for (auto& c : row.costs) {
      cpu[c.system] = c.cpu_us.median;
      switches[c.system] = c.switches.median;
    }
    o["cpu_us_per_batch"] = std::move(cpu);
    o["ctx_switches_per_batch"] = std::move(switches);
    json::array goals;
    for (auto& g : row.goals) {
      json::object go{{"goal", g.text},
                      {"target", g.target},
                      {"compare", g.at_least ? ">=" : "<="},
                      {"of", json_name(g.of)}};
      if (g.skipped) {
        go["skipped"] = *g.skipped;
      } else {
        go["ratio"] = g.ratio;
        go["pass"] = g.passed();
      }
      goals.push_back(std::move(go));
    }
    o["goals"] = std::move(goals);
    if (!row.notes.empty()) {
      json::array notes;
      for (auto& n : row.notes)
        notes.push_back(json::string(n));
      o["notes"] = std::move(notes);
    }
    rows.push_back(std::move(o));
  }
  out["rows"] = std::move(rows);
  if (r.scaling) {
    json::array workers;
    for (auto w : r.scaling->workers)
      workers.push_back(w);
    json::object systems;
    for (auto& s : r.scaling->systems) {
      json::array points;
      for (auto& p : s.points)
        points.push_back(summary_json(p));
      systems[s.name] = std::move(points);
    }
    out["scaling"] = {{"workers", std::move(workers)}, {"systems", std::move(systems)}};
  }
  return out;
}

}  // namespace lockstep::bench
