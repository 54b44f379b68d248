// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/load/load_report_json.hpp"

namespace ceslab::load {
namespace {

double ms(Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

nlohmann::json report_json(const LoadReport& r) {
  nlohmann::json plan = {
      {"concurrency", r.plan.concurrency},
      {"rate", r.plan.rate},
      {"count", r.plan.count ? nlohmann::json(*r.plan.count) : nlohmann::json(nullptr)},
      {"duration_s", r.plan.duration
                         ? nlohmann::json(std::chrono::duration<double>(*r.plan.duration).count())
                         : nlohmann::json(nullptr)}};
  nlohmann::json latency = nullptr;
  if (r.latency) {
    latency = {{"count", r.latency->count},   {"min", ms(r.latency->min)},
               {"mean", ms(r.latency->mean)}, {"p50", ms(r.latency->p50)},
               {"p90", ms(r.latency->p90)},   {"p99", ms(r.latency->p99)},
               {"max", ms(r.latency->max)}};
  }
  nlohmann::json causes = nlohmann::json::array();
  for (const CauseCount& c : r.causes) {
    causes.push_back({{"cause", c.cause},
                      {"tied", c.tied},
                      {"title", c.title},
                      {"count", c.count},
                      {"example", c.example}});
  }
  return {{"schema", "ceslab.bench/1"},
          {"plan", plan},
          {"stopped_by", std::string(to_string(r.stopped_by))},
          {"elapsed_s", std::chrono::duration<double>(r.elapsed).count()},
          {"counts",
           {{"issued", r.counts.issued},
            {"pending", r.counts.pending},
            {"failed", r.counts.failed},
            {"total", r.counts.total()}}},
          {"throughput",
           {{"requests_per_s", r.attempts_per_second()}, {"issued_per_s", r.issued_per_second()}}},
          {"latency_ms", latency},
          {"failures_by_cause", causes}};
}

}  // namespace ceslab::load
