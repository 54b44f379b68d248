// SPDX-License-Identifier: GPL-2.0-or-later
// Finding the bundled scenarios: an installed ceslab (<prefix>/bin/ceslab)
// reads <prefix>/share/ceslab/scenarios; a program still in its build tree
// (ceslab, the test programs) reads the source tree's scenarios/.
#include <algorithm>
#include <system_error>

#include "ceslab/runner/scenario.hpp"

namespace ceslab::runner {
namespace {

// Whether `path` lies under `directory` (both made canonical as far as they
// exist, so that a symlinked build directory still counts).
bool lies_under(const std::filesystem::path& path, const std::filesystem::path& directory) {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  if (ec) return false;
  const std::filesystem::path d = std::filesystem::weakly_canonical(directory, ec);
  if (ec) return false;
  return std::mismatch(d.begin(), d.end(), p.begin(), p.end()).first == d.end();
}

}  // namespace

std::filesystem::path bundled_scenarios_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const std::filesystem::path installed =
      exe.parent_path().parent_path() / CESLAB_INSTALL_SCENARIOS_RELATIVE;
  if (std::filesystem::is_directory(installed, ec)) return installed;
  // An installed copy (a .deb, another prefix) without its scenarios must
  // say so, not quietly read whatever checkout it was built from.
  if (!lies_under(exe, CESLAB_BUILD_TREE_DIR)) return {};
  const std::filesystem::path source = CESLAB_SOURCE_SCENARIOS_DIR;
  if (std::filesystem::is_directory(source, ec)) return source;
  return {};
}

}  // namespace ceslab::runner
