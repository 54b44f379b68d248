// SPDX-License-Identifier: GPL-2.0-or-later
// What the worlds of one run share because making it is the run's whole
// cost (RSA key generation: docs/performance.md), and sharing it lets no
// world see another's state:
//  - the lab CA's key pair and certificate, one per distinct CA identity
//    (subject, key type, validity, certificate policies); each world still
//    gets its own state directory, request database and event log;
//  - the client's key pairs, a few per key type, handed to each scenario in
//    order, so the keys within one scenario differ as fresh keys would.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ceslab/core/ossl.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::runner {

class SharedLab {
 public:
  // `root` holds the shared CA files; created if needed, removed by the
  // caller.
  explicit SharedLab(std::filesystem::path root);

  // A new state directory for one world (under the root, removed by the
  // caller), holding the CA files for its CA identity: the mock opens the
  // CA from them instead of generating a key.
  std::filesystem::path new_state_dir(const mock::CaSettings& ca);

  // The `index`-th key of type `spec` ("rsa2048", "ecdsa-p256"), generated on
  // first use and kept for the run. Never null; owned by the pool.
  EVP_PKEY* client_key(const std::string& spec, std::size_t index);

  // The directory with the CA files of this CA identity, made on first use.
  // Safe from several threads: each thing is made once, different things at
  // the same time (so a run can make them all up front, in parallel).
  std::filesystem::path ca_files(const mock::CaSettings& ca);

 private:
  struct CaSlot {
    std::once_flag made;
    std::filesystem::path dir;
  };
  struct KeySlot {
    std::once_flag made;
    core::EvpPkeyPtr key;
  };

  std::filesystem::path root_;
  std::mutex mutex_;  // guards the maps and the counter, never held while making
  std::map<std::string, std::shared_ptr<CaSlot>> cas_;  // CA identity -> its files
  std::map<std::pair<std::string, std::size_t>, std::shared_ptr<KeySlot>> keys_;
  unsigned next_world_ = 0;
};

}  // namespace ceslab::runner
