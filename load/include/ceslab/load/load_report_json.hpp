// SPDX-License-Identifier: GPL-2.0-or-later
// A load run's report as JSON (`ceslab bench --json`, schema
// ceslab.bench/1; docs/cli.md): the plan, why it stopped, the counts by
// outcome, throughput, latency in milliseconds and the failures by cause.
#pragma once

#include <nlohmann/json.hpp>

#include "ceslab/load/load_run.hpp"

namespace ceslab::load {

nlohmann::json report_json(const LoadReport& report);

}  // namespace ceslab::load
