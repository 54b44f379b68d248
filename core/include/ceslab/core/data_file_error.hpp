// SPDX-License-Identifier: GPL-2.0-or-later
// The one error of ceslab's data files (core/yaml_reader.hpp reads them),
// apart from the reader so that a header naming it needs no yaml-cpp.
#pragma once

#include <stdexcept>
#include <string>

namespace ceslab::core {

// A data file was not accepted. what() reads "<source>:<line>: <problem>",
// or "<source>: <problem>" when no line is known (line 0).
class DataFileError : public std::runtime_error {
 public:
  DataFileError(std::string source, int line, std::string problem);
  const std::string& source() const noexcept { return source_; }
  int line() const noexcept { return line_; }  // 1-based; 0 when no position is known
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string source_;
  int line_;
  std::string problem_;
};

}  // namespace ceslab::core
