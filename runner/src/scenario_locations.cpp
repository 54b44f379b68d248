// SPDX-License-Identifier: GPL-2.0-or-later
// Finding the bundled scenarios: an installed ceslab (<prefix>/bin/ceslab)
// reads <prefix>/share/ceslab/scenarios; a build tree reads the source
// tree's scenarios/.
#include <system_error>

#include "ceslab/runner/scenario.hpp"

namespace ceslab::runner {

std::filesystem::path bundled_scenarios_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path installed =
        exe.parent_path().parent_path() / CESLAB_INSTALL_SCENARIOS_RELATIVE;
    if (std::filesystem::is_directory(installed, ec)) return installed;
  }
  const std::filesystem::path source = CESLAB_SOURCE_SCENARIOS_DIR;
  if (std::filesystem::is_directory(source, ec)) return source;
  return {};
}

}  // namespace ceslab::runner
