// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctime>
#include <iomanip>
#include <iostream>

#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/request_store.hpp"
#include "commands.hpp"

namespace ceslab::app {
namespace {

std::string format_time(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "-";
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return out.str();
}

// The lab's request database, which must already exist: an officer command
// against a mistyped directory must not create an empty database there.
mock::RequestStore open_store(const std::string& state_dir) {
  const std::filesystem::path file = std::filesystem::path(state_dir) / mock::LabCa::kStoreFile;
  if (!std::filesystem::exists(file)) {
    throw std::runtime_error(file.string() +
                             ": no request database here (is this the --state-dir that "
                             "`ceslab serve` was started with?)");
  }
  return mock::RequestStore::open(file);
}

void print_row(const mock::StoredRequest& r) {
  std::cout << std::left << std::setw(6) << r.id << std::setw(10) << mock::to_string(r.disposition)
            << std::setw(16) << (r.requester.empty() ? "-" : r.requester) << std::setw(16)
            << (r.template_name.empty() ? "-" : r.template_name) << std::setw(22)
            << format_time(r.submitted) << r.disposition_message << "\n";
}

}  // namespace

void add_admin_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "admin", "Act as the lab CA's certificate manager: list, approve or deny requests");
  cmd->require_subcommand(1);
  auto state_dir = std::make_shared<std::string>();
  cmd->add_option("--state-dir", *state_dir, "The --state-dir `ceslab serve` runs with")
      ->type_name("DIR")
      ->required();

  auto* list = cmd->add_subcommand("list", "List the CA's requests (like the CA console)");
  auto only = std::make_shared<std::string>();
  list->add_option("--disposition", *only, "Only pending|approved|issued|denied|failed")
      ->check(CLI::IsMember({"pending", "approved", "issued", "denied", "failed"}));
  list->callback([state_dir, only, &exit_code] {
    const mock::RequestStore store = open_store(*state_dir);
    std::optional<mock::Disposition> filter;
    if (!only->empty()) filter = mock::parse_disposition(*only);
    std::cout << std::left << std::setw(6) << "ID" << std::setw(10) << "STATE" << std::setw(16)
              << "REQUESTER" << std::setw(16) << "TEMPLATE" << std::setw(22) << "SUBMITTED"
              << "DISPOSITION\n";
    for (const mock::StoredRequest& r : store.list(filter)) print_row(r);
    exit_code = kOk;
  });

  // approve = certutil -resubmit N; deny = certutil -deny N (MS-CSRA
  // 3.1.4.1.3 / 3.1.4.1.4). The running server issues an approved request
  // when the client next polls it (QueryTokenStatus).
  for (const bool approve : {true, false}) {
    auto* act = cmd->add_subcommand(approve ? "approve" : "deny",
                                    approve ? "Approve a pending request (certutil -resubmit)"
                                            : "Deny a pending request (certutil -deny)");
    auto id = std::make_shared<std::int64_t>(0);
    act->add_option("ID", *id, "Request ID")->required()->check(CLI::PositiveNumber);
    act->callback([state_dir, id, approve, &exit_code] {
      mock::RequestStore store = open_store(*state_dir);
      const std::optional<mock::StoredRequest> done =
          approve ? store.approve(*id) : store.deny(*id);
      if (!done) {
        const std::optional<mock::StoredRequest> row = store.find(*id);
        std::cerr << "ceslab admin: request " << *id
                  << (row ? " is " + std::string(mock::to_string(row->disposition)) +
                                ", not pending; nothing changed"
                          : " does not exist")
                  << "\n";
        exit_code = kFailed;
        return;
      }
      std::cout << "Request " << done->id << ": " << done->disposition_message << "\n";
      exit_code = kOk;
    });
  }
}

}  // namespace ceslab::app
