// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab run --target URL`: pre-deployment validation of a real CES or CEP
// (docs/scenarios.md, "Pre-deployment validation: `--target`"), reported in
// the run's table, JSON and JUnit. Registered on `run`; the run command
// hands over to it when --target is given.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "client_options.hpp"

namespace ceslab::app {

struct TargetArgs {
  std::string url;
  std::string template_name;
  std::string key = "rsa2048";
  ClientOptions client;
};

// --target, --template, --key and the client options (client_options.hpp).
void add_target_options(CLI::App& run, TargetArgs& args);

// Whether --target was given. Throws CLI::ValidationError (exit 2) when it
// comes with an option that runs scenarios (PATTERN, --scenario, --list,
// --lint, --shard), or when a target-only option comes without it.
bool target_requested(const CLI::App& run);

// Runs the checks, prints the table and "N passed, N failed", writes
// --json / --junit; --out keeps each check's evidence and diagnosis and the
// enrollment's files. Returns the exit code: 0 when every check passed.
int run_target(const TargetArgs& args, const std::string& json, const std::string& junit,
               const std::string& html, const std::string& out);

}  // namespace ceslab::app
