// SPDX-License-Identifier: GPL-2.0-or-later
// What a test of a refusal compares: the message of the error thrown.
#pragma once

#include <string>
#include <utility>

namespace ceslab::test_support {

// The what() of the `Error` that `f` throws; `otherwise` when it throws none.
template <typename Error, typename F>
std::string error_message(F&& f, std::string otherwise = "") {
  try {
    std::forward<F>(f)();
  } catch (const Error& e) {
    return e.what();
  }
  return otherwise;
}

}  // namespace ceslab::test_support
