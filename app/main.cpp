// SPDX-License-Identifier: GPL-2.0-or-later
// ceslab: test harness and simulator for AD CS enrollment web services.
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  int exit_code = ceslab::app::kOk;
  const std::unique_ptr<CLI::App> app = ceslab::app::make_cli(exit_code);
  try {
    app->parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app->exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app->exit(e);
  } catch (const CLI::ParseError& e) {
    app->exit(e);
    return ceslab::app::kUsage;
  } catch (const std::exception& e) {
    std::cerr << "ceslab: " << e.what() << "\n";
    return ceslab::app::kFailed;
  }
  return exit_code;
}
