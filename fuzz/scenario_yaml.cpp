// SPDX-License-Identifier: GPL-2.0-or-later
// A scenario file from memory (runner::parse_scenario), checked against the
// built-in cause catalog as `ceslab run` checks it.
#include "bytes.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/runner/scenario.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {

int scenario_yaml(const std::uint8_t* data, std::size_t size) {
  try {
    const runner::Scenario scenario = runner::parse_scenario(
        as_text(data, size), "scenarios/fuzz/fuzz.yaml", diagnosis::Catalog::builtin());
    (void)scenario;
  } catch (const runner::ScenarioError&) {
  }
  return 0;
}

}  // namespace ceslab::fuzz
