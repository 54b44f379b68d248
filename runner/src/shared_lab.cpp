// SPDX-License-Identifier: GPL-2.0-or-later
#include "shared_lab.hpp"

#include "ceslab/core/ca.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/request_store.hpp"

namespace ceslab::runner {

namespace fs = std::filesystem;

SharedLab::SharedLab(fs::path root) : root_(std::move(root)) {
  fs::create_directories(root_);
}

fs::path SharedLab::ca_files(const mock::CaSettings& ca) {
  // What the CA certificate is made of (mock::LabCa::open): nothing else.
  std::string identity = ca.subject + "\n" + ca.key + "\n" + std::to_string(ca.validity_years);
  for (const auto& oid : ca.policy_oids) identity += "\n" + oid;
  std::shared_ptr<CaSlot> slot;
  std::size_t number = 0;
  {
    const std::lock_guard lock(mutex_);
    auto& entry = cas_[identity];
    if (!entry) entry = std::make_shared<CaSlot>();
    slot = entry;
    number = cas_.size();
  }
  std::call_once(slot->made, [&] {
    const fs::path dir = root_ / ("ca-" + std::to_string(number));
    fs::create_directories(dir);
    // LabCa::open creates the key pair and certificate as the mock would.
    mock::LabCa::open(dir, ca);
    slot->dir = dir;
  });
  return slot->dir;
}

fs::path SharedLab::new_state_dir(const mock::CaSettings& ca) {
  const fs::path from = ca_files(ca);
  fs::path dir;
  {
    const std::lock_guard lock(mutex_);
    dir = root_ / ("world-" + std::to_string(next_world_++));
  }
  fs::create_directories(dir);
  for (const char* name : {mock::LabCa::kCertificateFile, mock::LabCa::kKeyFile}) {
    fs::copy_file(from / name, dir / name);
  }
  fs::permissions(dir / mock::LabCa::kKeyFile, fs::perms::owner_read | fs::perms::owner_write);
  // Each world is a CA of its own history: its request database starts here,
  // on purpose (LabCa::open refuses a CA whose database went missing).
  mock::RequestStore::open(dir / mock::LabCa::kStoreFile);
  return dir;
}

EVP_PKEY* SharedLab::client_key(const std::string& spec, std::size_t index) {
  const core::KeySpec parsed = core::KeySpec::parse(spec);
  std::shared_ptr<KeySlot> slot;
  {
    const std::lock_guard lock(mutex_);
    auto& entry = keys_[{spec, index}];
    if (!entry) entry = std::make_shared<KeySlot>();
    slot = entry;
  }
  std::call_once(slot->made, [&] { slot->key = core::generate_key(parsed); });
  return slot->key.get();
}

}  // namespace ceslab::runner
