// SPDX-License-Identifier: GPL-2.0-or-later
// Running the MIT admin tools and the KDC as child processes with the lab's
// environment (private to kdc/).
#pragma once

#include <string>
#include <vector>

namespace ceslab::kdc {

struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `argv` (argv[0] a path), waits, returns its exit code and output.
// `env` entries ("KRB5_CONFIG=...") are added to the inherited environment.
ToolResult run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env);

// Starts `argv` in the background with stdout/stderr to `log_file`; the child
// gets SIGTERM when this process dies. Returns its pid.
int start_daemon(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::string& log_file);

// SIGTERM, then SIGKILL after a grace period; reaps the child.
void stop_daemon(int pid);

// True while `pid` (our child) has not exited.
bool daemon_running(int pid);

}  // namespace ceslab::kdc
