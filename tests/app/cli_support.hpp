// SPDX-License-Identifier: GPL-2.0-or-later
// Running the ceslab binary as a user does, with stdout apart from stderr
// (so that --json output can be parsed alone), and reading back what it
// wrote.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/mock/server.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::app::testing {

struct Invocation {
  int exit_code = -1;
  std::string out;  // stdout only
  std::string err;
};

using mock::testing::read_file;

// Runs `command` (a shell line with our binary and fixed arguments); stderr
// goes through a file in `scratch`, which is removed again.
inline Invocation run_split(const std::string& command, const std::filesystem::path& scratch) {
  const std::filesystem::path err = scratch / "stderr.txt";
  Invocation r;
  FILE* pipe = popen((command + " 2>'" + err.string() + "' </dev/null").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err);
  std::filesystem::remove(err);
  return r;
}

// Every regular file under `dir` whose bytes contain `needle` (as strings,
// so that a failed expectation prints them).
inline std::vector<std::string> files_containing(const std::filesystem::path& dir,
                                                 std::string_view needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && read_file(entry.path()).find(needle) != std::string::npos)
      found.push_back(entry.path().string());
  }
  return found;
}

// A mock lab served in this process for the binary to run against, and a
// scratch directory: the default world, or `overlay` (lines indented under
// `world:`) laid over it.
struct ServedLab {
  explicit ServedLab(const std::string& overlay = "") : server(options(overlay)) { server.start(); }

  static mock::MockOptions options(const std::string& overlay) {
    mock::MockOptions o;
    if (!overlay.empty()) o.world = mock::parse_world("world:\n" + overlay, "cli test");
    return o;
  }

  mock::MockServer server;
  mock::testing::TempDir dir;
};

}  // namespace ceslab::app::testing
